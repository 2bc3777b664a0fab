package idphoto_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"slices"
	"testing"

	"github.com/veridoc/veridoc/internal/vision/idphoto"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// TestPrintLayouts: every finished photo comes on a 4×6 and a 5×7 in print
// (JPEG, 300 DPI) and on A4 and US Letter pages (PDF, true size).
func TestPrintLayouts(t *testing.T) {
	p := processor(t)
	res, err := p.Process(context.Background(), portrait(t, "biden-tight.jpg"), usPassport, idphoto.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		b    []byte
		w, h int
	}{
		{"4x6 in", res.Sheet, 1200, 1800},
		{"5x7 in", res.Sheet5x7, 1500, 2100},
	} {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(c.b))
		if err != nil || cfg.Width != c.w || cfg.Height != c.h {
			t.Errorf("%s sheet: %dx%d %v", c.name, cfg.Width, cfg.Height, err)
		}
	}
	raster.Start()
	for _, c := range []struct {
		name string
		b    []byte
		w, h int // at 100 DPI
	}{
		{"A4", res.SheetA4, 827, 1169},
		{"Letter", res.SheetLetter, 850, 1100},
	} {
		page, err := raster.PDFPage(c.b, 100)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(page))
		if err != nil || cfg.Width < c.w-2 || cfg.Width > c.w+2 || cfg.Height < c.h-2 || cfg.Height > c.h+2 {
			t.Errorf("%s page: %dx%d %v", c.name, cfg.Width, cfg.Height, err)
		}
	}
}

// TestProcessTransparent: the person on transparency as a PNG of the
// spec's size, the photo's corners clear and the face opaque; the JPEG and
// the sheets still have the spec's colour.
func TestProcessTransparent(t *testing.T) {
	p := processor(t)
	res, err := p.Process(context.Background(), portrait(t, "obama.jpg"), usPassport, idphoto.Options{Background: idphoto.BackgroundTransparent})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(res.PNG))
	if err != nil {
		t.Fatalf("PNG: %v", err)
	}
	n, ok := img.(*image.NRGBA)
	if !ok || n.Bounds().Dx() != usPassport.WidthPx || n.Bounds().Dy() != usPassport.HeightPx {
		t.Fatalf("PNG %T %v", img, img.Bounds())
	}
	w, h := n.Bounds().Dx(), n.Bounds().Dy()
	if a := n.NRGBAAt(5, 5).A; a > 10 {
		t.Errorf("corner alpha %d", a)
	}
	if a := n.NRGBAAt(w/2, h/2).A; a < 245 {
		t.Errorf("face alpha %d", a)
	}
	if _, err := jpeg.DecodeConfig(bytes.NewReader(res.Photo)); err != nil {
		t.Errorf("JPEG: %v", err)
	}
	plain, err := p.Process(context.Background(), portrait(t, "obama.jpg"), usPassport, idphoto.Options{})
	if err != nil || plain.PNG != nil {
		t.Errorf("replace made a PNG: %v", err)
	}
}

// TestDigitalFileRange: a spec that wants at least 40 KB and at most 120 KB
// (China's visa upload) gets a file in that range, fit for online use.
func TestDigitalFileRange(t *testing.T) {
	p := processor(t)
	cn := idphoto.Spec{WidthMm: 33, HeightMm: 48, DPI: 300, WidthPx: 354, HeightPx: 472, HeadMinMm: 28, HeadMaxMm: 33,
		EyeMinMm: 24, EyeMaxMm: 31.2, BackgroundHex: "#ffffff", MinPx: 354, MaxPx: 420, MinKB: 40, MaxKB: 120, SmileAllowed: true}
	res, err := p.Process(context.Background(), portrait(t, "biden-tight.jpg"), cn, idphoto.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if kb := len(res.Photo) / 1024; kb < 40 || kb > 120 || !res.Online {
		t.Errorf("%d KB, online %v, warnings %v", kb, res.Online, res.Warnings)
	}
	// Far more than the pixels can fill: said so, not padded.
	cn.MinKB, cn.MaxKB = 500, 0
	if res, err = p.Process(context.Background(), portrait(t, "biden-tight.jpg"), cn, idphoto.Options{}); err != nil || res.Online {
		t.Fatalf("min 500 KB: online %v, %v", res != nil && res.Online, err)
	}
	if !slices.Contains(res.Warnings, idphoto.WarnTooSmallOnline) {
		t.Errorf("warnings %v", res.Warnings)
	}
}
