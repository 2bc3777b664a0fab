package docread

import (
	"context"
	"errors"
	"image"
	"math"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// decodeGray decodes a JPEG's brightness at the smallest free (DCT) scale
// that keeps its longer side at least side; anything else goes through
// loadGray, scaled to at most side.
func decodeGray(ctx context.Context, b []byte, side int) (*image.Gray, error) {
	g, ok, err := raster.DecodeGray(ctx, b, side)
	switch {
	case err != nil:
		return nil, err
	case ok:
		return g, nil
	}
	return loadGray(ctx, b, side, 0)
}

// loadGray decodes an image with its EXIF orientation applied, scaled so the
// longest side is at most maxSide, as 8-bit grey. rotateDeg (clockwise on
// screen) is applied before the scaling's result is read.
func loadGray(ctx context.Context, b []byte, maxSide int, rotateDeg float64) (*image.Gray, error) {
	// libvips cannot be stopped once it decodes: a scan bomb never reaches it.
	if err := raster.CheckScans(b); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	img, err := vips.LoadThumbnailFromBuffer(b, maxSide, maxSide, vips.InterestingNone, vips.SizeDown, nil)
	if err != nil {
		return nil, err
	}
	defer img.Close()
	if img.HasAlpha() {
		if err := img.Flatten(&vips.Color{R: 255, G: 255, B: 255}); err != nil {
			return nil, err
		}
	}
	if err := img.ToColorSpace(vips.InterpretationBW); err != nil {
		return nil, err
	}
	if img.Bands() > 1 {
		if err := img.ExtractBand(0, 1); err != nil {
			return nil, err
		}
	}
	if img.BandFormat() != vips.BandFormatUchar {
		if err := img.Cast(vips.BandFormatUchar); err != nil {
			return nil, err
		}
	}
	if rotateDeg != 0 {
		if err := img.Similarity(1, rotateDeg, &vips.ColorRGBA{R: 255, G: 255, B: 255, A: 255}, 0, 0, 0, 0); err != nil {
			return nil, err
		}
	}
	pix, err := img.ToBytes()
	if err != nil {
		return nil, err
	}
	w, h := img.Width(), img.Height()
	if len(pix) != w*h {
		return nil, errors.New("docread: unexpected pixel layout")
	}
	return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
}

// inkMap marks dark pixels by a local threshold (mean of a window minus a
// margin, from an integral image), so shadows and tinted paper do not matter.
func inkMap(g *image.Gray, window int, margin float64) []bool {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	integral := make([]int64, (w+1)*(h+1))
	for y := 0; y < h; y++ {
		var row int64
		for x := 0; x < w; x++ {
			row += int64(g.Pix[y*g.Stride+x])
			integral[(y+1)*(w+1)+x+1] = integral[y*(w+1)+x+1] + row
		}
	}
	r := window / 2
	ink := make([]bool, w*h)
	for y := 0; y < h; y++ {
		y0, y1 := max(y-r, 0), min(y+r+1, h)
		for x := 0; x < w; x++ {
			x0, x1 := max(x-r, 0), min(x+r+1, w)
			sum := integral[y1*(w+1)+x1] - integral[y0*(w+1)+x1] - integral[y1*(w+1)+x0] + integral[y0*(w+1)+x0]
			mean := float64(sum) / float64((y1-y0)*(x1-x0))
			ink[y*w+x] = float64(g.Pix[y*g.Stride+x]) < mean-margin
		}
	}
	return ink
}

// skewPoints bounds the ink points skewDegrees scores at each angle.
const skewPoints = 20000

// skewDegrees estimates how far text lines are turned (clockwise on screen,
// in degrees): the angle whose row projection of the ink is sharpest.
func skewDegrees(ink []bool, w, h int, maxDeg float64) float64 {
	deg, _ := skewScore(ink, w, h, maxDeg)
	return deg
}

// skewScore is skewDegrees with the sharpness of that angle's projection
// (comparable between images with the same ink). Wide ranges are searched
// in whole degrees first, narrow ones in halves.
func skewScore(ink []bool, w, h int, maxDeg float64) (float64, float64) {
	type pt struct{ x, y float64 }
	var pts []pt
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if ink[y*w+x] {
				pts = append(pts, pt{float64(x - w/2), float64(y - h/2)})
			}
		}
	}
	if len(pts) == 0 {
		return 0, 0
	}
	// Every angle scores every point: a fixed sample of them keeps the cost
	// bounded on a busy page without moving the sharpest angle.
	if step := len(pts)/skewPoints + 1; step > 1 {
		kept := pts[:0]
		for i := 0; i < len(pts); i += step {
			kept = append(kept, pts[i])
		}
		pts = kept
	}
	diag := int(math.Hypot(float64(w), float64(h))) + 2
	bins := make([]float64, diag)
	score := func(deg float64) float64 {
		clear(bins)
		s, c := math.Sincos(deg * math.Pi / 180)
		for _, p := range pts {
			// The row a point falls on once the image is turned back by deg.
			r := int(p.y*c-p.x*s) + diag/2
			if r >= 0 && r < diag {
				bins[r]++
			}
		}
		var sum float64
		for _, b := range bins {
			sum += b * b
		}
		return sum
	}
	step := 0.5
	if maxDeg > 20 {
		step = 1
	}
	best, bestScore := 0.0, -1.0
	for d := -maxDeg; d <= maxDeg+1e-9; d += step {
		if s := score(d); s > bestScore {
			best, bestScore = d, s
		}
	}
	coarse := best
	for d := coarse - step + 0.1; d <= coarse+step-0.1+1e-9; d += 0.1 {
		if s := score(d); s > bestScore {
			best, bestScore = d, s
		}
	}
	return best, bestScore
}
