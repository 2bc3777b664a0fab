package idphoto

import (
	"image"
	"math"

	"github.com/veridoc/veridoc/internal/vision/faces"
)

// Point is a position in pixels of some image.
type Point struct{ X, Y float64 }

// Geometry is what the photo rules need of a face, in one image's pixels.
type Geometry struct {
	EyeLeft, EyeRight Point           // centres of the eyes as seen in the image
	Chin              Point           // lowest point of the jaw (landmark 8)
	Crown             Point           // top of the head, hair included
	CrownFound        bool            // false: Crown is the proportional estimate
	Box               image.Rectangle // the detector's box; empty once rotated
}

// EyeMid is the point between the eye centres.
func (g Geometry) EyeMid() Point {
	return Point{(g.EyeLeft.X + g.EyeRight.X) / 2, (g.EyeLeft.Y + g.EyeRight.Y) / 2}
}

// RollDegrees is the tilt of the eye line; positive when the right eye is lower.
func (g Geometry) RollDegrees() float64 {
	return math.Atan2(g.EyeRight.Y-g.EyeLeft.Y, g.EyeRight.X-g.EyeLeft.X) * 180 / math.Pi
}

// HeadHeight is chin to crown.
func (g Geometry) HeadHeight() float64 { return g.Chin.Y - g.Crown.Y }

// scaled maps the geometry into an image f times larger.
func (g Geometry) scaled(f float64) Geometry {
	sp := func(p Point) Point { return Point{p.X * f, p.Y * f} }
	g.EyeLeft, g.EyeRight, g.Chin, g.Crown = sp(g.EyeLeft), sp(g.EyeRight), sp(g.Chin), sp(g.Crown)
	g.Box = image.Rect(int(float64(g.Box.Min.X)*f), int(float64(g.Box.Min.Y)*f), int(float64(g.Box.Max.X)*f), int(float64(g.Box.Max.Y)*f))
	return g
}

// crownRatio is eye-to-crown over eye-to-chin for an adult head with hair,
// used when the hairline cannot be told from the background.
const crownRatio = 1.05

// geometryOf reads a face's landmarks and scans img above the face for the
// crown: the first rows, going up from the brows, whose middle band looks like
// the background sampled in the top corners.
func geometryOf(f faces.Face, img image.Image) Geometry {
	mean := func(idx ...int) Point {
		var p Point
		for _, i := range idx {
			p.X += float64(f.Landmarks[i].X)
			p.Y += float64(f.Landmarks[i].Y)
		}
		return Point{p.X / float64(len(idx)), p.Y / float64(len(idx))}
	}
	g := Geometry{
		EyeLeft:  mean(36, 37, 38, 39, 40, 41),
		EyeRight: mean(42, 43, 44, 45, 46, 47),
		Chin:     mean(8),
		Box:      f.Box,
	}
	browTop := math.Inf(1)
	for i := 17; i <= 26; i++ {
		browTop = math.Min(browTop, float64(f.Landmarks[i].Y))
	}
	eyeToChin := g.Chin.Y - g.EyeMid().Y
	g.Crown = Point{g.EyeMid().X, g.EyeMid().Y - crownRatio*eyeToChin}
	if y, ok := scanCrown(img, g, browTop, eyeToChin); ok {
		g.Crown.Y, g.CrownFound = y, true
	}
	return g
}

func scanCrown(img image.Image, g Geometry, browTop, eyeToChin float64) (float64, bool) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 20 || h < 20 || eyeToChin <= 0 {
		return 0, false
	}
	// Background reference: the two top corners.
	var ref [3]float64
	n := 0
	for _, x0 := range []int{0, w - w/10} {
		for y := 0; y < max(h/20, 2); y++ {
			for x := x0; x < x0+max(w/10, 2) && x < w; x++ {
				r, gg, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				ref[0] += float64(r >> 8)
				ref[1] += float64(gg >> 8)
				ref[2] += float64(bb >> 8)
				n++
			}
		}
	}
	for i := range ref {
		ref[i] /= float64(n)
	}
	mid := g.EyeMid()
	half := math.Max(2, (g.EyeRight.X-g.EyeLeft.X)/2)
	x0, x1 := int(math.Max(0, mid.X-half)), int(math.Min(float64(w-1), mid.X+half))
	start := int(browTop - 0.1*eyeToChin)
	const threshold, needRows = 28.0, 3
	run := 0
	for y := min(start, h-1); y >= 0; y-- {
		var diff float64
		for x := x0; x <= x1; x++ {
			r, gg, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			diff += (math.Abs(float64(r>>8)-ref[0]) + math.Abs(float64(gg>>8)-ref[1]) + math.Abs(float64(bb>>8)-ref[2])) / 3
		}
		diff /= float64(x1 - x0 + 1)
		if diff < threshold {
			run++
			if run == needRows {
				crown := float64(y + needRows)
				// A hairline implausibly close to or far from the eyes is not the crown.
				ratio := (mid.Y - crown) / eyeToChin
				if ratio < 0.75 || ratio > 1.6 {
					return 0, false
				}
				return crown, true
			}
		} else {
			run = 0
		}
	}
	return 0, false
}

// level is the turn about a point that levels the eyes: a point p of the
// photo goes to c + R(p − c), R turning by deg degrees, clockwise on screen
// (as libvips' similarity turns an image).
type level struct {
	c        Point
	deg      float64
	cos, sin float64
}

func newLevel(c Point, deg float64) level {
	th := deg * math.Pi / 180
	return level{c: c, deg: deg, cos: math.Cos(th), sin: math.Sin(th)}
}

// turn applies R (or its inverse) to a vector.
func (l level) turn(x, y float64, inverse bool) Point {
	s := l.sin
	if inverse {
		s = -s
	}
	return Point{x*l.cos - y*s, x*s + y*l.cos}
}

// apply maps a point of the photo into the levelled frame.
func (l level) apply(p Point) Point {
	d := l.turn(p.X-l.c.X, p.Y-l.c.Y, false)
	return Point{l.c.X + d.X, l.c.Y + d.Y}
}

// invert maps a point of the levelled frame back into the photo.
func (l level) invert(p Point) Point {
	d := l.turn(p.X-l.c.X, p.Y-l.c.Y, true)
	return Point{l.c.X + d.X, l.c.Y + d.Y}
}

// level maps the geometry into the levelled frame. The crown lies on the
// head's axis above the eyes; levelled, that axis is vertical.
func (g Geometry) level(l level) Geometry {
	if l.deg == 0 {
		return g
	}
	crownDist := math.Hypot(g.Crown.X-g.EyeMid().X, g.Crown.Y-g.EyeMid().Y)
	g.EyeLeft, g.EyeRight, g.Chin = l.apply(g.EyeLeft), l.apply(g.EyeRight), l.apply(g.Chin)
	mid := g.EyeMid()
	g.Crown = Point{mid.X, mid.Y - crownDist}
	g.Box = image.Rectangle{} // not turned: nothing downstream reads it
	return g
}
