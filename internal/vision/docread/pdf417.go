package docread

// #cgo pkg-config: zxing
// #cgo CXXFLAGS: -std=c++17 -O2 -DNDEBUG
// #include <stdlib.h>
// #include "pdf417.h"
import "C"

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/jpeg" // DecodeConfig reads their headers
	_ "image/png"
	"math"
	"time"
	"unsafe"

	"github.com/veridoc/veridoc/internal/vision/aamva"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// BarcodeRead is what the back of a driver licence or ID card gave.
type BarcodeRead struct {
	License  *aamva.License
	Raw      []byte        // the symbol's bytes
	Angle    float64       // the turn (degrees) that levelled the photo for the read
	Attempts int           // zxing searches it took
	Took     time.Duration // decoding and every attempt
}

// Errors of ReadBarcode.
var (
	ErrNoBarcode = errors.New("docread: no PDF417 barcode could be read")
)

// barcodeSide is the least long side a photo is read at: a card's PDF417
// modules stay at least 2 px wide when the card fills half the frame.
const barcodeSide = 1200

// readSide is the long side to decode a PNG at: its own, halved while that
// stays at least barcodeSide, as raster.DecodeGray does for a JPEG.
func readSide(img []byte) int {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		return 2 * barcodeSide
	}
	long := max(cfg.Width, cfg.Height)
	f := 1
	for long/(f*2) >= barcodeSide {
		f *= 2
	}
	return (long + f - 1) / f
}

// ReadBarcode reads the PDF417 barcode of a card's back and parses it as
// AAMVA DL/ID data. zxing reads PDF417 only within about ±3° of level, so the
// photo is levelled first (the text and bar rows give the skew), then, if
// that fails, turned in steps that cover ±12°.
func (r *Reader) ReadBarcode(ctx context.Context, img []byte) (*BarcodeRead, error) {
	start := time.Now()
	g, ok, err := raster.DecodeGray(ctx, img, barcodeSide)
	if err != nil {
		return nil, err
	}
	if !ok {
		if g, err = loadGray(ctx, img, readSide(img), 0); err != nil {
			return nil, err
		}
	}
	small, _ := downscale(g, 700)
	ink := inkMap(small, 15, 12)
	skew := skewDegrees(ink, small.Rect.Dx(), small.Rect.Dy(), 12)
	tried := map[float64]bool{}
	attempts := 0
	first := skew
	if math.Abs(skew) < 1.5 {
		first = 0 // zxing reads within about ±3°: no turn needed
	}
	for _, a := range []float64{first, 0, skew - 3, skew + 3, -6, 6, -10, 10} {
		a = math.Round(a*2) / 2
		if tried[a] {
			continue
		}
		tried[a] = true
		attempts++
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
			return &BarcodeRead{Raw: raw, Angle: a, Attempts: attempts, Took: time.Since(start)}, err
		}
		return &BarcodeRead{License: lic, Raw: raw, Angle: a, Attempts: attempts, Took: time.Since(start)}, nil
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
