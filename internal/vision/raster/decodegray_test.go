package raster_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// page is a light w×h picture with a black square in its top-left corner,
// so a decode's orientation shows where the square lands.
func page(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{230, 220, 200, 255}
			if x < w/5 && y < h/5 {
				c = color.RGBA{0, 0, 0, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func jpegOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withOrientation stores img turned a quarter anticlockwise with EXIF
// orientation 6, as a phone held upright does.
func withOrientation(t *testing.T, src []byte) []byte {
	t.Helper()
	raster.Start()
	ref, err := vips.NewImageFromBuffer(src)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	if err := ref.Rotate(vips.Angle270); err != nil {
		t.Fatal(err)
	}
	if err := ref.SetOrientation(6); err != nil {
		t.Fatal(err)
	}
	out, _, err := ref.ExportJpeg(&vips.JpegExportParams{Quality: 90})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDecodeGray(t *testing.T) {
	big := jpegOf(t, page(3000, 2000))
	var pngBytes bytes.Buffer
	if err := png.Encode(&pngBytes, page(300, 200)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		src     []byte
		minSide int
		ok      bool
		w, h    int
	}{
		{"full size when halving would go below", big, 1600, true, 3000, 2000},
		{"halved on load", big, 1500, true, 1500, 1000},
		{"an eighth at most", big, 100, true, 375, 250},
		{"EXIF orientation 6 turned upright", withOrientation(t, big), 1500, true, 1500, 1000},
		{"PNG is the caller's", pngBytes.Bytes(), 100, false, 0, 0},
		{"truncated JPEG is the caller's", big[:len(big)/2], 100, false, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, ok, err := raster.DecodeGray(context.Background(), tc.src, tc.minSide)
			if ok != tc.ok || err != nil {
				t.Fatalf("ok %v (%v), want %v", ok, err, tc.ok)
			}
			if !ok {
				return
			}
			if g.Rect.Dx() != tc.w || g.Rect.Dy() != tc.h {
				t.Fatalf("decoded %v, want %dx%d", g.Rect, tc.w, tc.h)
			}
			// The square is top-left, the opposite corner light.
			if tl, br := g.GrayAt(tc.w/20, tc.h/20).Y, g.GrayAt(tc.w-tc.w/20, tc.h-tc.h/20).Y; tl > 40 || br < 180 {
				t.Fatalf("top-left %d, bottom-right %d: not upright", tl, br)
			}
		})
	}
}
