package liveness

import (
	"math"

	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// eyePatch samples both eyes onto a fixed grid set by the eye corners, as
// luma with its mean removed and scaled to unit length: two frames' patches
// correlate near 1 while the eyes look the same, and far less when the lids
// cover the iris. The landmark net tends to draw lids where an average eye
// has them, so its lid gap alone misses closed eyes; the pixels do not.
func eyePatch(img *raster.Image, pts []faces.Point) []float64 {
	const cols, rows = 24, 12
	var out []float64
	for _, c := range [][2]int{{36, 39}, {42, 45}} {
		a, b := pts[c[0]], pts[c[1]]
		ux, uy := b.X-a.X, b.Y-a.Y // along the eye, corner to corner
		vx, vy := -uy, ux          // across it, as long
		// Rows cover an eighth of the eye's width above and below the line
		// between the corners: the opening, not the lids around it.
		for r := range rows {
			for k := range cols {
				// The middle of the eye, where the iris shows or the lid
				// covers it; the corners look alike either way.
				s := 0.2 + 0.6*(float64(k)+0.5)/cols
				t := (float64(r)+0.5)/rows - 0.5
				x := a.X + s*ux + 0.25*t*vx
				y := a.Y + s*uy + 0.25*t*vy
				out = append(out, luma(img, x, y))
			}
		}
	}
	var mean, norm float64
	for _, v := range out {
		mean += v / float64(len(out))
	}
	for i := range out {
		out[i] -= mean
		norm += out[i] * out[i]
	}
	if norm == 0 {
		return nil
	}
	norm = math.Sqrt(norm)
	for i := range out {
		out[i] /= norm
	}
	return out
}

// luma at (x, y), nearest pixel, 0 outside.
func luma(img *raster.Image, x, y float64) float64 {
	ix, iy := int(x), int(y)
	if ix < 0 || iy < 0 || ix >= img.W || iy >= img.H {
		return 0
	}
	i := (iy*img.W + ix) * 3
	return 0.299*float64(img.Pix[i]) + 0.587*float64(img.Pix[i+1]) + 0.114*float64(img.Pix[i+2])
}

// correlate is the correlation of two patches (1: the same look).
func correlate(a, b []float64) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// eyesLikeStart sets each frame's eyes to its patch's correlation with the
// mean patch of the first three frames with a face.
func eyesLikeStart(ms []measured) {
	var start []float64
	n := 0
	for _, m := range ms {
		if !m.ok || m.patch == nil {
			continue
		}
		if start == nil {
			start = make([]float64, len(m.patch))
		}
		for i, v := range m.patch {
			start[i] += v
		}
		if n++; n == 3 {
			break
		}
	}
	var norm float64
	for _, v := range start {
		norm += v * v
	}
	if norm == 0 {
		return
	}
	for i := range start {
		start[i] /= math.Sqrt(norm)
	}
	for i := range ms {
		ms[i].eyes = correlate(ms[i].patch, start)
	}
}
