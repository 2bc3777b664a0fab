package idphoto_test

import (
	"bytes"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/vision/idphoto"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// PDFs are read through the poppler module loaded on first use; libvips'
// other optional modules are not loaded at all.
func TestPDFPage(t *testing.T) {
	raster.Start()
	if maps, err := os.ReadFile("/proc/self/maps"); err == nil && os.Getenv("VIPSHOME") == "" {
		for _, m := range []string{"vips-heif.so", "vips-magick.so", "vips-jxl.so", "vips-openslide.so"} {
			if strings.Contains(string(maps), m) {
				t.Errorf("%s is loaded", m)
			}
		}
	}
	doc, err := idphoto.SheetPDF(portrait(t, "obama.jpg"), usPassport, idphoto.PaperA4)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		doc  []byte
		ok   bool
	}{
		{"A4 sheet", doc, true},
		{"truncated", doc[:len(doc)/3], false},
		{"not a PDF", []byte("%PDF-1.4 nothing here"), false},
		{"empty", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := raster.PDFPage(c.doc, 100)
			if !c.ok {
				if err == nil {
					t.Fatal("read without an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			// A4 at 100 DPI: 827 × 1169 px.
			if b := img.Bounds(); b.Dx() < 825 || b.Dx() > 829 || b.Dy() < 1167 || b.Dy() > 1171 {
				t.Errorf("page is %v", b)
			}
		})
	}
}
