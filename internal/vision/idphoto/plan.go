package idphoto

import "math"

// Background modes of photo.process.
const (
	BackgroundReplace = "replace" // the person is cut out and put on the spec's colour
	BackgroundKeep    = "keep"    // the photo's own background, cleaned when light and plain
	// BackgroundTransparent also cuts the person out: the digital photo is a
	// PNG whose alpha is the person's mask (the JPEG and the sheets have the
	// spec's colour, as paper has no transparency).
	BackgroundTransparent = "transparent"
)

// Backgrounds lists the modes.
var Backgrounds = []string{BackgroundReplace, BackgroundKeep, BackgroundTransparent}

// Options are a request's choices beyond the spec.
type Options struct {
	Background string // BackgroundReplace (default), BackgroundKeep or BackgroundTransparent
}

func (o Options) replace() bool { return o.Background != BackgroundKeep }

// bandMargin keeps planned values this share of a band's width inside it:
// the output is measured again by detecting the face on it, which moves the
// crown and eyes by a few px.
const bandMargin = 0.15

// minAboveCrown is the least room above the head, as a share of the frame's height.
const minAboveCrown = 0.04

// cropPlan places the output frame in the levelled photo: its top-left
// corner at (left, top), s output px per photo px, and how many output px
// of it lie outside the photo on each side.
type cropPlan struct {
	s, left, top           float64
	padT, padB, padL, padR float64
	headPx, eyePx          float64 // planned head height and eye line from the bottom, output px
	headShare, eyeShare    float64 // where in their bands, 0 (low end) … 1 (high end)
}

// planCrop chooses head height and eye line anywhere inside the spec's bands:
// the pair that keeps the frame inside the photo (w×h px, seen in the
// levelled frame lv), preferring the middle of both bands when there is room. Running out below the photo costs most
// (it would cut the shoulders), then above and at the sides (which a
// replaced background can fill).
func planCrop(geo Geometry, lv level, w, h float64, spec Spec) cropPlan {
	pxmm := spec.pxPerMm()
	outW, outH := float64(spec.WidthPx), float64(spec.HeightPx)
	inside := func(lo, hi float64) (float64, float64) {
		m := (hi - lo) * bandMargin
		return (lo + m) * pxmm, (hi - m) * pxmm
	}
	h0, h1 := inside(spec.HeadMinMm, spec.HeadMaxMm)
	e0, e1 := inside(spec.EyeMinMm, spec.EyeMaxMm)
	mid := geo.EyeMid()
	head := geo.HeadHeight()
	const steps = 20
	best, bestCost := cropPlan{}, math.Inf(1)
	for i := 0; i <= steps; i++ {
		hs := float64(i) / steps
		for j := 0; j <= steps; j++ {
			es := float64(j) / steps
			p := cropPlan{headPx: h0 + hs*(h1-h0), eyePx: e0 + es*(e1-e0), headShare: hs, eyeShare: es}
			p.s = p.headPx / head
			cropW, cropH := outW/p.s, outH/p.s
			p.left, p.top = mid.X-cropW/2, mid.Y-(outH-p.eyePx)/p.s
			// How far the frame's corners, turned back into the photo, fall
			// outside each of its edges.
			for _, c := range [4]Point{{p.left, p.top}, {p.left + cropW, p.top}, {p.left, p.top + cropH}, {p.left + cropW, p.top + cropH}} {
				q := lv.invert(c)
				p.padT = math.Max(p.padT, -q.Y*p.s)
				p.padB = math.Max(p.padB, (q.Y-h)*p.s)
				p.padL = math.Max(p.padL, -q.X*p.s)
				p.padR = math.Max(p.padR, (q.X-w)*p.s)
			}
			// Some room above the crown too: a band's high ends together can
			// put the top of the head outside the frame.
			above := (geo.Crown.Y - p.top) * p.s
			cost := 10*p.padB + p.padT + p.padL + p.padR + 0.02*outH*(math.Abs(hs-0.5)+math.Abs(es-0.5)) +
				100*math.Max(0, minAboveCrown*outH-above)
			if cost < bestCost {
				best, bestCost = p, cost
			}
		}
	}
	return best
}
