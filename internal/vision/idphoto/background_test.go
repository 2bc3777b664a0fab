package idphoto

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
)

// portraitPix draws a w×h RGB image: a background of bg with noise of sd,
// and a dark head ellipse with a neck and shoulders block below it.
func portraitPix(w, h int, bg [3]float64, sd float64, seed uint64) ([]byte, image.Rectangle) {
	rng := rand.New(rand.NewPCG(seed, 1))
	pix := make([]byte, 3*w*h)
	head := image.Rect(w*35/100, h*20/100, w*65/100, h*60/100)
	cx, cy := float64(head.Min.X+head.Max.X)/2, float64(head.Min.Y+head.Max.Y)/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := 3 * (y*w + x)
			dx, dy := (float64(x)-cx)/(float64(head.Dx())/2), (float64(y)-cy)/(float64(head.Dy())/2)
			switch {
			case dx*dx+dy*dy <= 1:
				pix[i], pix[i+1], pix[i+2] = 90, 60, 50
			case y > h*75/100 && x > w*20/100 && x < w*80/100:
				pix[i], pix[i+1], pix[i+2] = 30, 30, 60
			default:
				n := rng.NormFloat64() * sd
				for c := 0; c < 3; c++ {
					pix[i+c] = uint8(math.Max(0, math.Min(255, bg[c]+n)))
				}
			}
		}
	}
	return pix, head
}

func at(pix []byte, w, x, y int) [3]float64 {
	i := 3 * (y*w + x)
	return [3]float64{float64(pix[i]), float64(pix[i+1]), float64(pix[i+2])}
}

func TestCleanBackground(t *testing.T) {
	white := color.RGBA{255, 255, 255, 255}
	cases := []struct {
		name    string
		bg      [3]float64
		sd      float64
		want    color.RGBA
		changed bool
	}{
		{"light grey towards white", [3]float64{222, 220, 212}, 3, white, true},
		{"off-white towards light blue", [3]float64{240, 240, 240}, 2, color.RGBA{200, 220, 240, 255}, true},
		{"dark background is left alone (a warning, not a fake)", [3]float64{110, 110, 110}, 3, white, false},
		{"busy background is left alone", [3]float64{220, 220, 220}, 30, white, false},
		{"already the spec colour", [3]float64{255, 255, 255}, 0, white, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, h := 300, 380
			pix, head := portraitPix(w, h, tc.bg, tc.sd, 7)
			before := append([]byte(nil), pix...)
			got := cleanBackground(pix, w, h, head, float64(h)*0.4, tc.want)
			if got != tc.changed {
				t.Fatalf("changed = %v", got)
			}
			// The head and the shoulders never change.
			for _, p := range [][2]int{{w / 2, h * 40 / 100}, {w / 2, h * 30 / 100}, {w / 2, h * 90 / 100}} {
				if at(pix, w, p[0], p[1]) != at(before, w, p[0], p[1]) {
					t.Errorf("pixel %v inside the person changed", p)
				}
			}
			corner := at(pix, w, 5, 5)
			if !tc.changed {
				if corner != at(before, w, 5, 5) {
					t.Errorf("corner changed without a cleanup")
				}
				return
			}
			want := [3]float64{float64(tc.want.R), float64(tc.want.G), float64(tc.want.B)}
			for c := range want {
				if math.Abs(corner[c]-want[c]) > 3*tc.sd+2 {
					t.Errorf("corner %v, want near %v", corner, want)
				}
			}
			// The background below the eyes beside the head is reached by the fill too.
			side := at(pix, w, 10, h*70/100)
			if math.Abs(side[0]-want[0]) > 3*tc.sd+2 {
				t.Errorf("side %v not cleaned", side)
			}
		})
	}
}
