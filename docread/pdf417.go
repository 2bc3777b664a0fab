package docread

// #cgo pkg-config: zxing
// #cgo CXXFLAGS: -std=c++17 -O2 -DNDEBUG
// #include <stdlib.h>
// #include "pdf417.h"
import "C"

import (
	"errors"
	"image"
	"math"
	"time"
	"unsafe"

	"github.com/veridoc/veridoc/aamva"
)

// BarcodeRead is what the back of a driver licence or ID card gave.
type BarcodeRead struct {
	License *aamva.License
	Raw     []byte        // the symbol's bytes
	Angle   float64       // the turn (degrees) that levelled the photo for the read
	Took    time.Duration // decoding and every attempt
}

// Errors of ReadBarcode.
var (
	ErrNoBarcode = errors.New("docread: no PDF417 barcode could be read")
)

// barcodeSide is the size a photo is read at: a card's PDF417 modules stay
// at least 2 px wide when the card fills a third of the frame.
const barcodeSide = 2000

// ReadBarcode reads the PDF417 barcode of a card's back and parses it as
// AAMVA DL/ID data. zxing reads PDF417 only within about ±3° of level, so the
// photo is levelled first (the text and bar rows give the skew), then, if
// that fails, turned in steps that cover ±12°.
func (r *Reader) ReadBarcode(img []byte) (*BarcodeRead, error) {
	start := time.Now()
	g, err := loadGray(img, barcodeSide, 0)
	if err != nil {
		return nil, err
	}
	small := downscale(g, 700)
	ink := inkMap(small, 15, 12)
	skew := skewDegrees(ink, small.Rect.Dx(), small.Rect.Dy(), 12)
	tried := map[float64]bool{}
	for _, a := range []float64{skew, 0, skew - 3, skew + 3, -6, 6, -10, 10} {
		a = math.Round(a*2) / 2
		if tried[a] {
			continue
		}
		tried[a] = true
		src := g
		if a != 0 {
			src = rotateGray(g, -a)
		}
		raw, ok := readPDF417(src)
		if !ok {
			continue
		}
		lic, err := aamva.Parse(raw)
		if err != nil {
			return &BarcodeRead{Raw: raw, Angle: a, Took: time.Since(start)}, err
		}
		return &BarcodeRead{License: lic, Raw: raw, Angle: a, Took: time.Since(start)}, nil
	}
	return nil, ErrNoBarcode
}

func readPDF417(g *image.Gray) ([]byte, bool) {
	if g.Rect.Dx() == 0 || g.Rect.Dy() == 0 {
		return nil, false
	}
	out := make([]byte, 8192)
	var corners [8]C.int
	n := C.vd_read_pdf417((*C.uchar)(unsafe.Pointer(&g.Pix[0])), C.int(g.Rect.Dx()), C.int(g.Rect.Dy()), C.int(g.Stride),
		(*C.uchar)(unsafe.Pointer(&out[0])), C.int(len(out)), &corners[0])
	if n < 0 {
		return nil, false
	}
	return out[:n], true
}

// downscale shrinks g so its longer side is at most side (box filter).
func downscale(g *image.Gray, side int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	f := (max(w, h) + side - 1) / side
	if f <= 1 {
		return g
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
	return out
}

// rotateGray turns g by deg (clockwise on screen) about its centre, bilinear,
// into a canvas of the same size (corners outside repeat white: the card's
// barcode sits well inside the frame).
func rotateGray(g *image.Gray, deg float64) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	s, c := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	for y := 0; y < h; y++ {
		dy := float64(y) - cy
		// Source of (x, y): turned back by deg. Step along the row.
		sx := -cx*c + dy*s + cx
		sy := cx*s + dy*c + cy
		row := out.Pix[y*out.Stride:]
		for x := 0; x < w; x++ {
			fx, fy := sx+float64(x)*c, sy-float64(x)*s
			x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
			if x0 < 0 || y0 < 0 || x0 >= w-1 || y0 >= h-1 {
				row[x] = 255
				continue
			}
			ax, ay := fx-float64(x0), fy-float64(y0)
			p := g.Pix[y0*g.Stride+x0:]
			q := g.Pix[(y0+1)*g.Stride+x0:]
			top := float64(p[0]) + ax*(float64(p[1])-float64(p[0]))
			bot := float64(q[0]) + ax*(float64(q[1])-float64(q[0]))
			row[x] = uint8(top + ay*(bot-top) + 0.5)
		}
	}
	return out
}
