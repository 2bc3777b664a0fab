package livegen

import (
	"image"
	"math"
)

// closeEyes draws the upper lids lowered by amount (0 open, 1 closed) over
// the eyes of a frame whose 68 landmarks sit at pts. A closing lid shows
// skin the portrait hides in its fold, so the lid is the skin just under
// the eye, lifted onto it (its grain and light, a little darker), with the
// lashes a dark line along its edge. Moving the lid's mesh points down
// instead stretches the fold's shadow and the lashes over the eye: a dark
// smudge where the iris was, which no blinking person shows.
func closeEyes(img *image.RGBA, pts [][2]float64, amount float64) {
	if amount <= 0 {
		return
	}
	for _, e := range [][6]int{{36, 37, 38, 39, 40, 41}, {42, 43, 44, 45, 46, 47}} {
		c0, c1 := pts[e[0]], pts[e[3]]
		upper := [][2]float64{c0, pts[e[1]], pts[e[2]], c1}
		lower := [][2]float64{c0, pts[e[5]], pts[e[4]], c1}
		opening := 0.0
		for i := 1; i <= 2; i++ {
			opening = math.Max(opening, lower[i][1]-upper[i][1])
		}
		if opening <= 0 || c1[0]-c0[0] < 4 {
			continue
		}
		// The lashes stand above the lid's line and the iris's edge shows
		// past the landmarks: the lid covers a little more.
		lift, margin := 0.35*opening, 0.15*opening
		shift := int(math.Round(1.6 * opening)) // from the eye down to the skin under it
		x0, x1 := int(math.Floor(c0[0]-margin)), int(math.Ceil(c1[0]+margin))
		for x := max(0, x0); x <= min(W-1, x1); x++ {
			fx := math.Min(math.Max(float64(x), c0[0]), c1[0])
			top := along(upper, fx) - lift*bump(c0[0], c1[0], float64(x))
			bottom := along(lower, fx) + margin*bump(c0[0], c1[0], float64(x))
			edge := top + amount*(bottom-top)
			for y := max(0, int(math.Floor(top))); y <= min(H-1, int(math.Ceil(edge+1))); y++ {
				// Soft first rows, where the lid meets the fold, and last.
				a := amount * clamp01(edge+1-float64(y)) * clamp01(0.4+(float64(y)-top)/3)
				if float64(y) > edge-1.2 {
					darken(img, x, y, a*0.55) // the lashes
					continue
				}
				skin(img, x, y, shift, a)
			}
		}
	}
}

// along is the height of a polyline (points left to right) at x.
func along(line [][2]float64, x float64) float64 {
	for i := 1; i < len(line); i++ {
		a, b := line[i-1], line[i]
		if x <= b[0] || i == len(line)-1 {
			if b[0] == a[0] {
				return b[1]
			}
			t := clamp01((x - a[0]) / (b[0] - a[0]))
			return a[1] + t*(b[1]-a[1])
		}
	}
	return line[len(line)-1][1]
}

// bump is 1 in the middle of [a, b] and 0 at its ends: the lid is fullest
// over the iris.
func bump(a, b, x float64) float64 {
	if b <= a {
		return 0
	}
	t := clamp01((x - a) / (b - a))
	return math.Sin(math.Pi * t)
}

func clamp01(v float64) float64 { return math.Min(1, math.Max(0, v)) }

// skin blends the pixel shift rows below (x, y), a little darker, into
// (x, y) by a.
func skin(img *image.RGBA, x, y, shift int, a float64) {
	sy := min(H-1, y+shift)
	i, j := img.PixOffset(x, y), img.PixOffset(x, sy)
	for k := range 3 {
		src := 0.88 * float64(img.Pix[j+k])
		img.Pix[i+k] = uint8(math.Round((1-a)*float64(img.Pix[i+k]) + a*src))
	}
}

// darken scales the pixel at (x, y) towards a lash's dark by a.
func darken(img *image.RGBA, x, y int, a float64) {
	i := img.PixOffset(x, y)
	for k := range 3 {
		img.Pix[i+k] = uint8(math.Round(float64(img.Pix[i+k]) * (1 - a*0.75)))
	}
}
