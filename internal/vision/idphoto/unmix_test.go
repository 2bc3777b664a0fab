package idphoto

import (
	"image/color"
	"math"
	"testing"
)

// TestUnmixFringe: a person (left) meets the old background (right) over a
// soft mask edge; on the new background each edge pixel must be the person
// mixed with the new colour, with nothing of the old one (the dark fringe
// around white hair in front of curtains).
func TestUnmixFringe(t *testing.T) {
	cases := []struct {
		name           string
		person, behind [3]byte
		bg             color.RGBA
	}{
		{"white hair before dark curtains, grey", [3]byte{240, 238, 235}, [3]byte{40, 50, 80}, color.RGBA{224, 224, 224, 255}},
		{"grey suit before a blue wall, white", [3]byte{90, 90, 95}, [3]byte{20, 60, 160}, color.RGBA{255, 255, 255, 255}},
	}
	const w, h, edge = 64, 32, 32
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pix := make([]byte, 3*w*h)
			alpha := make([]byte, w*h)
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					// Alpha falls from 255 to 0 over 6 px, and the photo's pixel
					// mixes person and old background by it.
					a := min(1, max(0, float64(edge+3-x)/6))
					i := y*w + x
					alpha[i] = uint8(a*255 + 0.5)
					for k := 0; k < 3; k++ {
						pix[3*i+k] = uint8(a*float64(c.person[k]) + (1-a)*float64(c.behind[k]) + 0.5)
					}
				}
			}
			// The composite wanted: the person over the new colour by alpha.
			worst := func(pix []byte) float64 {
				d := 0.0
				for x := 0; x < w; x++ {
					i := (h/2)*w + x
					a := float64(alpha[i]) / 255
					var s float64
					for k, b := range [3]float64{float64(c.bg.R), float64(c.bg.G), float64(c.bg.B)} {
						e := float64(pix[3*i+k]) - (a*float64(c.person[k]) + (1-a)*b)
						s += e * e
					}
					d = max(d, math.Sqrt(s))
				}
				return d
			}
			plain := append([]byte(nil), pix...)
			blend(plain, alpha, c.bg)
			unmix(pix, alpha, w, h)
			blend(pix, alpha, c.bg)
			if d := worst(plain); d < 20 {
				t.Fatalf("the case shows no fringe without unmix (%.0f from the composite wanted)", d)
			}
			if d := worst(pix); d > 4 {
				t.Errorf("an edge pixel is %.0f from the composite wanted", d)
			}
		})
	}
}
