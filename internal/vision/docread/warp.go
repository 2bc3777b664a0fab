package docread

// #cgo CFLAGS: -O2
// #include "warp.h"
import "C"

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"unsafe"
)

// downscale shrinks g by the least whole factor that brings its longer side
// to at most side (box filter), and returns that factor.
func downscale(g *image.Gray, side int) (*image.Gray, int) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	f := (max(w, h) + side - 1) / side
	if f <= 1 {
		return g, 1
	}
	out := image.NewGray(image.Rect(0, 0, w/f, h/f))
	for y := 0; y < h/f; y++ {
		for x := 0; x < w/f; x++ {
			sum := 0
			for dy := 0; dy < f; dy++ {
				row := g.Pix[(y*f+dy)*g.Stride+x*f:]
				for dx := 0; dx < f; dx++ {
					sum += int(row[dx])
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / (f * f))
		}
	}
	return out, f
}

// affine fills a dw×dh image from g: dst pixel (u, v) reads g at
// (x0 + u*dxu + v*dxv, y0 + u*dyu + v*dyv), bilinearly (bicubically when
// enlarging by more than 1.5: soft glyphs of a small photo misread); ss > 1 averages
// ss×ss points per pixel (for shrinking). Outside g is white.
func affine(g *image.Gray, x0, y0, dxu, dyu, dxv, dyv float64, dw, dh, ss int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, dw, dh))
	if dw <= 0 || dh <= 0 || g.Rect.Dx() == 0 || g.Rect.Dy() == 0 {
		return out
	}
	C.vd_affine_gray((*C.uchar)(unsafe.Pointer(&g.Pix[0])), C.int(g.Rect.Dx()), C.int(g.Rect.Dy()), C.int(g.Stride),
		C.double(x0), C.double(y0), C.double(dxu), C.double(dyu), C.double(dxv), C.double(dyv),
		(*C.uchar)(unsafe.Pointer(&out.Pix[0])), C.int(dw), C.int(dh), C.int(ss))
	return out
}

// turn is the map from a levelled image's coordinates to the photo's: the
// photo turned by deg (clockwise on screen) about centre (cx, cy).
type turn struct{ cs, sn, cx, cy float64 }

func newTurn(deg, cx, cy float64) turn {
	sn, cs := math.Sincos(deg * math.Pi / 180)
	return turn{cs: cs, sn: sn, cx: cx, cy: cy}
}

// src is the photo point that levelled point (x, y) shows.
func (t turn) src(x, y float64) (float64, float64) {
	dx, dy := x-t.cx, y-t.cy
	return dx*t.cs + dy*t.sn + t.cx, -dx*t.sn + dy*t.cs + t.cy
}

// rotateGray turns g by deg (clockwise on screen) about its centre,
// bilinear, into a canvas of the same size (corners outside are white).
func rotateGray(g *image.Gray, deg float64) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	t := newTurn(deg, float64(w-1)/2, float64(h-1)/2)
	x0, y0 := t.src(0, 0)
	return affine(g, x0, y0, t.cs, -t.sn, t.sn, t.cs, w, h, 1)
}

// levelledBand cuts region reg of a levelled, f-times smaller copy of g (the
// copy turned by deg about its centre; small is its size) out of g itself,
// turned and scaled by scale in the same pass: one resampling of the photo's
// own pixels, whatever the skew.
func levelledBand(g *image.Gray, deg float64, f int, small image.Point, reg image.Rectangle, scale float64) *image.Gray {
	ff := float64(f)
	// The small copy's centre, in the photo's pixels (box filter of f).
	t := newTurn(deg, ff*float64(small.X-1)/2+(ff-1)/2, ff*float64(small.Y-1)/2+(ff-1)/2)
	// Band pixel (u, v) is levelled photo point reg.Min*f - 0.5 + (u+0.5)/scale.
	lx := ff*float64(reg.Min.X) - 0.5 + 0.5/scale
	ly := ff*float64(reg.Min.Y) - 0.5 + 0.5/scale
	x0, y0 := t.src(lx, ly)
	ss := 1
	switch {
	case scale < 0.4:
		ss = 3
	case scale < 0.75:
		ss = 2
	}
	dw := int(math.Round(ff * float64(reg.Dx()) * scale))
	dh := int(math.Round(ff * float64(reg.Dy()) * scale))
	return affine(g, x0, y0, t.cs/scale, -t.sn/scale, t.sn/scale, t.cs/scale, dw, dh, ss)
}

// quarterTurn turns g by q quarter turns clockwise, exactly.
func quarterTurn(g *image.Gray, q int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	switch q % 4 {
	case 1:
		out := image.NewGray(image.Rect(0, 0, h, w))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Pix[x*out.Stride+(h-1-y)] = g.Pix[y*g.Stride+x]
			}
		}
		return out
	case 2:
		out := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Pix[(h-1-y)*out.Stride+(w-1-x)] = g.Pix[y*g.Stride+x]
			}
		}
		return out
	case 3:
		out := image.NewGray(image.Rect(0, 0, h, w))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Pix[(w-1-x)*out.Stride+y] = g.Pix[y*g.Stride+x]
			}
		}
		return out
	}
	return g
}

// storedPNG encodes g as a PNG whose pixels are stored, not compressed or
// filtered: what Leptonica reads fastest. A binary PGM, which might seem
// plainer, is read a byte at a time (13 ms for 1000×600 px against 0.8 ms,
// and 0.9 ms to write this).
func storedPNG(g *image.Gray) []byte {
	var buf bytes.Buffer
	buf.Grow(g.Rect.Dx()*g.Rect.Dy() + g.Rect.Dy() + 1024)
	// Encoding an in-memory image cannot fail.
	_ = (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, g)
	return buf.Bytes()
}
