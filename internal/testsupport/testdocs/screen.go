package testdocs

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"testing"
)

func decodeRGBA(t testing.TB, src []byte) *image.RGBA {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// OnScreen is a document shown full screen on an LCD (vertical R, G, B
// stripes, a dark gap of 5–20 % between pixel rows) and photographed: the
// camera sees 1.6–3.2 camera pixels per screen pixel, turned by up to 3°,
// each of its pixels averaging the light over its area (3×3 samples), then
// one or two passes of lens blur, sensor noise and the phone's JPEG
// (quality 85–92).
func OnScreen(t testing.TB, src []byte, seed uint64) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 41))
	doc := decodeRGBA(t, src)
	w, h := doc.Rect.Dx(), doc.Rect.Dy()
	pitch := 1.6 + 1.6*rng.Float64()
	theta := (rng.Float64()*6 - 3) * math.Pi / 180
	gap := 0.05 + 0.15*rng.Float64()
	sin, cos := math.Sincos(theta)
	cx, cy := float64(w)/2, float64(h)/2
	out := image.NewRGBA(doc.Rect)
	var sum [3]float64
	for v := 0; v < h; v++ {
		for u := 0; u < w; u++ {
			sum = [3]float64{}
			for sv := 0; sv < 3; sv++ {
				for su := 0; su < 3; su++ {
					px, py := float64(u)+(float64(su)+0.5)/3-cx, float64(v)+(float64(sv)+0.5)/3-cy
					x, y := (cos*px-sin*py+cx)/pitch, (sin*px+cos*py+cy)/pitch
					ix, iy := math.Floor(x), math.Floor(y)
					if y-iy > 1-gap {
						continue // the black matrix between rows
					}
					ch := int((x - ix) * 3)
					dx, dy := int(ix*pitch), int(iy*pitch)
					if dx < 0 || dy < 0 || dx >= w || dy >= h {
						continue
					}
					c := doc.RGBAAt(dx, dy)
					sum[ch] += float64([3]uint8{c.R, c.G, c.B}[ch])
				}
			}
			// Each stripe lights a third of the pixel; the camera's
			// exposure brings the screen back to about its brightness.
			k := 3.0 / 9 / (1 - gap) * 0.95
			noise := func() float64 { return rng.NormFloat64() * 3 }
			out.SetRGBA(u, v, color.RGBA{clamp(sum[0]*k + noise()), clamp(sum[1]*k + noise()), clamp(sum[2]*k + noise()), 255})
		}
	}
	out = blur3(out)
	if rng.IntN(2) == 0 {
		out = blur3(out)
	}
	return encodeJPEG(t, out, 85+rng.IntN(8))
}

// blur3 is a [1 2 1]² lens blur.
func blur3(src *image.RGBA) *image.RGBA {
	out := image.NewRGBA(src.Rect)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	k := [3]float64{1, 2, 1}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var s [3]float64
			var n float64
			for j := -1; j <= 1; j++ {
				for i := -1; i <= 1; i++ {
					xx, yy := min(max(x+i, 0), w-1), min(max(y+j, 0), h-1)
					c := src.RGBAAt(xx, yy)
					wt := k[i+1] * k[j+1]
					s[0], s[1], s[2], n = s[0]+wt*float64(c.R), s[1]+wt*float64(c.G), s[2]+wt*float64(c.B), n+wt
				}
			}
			out.SetRGBA(x, y, color.RGBA{clamp(s[0] / n), clamp(s[1] / n), clamp(s[2] / n), 255})
		}
	}
	return out
}

func clamp(v float64) uint8 { return uint8(min(255, max(0, math.Round(v)))) }
