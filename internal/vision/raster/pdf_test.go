package raster_test

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// A PDF's page is measured from its header: a page that 200 DPI would make
// larger than the pixel limit is drawn at a lower resolution, and one too
// large even at raster.MinPDFDPI is refused, all without drawing anything.
func TestPDFPageDPI(t *testing.T) {
	cases := []struct {
		name    string
		w, h    float64 // points
		dpi     float64 // 0: refused
		refused error
	}{
		{"letter", 612, 792, 200, nil},
		{"A4", 595, 842, 200, nil},
		{"6000 pt square (83 in)", 6000, 6000, 72 * math.Sqrt(60e6/36e6), nil},
		{"100000 pt square (35 m)", 100000, 100000, 0, raster.ErrTooLarge},
		{"a thin strip too long", 100, 500000, 0, raster.ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dpi, err := raster.PDFPageDPI(testenv.BlankPDF(tc.w, tc.h), 200)
			if tc.refused != nil {
				if !errors.Is(err, tc.refused) {
					t.Fatalf("dpi %g, err %v; want %v", dpi, err, tc.refused)
				}
				return
			}
			if err != nil || math.Abs(dpi-tc.dpi) > 0.01 {
				t.Fatalf("dpi %g, err %v; want %g", dpi, err, tc.dpi)
			}
			if px := tc.w * tc.h * dpi * dpi / 72 / 72; px > raster.MaxUploadPixels*1.0001 {
				t.Fatalf("%.0f pixels", px)
			}
		})
	}
	if _, err := raster.PDFPageDPI([]byte("%PDF-1.4 nothing"), 200); !errors.Is(err, raster.ErrUnreadable) {
		t.Errorf("not a PDF: %v", err)
	}
	out, err := raster.PDFPage(testenv.BlankPDF(612, 792), 100)
	if err != nil {
		t.Fatal(err)
	}
	if img, err := png.Decode(bytes.NewReader(out)); err != nil || img.Bounds().Dx() != 850 || img.Bounds().Dy() != 1100 {
		t.Fatalf("letter at 100 DPI: %v %v", img.Bounds(), err)
	}
}
