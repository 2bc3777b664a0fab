package raster_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// TestLumaCoefficients: the coefficients come as stored (blocks covering
// the picture, the luma steps of the quality saved at, in natural order);
// a PNG or a truncated JPEG has none; a scan bomb is stopped.
func TestLumaCoefficients(t *testing.T) {
	img := page(100, 60)
	var q50 bytes.Buffer
	if err := jpeg.Encode(&q50, img, &jpeg.Options{Quality: 50}); err != nil {
		t.Fatal(err)
	}
	var pngOf bytes.Buffer
	if err := png.Encode(&pngOf, img); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, ok, err := raster.LumaCoefficients(ctx, q50.Bytes())
	if err != nil || !ok {
		t.Fatalf("ok %v, %v", ok, err)
	}
	// Quality 50 keeps the standard luminance table: 16, 11, 10, 16 on the
	// first row, 12 below the DC (rows of four, not zig-zag).
	if c.W != 13 || c.H != 8 || c.Quant != [16]uint16{16, 11, 10, 16, 12, 12, 14, 19, 14, 13, 16, 24, 14, 17, 22, 29} || len(c.Blocks) != 13*8*16 {
		t.Fatalf("blocks %d×%d, steps %v", c.W, c.H, c.Quant)
	}
	// The black corner's first block is dark: a DC far below the light page's.
	if dark, light := c.Block(0, 0)[0], c.Block(12, 7)[0]; dark >= light {
		t.Fatalf("DC of the dark block %d, of the light one %d", dark, light)
	}
	for _, tc := range []struct {
		name string
		src  []byte
	}{
		{"png", pngOf.Bytes()},
		{"truncated", q50.Bytes()[:q50.Len()/2]},
		{"empty", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok, err := raster.LumaCoefficients(ctx, tc.src); ok || err != nil {
				t.Fatalf("ok %v, err %v", ok, err)
			}
		})
	}
}
