package testdocs

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// Conditions are what a phone photo of a document suffers, after MIDV-2020's
// clips: each zero value leaves the photo as Render always drew it.
type Conditions struct {
	// YawDeg and PitchDeg tilt the page away from the camera about its
	// vertical and horizontal axes: a perspective, not a turn.
	YawDeg, PitchDeg float64
	// Light scales the brightness (0 = 1: daylight; 0.25 is a dim room);
	// Noise is the sensor noise's standard deviation in grey levels.
	Light, Noise float64
	// Glare patches: bright soft ellipses where a lamp reflects.
	Glare int
	// Window lays a tinted transparent film with an edge over the MRZ, as
	// a card's clear window or a plastic sleeve does.
	Window bool
	// Hologram lays a rainbow-striped translucent foil over the page.
	Hologram bool
	// Hand holds the page: fingers over its edge, the page tilted a little.
	Hand bool
	// Width is the photo's width in pixels (0: as drawn, about 1400).
	Width int
}

// hologram overlays diagonal rainbow stripes at low opacity (16 %).
func hologram(page *image.RGBA, rng *rand.Rand) {
	b := page.Bounds()
	period := 30 + rng.Float64()*40
	phase := rng.Float64() * 2 * math.Pi
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			s := (float64(x)+0.6*float64(y))/period*2*math.Pi + phase
			// A hue wheel from three phase-shifted sines.
			c := color.RGBA{
				uint8(128 + 127*math.Sin(s)), uint8(128 + 127*math.Sin(s+2.1)), uint8(128 + 127*math.Sin(s+4.2)), 255}
			blend(page, x, y, c, 0.16)
		}
	}
}

// window tints r as a clear plastic window does, with a visible edge.
func window(page *image.RGBA, r image.Rectangle) {
	tint := color.RGBA{170, 200, 215, 255}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			a := 0.28
			if x-r.Min.X < 4 || r.Max.X-x <= 4 || y-r.Min.Y < 4 || r.Max.Y-y <= 4 {
				a = 0.6 // the film's edge
			}
			blend(page, x, y, tint, a)
		}
	}
}

// hand draws four fingers over the scene's page edge at the bottom right
// and a thumb at the left: skin, shaded, no texture.
func hand(scene *image.RGBA, page image.Rectangle, rng *rand.Rand) {
	skin := color.RGBA{uint8(190 + rng.IntN(40)), uint8(140 + rng.IntN(30)), uint8(115 + rng.IntN(25)), 255}
	fw := page.Dx() / 14
	// Fingers come in from the right edge, over the page's right margin.
	for i := 0; i < 4; i++ {
		cy := page.Min.Y + page.Dy()/5 + i*fw*11/10
		ellipse(scene, float64(page.Max.X+fw), float64(cy), float64(fw)*1.9, float64(fw)*0.5, skin)
	}
	// The thumb from the left, over the page's left edge, above the MRZ.
	ellipse(scene, float64(page.Min.X-fw/2), float64(page.Min.Y+page.Dy()*45/100), float64(fw)*1.6, float64(fw)*0.6, skin)
}

// ellipse fills an axis-aligned ellipse, darker towards its rim.
func ellipse(img *image.RGBA, cx, cy, rx, ry float64, c color.RGBA) {
	b := img.Bounds()
	for y := max(b.Min.Y, int(cy-ry)); y < min(b.Max.Y, int(cy+ry)+1); y++ {
		for x := max(b.Min.X, int(cx-rx)); x < min(b.Max.X, int(cx+rx)+1); x++ {
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			d := dx*dx + dy*dy
			if d > 1 {
				continue
			}
			k := 1 - 0.35*d
			img.SetRGBA(x, y, color.RGBA{uint8(float64(c.R) * k), uint8(float64(c.G) * k), uint8(float64(c.B) * k), 255})
		}
	}
}

// glare adds n bright soft patches (a lamp's reflection), each fading
// from nearly white at its centre.
func glare(img *image.RGBA, n int, rng *rand.Rand) {
	b := img.Bounds()
	for i := 0; i < n; i++ {
		cx := float64(b.Min.X) + float64(b.Dx())*(0.2+0.6*rng.Float64())
		cy := float64(b.Min.Y) + float64(b.Dy())*(0.3+0.5*rng.Float64())
		rx := float64(b.Dx()) * (0.06 + 0.08*rng.Float64())
		ry := rx * (0.5 + 0.5*rng.Float64())
		for y := max(b.Min.Y, int(cy-ry)); y < min(b.Max.Y, int(cy+ry)+1); y++ {
			for x := max(b.Min.X, int(cx-rx)); x < min(b.Max.X, int(cx+rx)+1); x++ {
				dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
				if d := dx*dx + dy*dy; d < 1 {
					blend(img, x, y, color.RGBA{255, 255, 250, 255}, 0.85*(1-d)*(1-d))
				}
			}
		}
	}
}

// dim scales the brightness by light, lowers the contrast a little as a
// dim exposure does, and adds Gaussian noise of sigma grey levels.
func dim(img *image.RGBA, light, sigma float64, rng *rand.Rand) {
	if light == 0 {
		light = 1
	}
	for i := 0; i+3 < len(img.Pix); i += 4 {
		n := rng.NormFloat64() * sigma
		for c := 0; c < 3; c++ {
			v := float64(img.Pix[i+c])*light + 6*(1-light) + n
			img.Pix[i+c] = uint8(max(0, min(255, math.Round(v))))
		}
	}
}

// tilt photographs the scene's plane turned by yaw (about the vertical
// axis) and pitch (about the horizontal) from a camera whose focal length
// is 1.3 times the scene's width: the far side shrinks. Outside is bg.
func tilt(scene *image.RGBA, yawDeg, pitchDeg float64, bg color.RGBA) *image.RGBA {
	w, h := float64(scene.Bounds().Dx()), float64(scene.Bounds().Dy())
	f := 1.3 * w
	sy, cyw := math.Sincos(yawDeg * math.Pi / 180)
	sp, cp := math.Sincos(pitchDeg * math.Pi / 180)
	// R = Ry(yaw)·Rx(pitch); plane point (x, y) → camera R·(x, y, 0) + (0, 0, f).
	// Columns of M are R's first two columns and the plane's offset, so
	// M·(x, y, 1) is the ray through the point.
	m := [3][3]float64{
		{cyw, sy * sp, 0},
		{0, cp, 0},
		{-sy, cyw * sp, f},
	}
	inv, ok := invert3(m)
	if !ok {
		return scene
	}
	out := image.NewRGBA(scene.Bounds())
	for v := 0; v < out.Bounds().Dy(); v++ {
		for u := 0; u < out.Bounds().Dx(); u++ {
			// The pixel's ray, (u−w/2, v−h/2, f) scaled to image units.
			rx, ry, rz := float64(u)-w/2, float64(v)-h/2, f
			px := inv[0][0]*rx + inv[0][1]*ry + inv[0][2]*rz
			py := inv[1][0]*rx + inv[1][1]*ry + inv[1][2]*rz
			pw := inv[2][0]*rx + inv[2][1]*ry + inv[2][2]*rz
			// M's third column is f·e3: scale so the plane's z offset is f.
			x, y := px/pw+w/2, py/pw+h/2
			out.SetRGBA(u, v, sample(scene, x, y, bg))
		}
	}
	return out
}

// sample reads img at (x, y) bilinearly; outside it is bg.
func sample(img *image.RGBA, x, y float64, bg color.RGBA) color.RGBA {
	b := img.Bounds()
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	if x0 < b.Min.X || y0 < b.Min.Y || x0+1 >= b.Max.X || y0+1 >= b.Max.Y {
		return bg
	}
	fx, fy := x-float64(x0), y-float64(y0)
	var out [3]float64
	for _, p := range [4]struct {
		dx, dy int
		w      float64
	}{{0, 0, (1 - fx) * (1 - fy)}, {1, 0, fx * (1 - fy)}, {0, 1, (1 - fx) * fy}, {1, 1, fx * fy}} {
		i := img.PixOffset(x0+p.dx, y0+p.dy)
		for c := 0; c < 3; c++ {
			out[c] += p.w * float64(img.Pix[i+c])
		}
	}
	return color.RGBA{uint8(out[0] + 0.5), uint8(out[1] + 0.5), uint8(out[2] + 0.5), 255}
}

func invert3(m [3][3]float64) ([3][3]float64, bool) {
	det := m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	if math.Abs(det) < 1e-12 {
		return m, false
	}
	var r [3][3]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			// The cofactor of (j, i), over the determinant.
			a, b := (j+1)%3, (j+2)%3
			c, d := (i+1)%3, (i+2)%3
			r[i][j] = (m[a][c]*m[b][d] - m[a][d]*m[b][c]) / det
		}
	}
	return r, true
}

// blend mixes c into img's pixel at (x, y) with opacity a.
func blend(img *image.RGBA, x, y int, c color.RGBA, a float64) {
	i := img.PixOffset(x, y)
	img.Pix[i] = uint8(float64(img.Pix[i])*(1-a) + float64(c.R)*a)
	img.Pix[i+1] = uint8(float64(img.Pix[i+1])*(1-a) + float64(c.G)*a)
	img.Pix[i+2] = uint8(float64(img.Pix[i+2])*(1-a) + float64(c.B)*a)
}
