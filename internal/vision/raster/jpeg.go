package raster

// #cgo LDFLAGS: -ljpeg
// #include <stdlib.h>
// #include "jpeg.h"
import "C"

import (
	"context"
	"errors"
	"image"
	"unsafe"
)

// JPEGOptions are the encoder's settings.
type JPEGOptions struct {
	Quality   int
	Subsample bool // 4:2:0 chroma, else 4:4:4
	Optimize  bool // optimised Huffman tables: a few percent smaller, a second pass
	DPI       int
}

// encode compresses the pixels as a baseline JPEG with a JFIF header that
// records the DPI, and no other metadata.
func (m *Image) Encode(o JPEGOptions) ([]byte, error) {
	var out *C.uchar
	var n C.ulong
	if C.vd_jpeg_encode((*C.uchar)(unsafe.Pointer(&m.Pix[0])), C.int(m.W), C.int(m.H), C.int(o.Quality),
		C.int(b2i(o.Subsample)), C.int(b2i(o.Optimize)), C.int(o.DPI), &out, &n) != 0 {
		return nil, errors.New("jpeg: encoding failed")
	}
	return takeC(out, n), nil
}

// takeC copies libjpeg's malloc'd output into Go memory and frees it.
func takeC(out *C.uchar, n C.ulong) []byte {
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(n))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// DecodeJPEG decodes a JPEG at eighths/8 of its size; ok is false when it
// cannot be decoded here (CMYK, or libjpeg warned of a corrupt or truncated
// file) and libvips should have its say. err is set when the decode was
// stopped (too many scans, or out of time): nothing else may try then.
func DecodeJPEG(ctx context.Context, src []byte, eighths int, pool *Pool) (img *Image, ok bool, err error) {
	budget, err := budgetOf(ctx)
	if err != nil {
		return nil, false, err
	}
	var w, h C.int
	buf, n := (*C.uchar)(unsafe.Pointer(&src[0])), C.ulong(len(src))
	if C.vd_jpeg_size(buf, n, C.int(eighths), &w, &h) != 0 || w <= 0 || h <= 0 {
		return nil, false, nil
	}
	img, err = New(int(w), int(h), pool)
	if err != nil {
		return nil, false, nil
	}
	switch C.vd_jpeg_decode(buf, n, C.int(eighths), 3, (*C.uchar)(unsafe.Pointer(&img.Pix[0])), w, h, MaxJPEGScans, C.long(budget)) {
	case 0:
		return img, true, nil
	case -2:
		img.Free()
		return nil, false, stopped(ctx)
	}
	img.Free()
	return nil, false, nil
}

// EncodeSheet encodes paper of pw×ph px with copies of photo laid out from
// (x0, y0) every step px, a scanline at a time.
func EncodeSheet(photo *Image, pw, ph, x0, y0, stepX, stepY, cols, rows, dpi int) ([]byte, error) {
	var out *C.uchar
	var n C.ulong
	if C.vd_jpeg_encode_sheet((*C.uchar)(unsafe.Pointer(&photo.Pix[0])), C.int(photo.W), C.int(photo.H), C.int(pw), C.int(ph),
		C.int(x0), C.int(y0), C.int(stepX), C.int(stepY), C.int(cols), C.int(rows), 92, C.int(dpi), &out, &n) != 0 {
		return nil, errors.New("jpeg: encoding the sheet failed")
	}
	return takeC(out, n), nil
}

// EncodeJPEG encodes the digital photo, lowering the quality until the file
// fits maxKB (when set). Like libvips' default, quality 90 and above keeps
// full-resolution chroma.
func EncodeJPEG(img *Image, dpi, maxKB int) ([]byte, bool, error) {
	var buf []byte
	var err error
	for q := 92; q >= 40; q -= 8 {
		if buf, err = img.Encode(JPEGOptions{Quality: q, Subsample: q < 90, Optimize: true, DPI: dpi}); err != nil {
			return nil, false, err
		}
		if maxKB <= 0 || len(buf) <= maxKB*1024 {
			return buf, true, nil
		}
	}
	return buf, false, nil
}

// JPEGSize is the size a JPEG decodes to at eighths/8 of its size; ok is false when
// it cannot be decoded here (see DecodeJPEG).
func JPEGSize(src []byte, eighths int) (w, h int, ok bool) {
	var cw, ch C.int
	if C.vd_jpeg_size((*C.uchar)(unsafe.Pointer(&src[0])), C.ulong(len(src)), C.int(eighths), &cw, &ch) != 0 || cw <= 0 || ch <= 0 {
		return 0, 0, false
	}
	return int(cw), int(ch), true
}

// DecodeJPEGGray decodes a JPEG's luma at eighths/8 of its size (see DecodeJPEG).
func DecodeJPEGGray(ctx context.Context, src []byte, eighths int) (*image.Gray, bool, error) {
	budget, err := budgetOf(ctx)
	if err != nil {
		return nil, false, err
	}
	w, h, ok := JPEGSize(src, eighths)
	if !ok {
		return nil, false, nil
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	switch C.vd_jpeg_decode((*C.uchar)(unsafe.Pointer(&src[0])), C.ulong(len(src)), C.int(eighths), 1,
		(*C.uchar)(unsafe.Pointer(&g.Pix[0])), C.int(w), C.int(h), MaxJPEGScans, C.long(budget)) {
	case 0:
		return g, true, nil
	case -2:
		return nil, false, stopped(ctx)
	}
	return nil, false, nil
}

// Coefficients are a JPEG's lowest quantised luma DCT coefficients, as
// stored: W×H blocks of 8×8 pixels, and for each the 4×4 frequencies 0–3
// across (u) and down (v), at v*4+u; Quant holds the steps they were
// quantised with, in the same order. The higher frequencies are left out:
// the lowest tell a photo's history, and a 12-megapixel page's sixteen a
// block take 6 MB where all 64 would take 24.
type Coefficients struct {
	W, H   int
	Quant  [16]uint16
	Blocks []int16
}

// Block is block (bx, by)'s 16 coefficients.
func (c *Coefficients) Block(bx, by int) []int16 {
	i := (by*c.W + bx) * 16
	return c.Blocks[i : i+16]
}

// maxCoefficientBlocks bounds LumaCoefficients: a 16-megapixel photo.
const maxCoefficientBlocks = 16_000_000 / 64

// LumaCoefficients reads a JPEG's luma coefficients without decoding its
// pixels; ok is false for a file that is no JPEG libjpeg reads cleanly, or
// one larger than 16 megapixels. err is set when the read was stopped
// (too many scans, or out of time).
func LumaCoefficients(ctx context.Context, src []byte) (c *Coefficients, ok bool, err error) {
	budget, err := budgetOf(ctx)
	if err != nil || len(src) == 0 {
		return nil, false, err
	}
	var bw, bh C.int
	var quant [16]C.ushort
	var out *C.short
	rc := C.vd_jpeg_luma_coefs((*C.uchar)(unsafe.Pointer(&src[0])), C.ulong(len(src)), maxCoefficientBlocks, MaxJPEGScans, C.long(budget),
		&bw, &bh, &quant[0], &out)
	switch rc {
	case 0:
	case -2:
		return nil, false, stopped(ctx)
	default:
		return nil, false, nil
	}
	defer C.free(unsafe.Pointer(out))
	n := int(bw) * int(bh) * 16
	c = &Coefficients{W: int(bw), H: int(bh), Blocks: make([]int16, n)}
	copy(c.Blocks, unsafe.Slice((*int16)(unsafe.Pointer(out)), n))
	for k := range quant {
		c.Quant[k] = uint16(quant[k])
	}
	return c, true, nil
}
