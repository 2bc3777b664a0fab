package raster

// #cgo CXXFLAGS: -I/usr/include/opencv4
// #cgo LDFLAGS: -lopencv_imgproc -lopencv_core
// #include "resample.h"
import "C"

import (
	"errors"
	"image"
	"image/color"
	"unsafe"
)

var errResample = errors.New("resampling failed")

var white = color.RGBA{255, 255, 255, 255}

// resized is a copy of m, area-averaged down to at most size px on its longer
// side (m itself when it is no larger). The copy of a pooled image is pooled
// too, for the caller to free.
func (m *Image) Resized(size int) (*Image, error) {
	if max(m.W, m.H) <= size {
		return m, nil
	}
	k := float64(size) / float64(max(m.W, m.H))
	w, h := max(1, int(float64(m.W)*k+0.5)), max(1, int(float64(m.H)*k+0.5))
	out, err := New(w, h, m.pool)
	if err != nil {
		return nil, err
	}
	if C.vd_resize_area((*C.uchar)(unsafe.Pointer(&m.Pix[0])), C.int(m.W), C.int(m.H),
		(*C.uchar)(unsafe.Pointer(&out.Pix[0])), C.int(w), C.int(h)) != 0 {
		out.Free()
		return nil, errResample
	}
	return out, nil
}

// boxShrunk is m averaged over n×n blocks (n ≥ 2), (W/n)×(H/n) px with the
// last W%n columns and H%n rows left out; pooled when m is (see New), for
// the caller to free. Pixel centre x of the copy lies at n·x + (n-1)/2 in m.
func (m *Image) BoxShrunk(n int) (*Image, error) {
	out, err := New(m.W/n, m.H/n, m.pool)
	if err != nil {
		return nil, err
	}
	if C.vd_box_shrink((*C.uchar)(unsafe.Pointer(&m.Pix[0])), C.int(m.W), C.int(m.H), C.int(n), (*C.uchar)(unsafe.Pointer(&out.Pix[0]))) != 0 {
		out.Free()
		return nil, errResample
	}
	return out, nil
}

// enlarged is a copy of m scaled up (bicubic) to size px on its longer side,
// for finding faces too small for the detector's window.
func (m *Image) Enlarged(size int) (*Image, error) {
	k := float64(size) / float64(max(m.W, m.H))
	if k <= 1 {
		return m, nil
	}
	w, h := int(float64(m.W)*k+0.5), int(float64(m.H)*k+0.5)
	// Output pixel centre u lands on source (u + 0.5)/k - 0.5.
	off := 0.5/k - 0.5
	return m.Warp(Affine{1 / k, 0, off, 0, 1 / k, off}, w, h, &white)
}

// Affine maps an output pixel (u, v) to the source: (A[0]u + A[1]v + A[2],
// A[3]u + A[4]v + A[5]), pixel centres at whole coordinates.
type Affine [6]float64

// warp renders the w×h image whose pixels take src through a, with bg where
// a leads outside src (nil: src mirrored about its edges). It
// averages areas first when a shrinks. The image of a pooled one is pooled
// too (see New), for the caller to free: the photo pipeline's frames, a
// megabyte each.
func (src *Image) Warp(a Affine, w, h int, bg *color.RGBA) (*Image, error) {
	out, err := New(w, h, src.pool)
	if err != nil {
		return nil, err
	}
	var fill *C.uchar
	if bg != nil {
		f := [3]C.uchar{C.uchar(bg.R), C.uchar(bg.G), C.uchar(bg.B)}
		fill = &f[0]
	}
	ca := [6]C.double{C.double(a[0]), C.double(a[1]), C.double(a[2]), C.double(a[3]), C.double(a[4]), C.double(a[5])}
	if C.vd_warp((*C.uchar)(unsafe.Pointer(&src.Pix[0])), C.int(src.W), C.int(src.H),
		(*C.uchar)(unsafe.Pointer(&out.Pix[0])), C.int(w), C.int(h), &ca[0], fill) != 0 {
		out.Free()
		return nil, errResample
	}
	return out, nil
}

// WarpMask renders the w×h mask whose pixels take src (sw×sh, one byte
// each) through a, bilinearly, with 0 outside src.
func WarpMask(src []byte, sw, sh int, a Affine, w, h int) ([]byte, error) {
	out := make([]byte, w*h)
	ca := [6]C.double{C.double(a[0]), C.double(a[1]), C.double(a[2]), C.double(a[3]), C.double(a[4]), C.double(a[5])}
	if C.vd_warp_mask((*C.uchar)(unsafe.Pointer(&src[0])), C.int(sw), C.int(sh), (*C.uchar)(unsafe.Pointer(&out[0])), C.int(w), C.int(h), &ca[0]) != 0 {
		return nil, errResample
	}
	return out, nil
}

// OrientedGray turns a grey image upright by its EXIF orientation (1–8).
func OrientedGray(g *image.Gray, orientation int) (*image.Gray, error) {
	if orientation < 2 || orientation > 8 {
		return g, nil
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if orientation >= 5 {
		w, h = h, w
	}
	out := image.NewGray(image.Rect(0, 0, w, h))
	if C.vd_orient((*C.uchar)(unsafe.Pointer(&g.Pix[0])), C.int(g.Rect.Dx()), C.int(g.Rect.Dy()), 1, C.int(orientation),
		(*C.uchar)(unsafe.Pointer(&out.Pix[0]))) != 0 {
		return nil, errResample
	}
	return out, nil
}

// region renders the part r of m scaled to w×h (area averaging when it
// shrinks, bicubic when it enlarges); pooled when m is, like resized.
func (m *Image) Region(r image.Rectangle, w, h int) (*Image, error) {
	kx, ky := float64(r.Dx())/float64(w), float64(r.Dy())/float64(h)
	return m.Warp(Affine{kx, 0, float64(r.Min.X) + (kx-1)/2, 0, ky, float64(r.Min.Y) + (ky-1)/2}, w, h, &white)
}

// oriented turns the image upright by its EXIF orientation (1–8).
func (m *Image) Oriented(orientation int) (*Image, error) {
	if orientation < 2 || orientation > 8 {
		return m, nil
	}
	w, h := m.W, m.H
	if orientation >= 5 {
		w, h = h, w
	}
	out, err := New(w, h, m.pool)
	if err != nil {
		return nil, err
	}
	if C.vd_orient((*C.uchar)(unsafe.Pointer(&m.Pix[0])), C.int(m.W), C.int(m.H), 3, C.int(orientation), (*C.uchar)(unsafe.Pointer(&out.Pix[0]))) != 0 {
		out.Free()
		return nil, errResample
	}
	return out, nil
}
