package idphoto

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"time"

	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Limits of the canvas extension with a replaced background, in shares of
// the output: background can be added above the head and beside the
// shoulders; below the photo only a few rows, mirrored from those above
// (more would show a stretched suit).
const (
	maxExtendSide   = 0.20
	maxExtendBottom = 0.02
)

// checkPlan refuses a plan only for what no background can fix: a head cut
// by the photo's edge, missing chin and shoulders, or (keeping the photo's
// background) a frame that runs out of the photo.
func checkPlan(p cropPlan, geo Geometry, lv level, work *raster.Image, spec Spec, opt Options) *Failure {
	outW, outH := float64(spec.WidthPx), float64(spec.HeightPx)
	bottom := fail(EyePositionInvalid, "The face is too close to the bottom edge of the photo", "Include the shoulders in the photo", "Not enough space below the chin")
	if !opt.replace() {
		switch {
		case p.padT > 0.06*outH:
			return fail(EyePositionInvalid, "The head is too close to the top edge of the photo", "Leave more space above the head", "Not enough space above the head")
		case p.padB > 0.12*outH:
			return bottom
		case p.padL > 0.06*outW || p.padR > 0.06*outW:
			return fail(HeadSizeInvalid, "The head is too close to a side of the photo, or too large in it", "Step back from the camera and centre the face", "Head size out of spec range")
		}
		return nil
	}
	// In the photo's own pixels: is the whole face in it? (Whether the top of
	// the head is, the person's mask tells: see replaceBackground.)
	head := geo.HeadHeight()
	mid := geo.EyeMid()
	for _, dx := range []float64{-0.42 * head, 0.42 * head} {
		if q := lv.invert(Point{mid.X + dx, mid.Y}); q.X < -0.5 || q.X > float64(work.W)-0.5 {
			return fail(HeadSizeInvalid, "The head is cut off by a side of the photo", "Centre the face with space on both sides", "Head not fully visible")
		}
	}
	if c := lv.invert(geo.Chin); c.Y > float64(work.H)-0.5-0.1*head {
		return bottom
	}
	switch {
	case p.padB > maxExtendBottom*outH:
		return bottom
	case p.padL > maxExtendSide*outW || p.padR > maxExtendSide*outW:
		return fail(HeadSizeInvalid, "The head is too large in the photo or too close to a side", "Step back from the camera and centre the face", "Head size out of spec range")
	}
	return nil
}

// replaceBackground renders the planned frame with the person on the spec's
// colour. The mask's top over the face is the crown: when it differs from
// the one the plan assumed, the frame is planned and rendered again with it
// (refine false: the crown is taken as given). When the mask runs into the
// frame's top edge while the photo goes on above it, the head is taller than
// planned, and the frame is planned again with room above.
// With cutout, the frame's own pixels and the mask are kept as a PNG.
func (p *Processor) replaceBackground(work *raster.Image, lv level, geo Geometry, plan *cropPlan, spec Spec, bg color.RGBA, refine, cutout bool, tm *Timings) (*replaced, error) {
	if p.Segment == nil {
		return nil, fmt.Errorf("background replacement needs the segmentation model (%s)", faces.SegmentModelFile)
	}
	w, h := spec.WidthPx, spec.HeightPx
	const rounds = 3
	var prevAlpha []byte
	var prev cropPlan
	for round := 0; ; round++ {
		a := cropMap(lv, plan.left, plan.top, plan.s)
		out, err := work.Warp(a, w, h, &bg)
		if err != nil {
			return nil, err
		}
		t := time.Now()
		var alpha []byte
		if m, ok := within(prev, *plan, w, h); ok && prevAlpha != nil {
			// The new frame lies inside the last one: its mask, moved, serves.
			alpha, err = raster.WarpMask(prevAlpha, w, h, m, w, h)
		} else {
			alpha, err = p.Segment.Mask(out)
		}
		tm.Segment += time.Since(t)
		if err != nil {
			out.Free()
			return nil, err
		}
		prevAlpha, prev = alpha, *plan
		headPx := geo.HeadHeight() * plan.s
		eyeY := (geo.EyeMid().Y - plan.top) * plan.s
		cx := (geo.EyeMid().X - plan.left) * plan.s
		if headCut(alpha, a, w, cx, headPx) {
			out.Free()
			return nil, errHeadCut()
		}
		y, top := maskCrown(alpha, w, h, cx, eyeY, headPx)
		found := top == crownFound
		var g Geometry
		switch {
		case !refine || round == rounds-1:
		case top == crownAtFrameTop:
			// The head goes on above the frame: plan for a head reaching a
			// sixth of its height above it.
			g = geo
			g.Crown.Y = plan.top - geo.HeadHeight()/6
		case found && math.Abs(y-(geo.Crown.Y-plan.top)*plan.s) > 0.03*headPx:
			g = geo
			g.Crown.Y, g.CrownFound = plan.top+y/plan.s, true
		}
		if g != (Geometry{}) {
			// Plan again with that crown, if that plan stands.
			np := planCrop(g, lv, float64(work.W), float64(work.H), spec)
			if checkPlan(np, g, lv, work, spec, Options{}) == nil {
				geo, *plan = g, np
				out.Free() // this frame is rendered again
				continue
			}
		}
		var png []byte
		if cutout {
			if png, err = cutoutPNG(out, alpha); err != nil {
				out.Free()
				return nil, err
			}
		}
		composite(out, alpha, a, work.W, work.H, plan.s, bg)
		sum := 0
		for _, v := range alpha {
			sum += int(v)
		}
		return &replaced{out: out, geo: geo, crownSeen: found || geo.CrownFound, coverage: float64(sum) / 255 / float64(len(alpha)), png: png}, nil
	}
}

// replaced is a frame with its background replaced.
type replaced struct {
	out       *raster.Image // pooled: the caller frees it
	geo       Geometry      // with the crown the mask showed
	crownSeen bool          // the crown was found, on the photo or in the mask
	coverage  float64       // share of the frame the person covers (mean alpha)
	png       []byte        // the person on transparency, when asked for
}

// cutoutPNG encodes the frame's pixels with the mask as alpha. The colours
// at the mask's soft edge are the photo's own, not blended with any
// background, so the person can be put on any colour afterwards.
func cutoutPNG(out *raster.Image, alpha []byte) ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, out.W, out.H))
	for i := range alpha {
		copy(img.Pix[4*i:4*i+3], out.Pix[3*i:3*i+3])
		img.Pix[4*i+3] = alpha[i]
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// within maps the pixels of frame next (w×h) to those of frame last, both
// in the same levelled photo, and tells whether next lies inside last.
func within(last, next cropPlan, w, h int) (raster.Affine, bool) {
	if last.s == 0 {
		return raster.Affine{}, false
	}
	k := last.s / next.s
	ox := (next.left-last.left)*last.s + 0.5*k - 0.5
	oy := (next.top-last.top)*last.s + 0.5*k - 0.5
	m := raster.Affine{k, 0, ox, 0, k, oy}
	for _, c := range [][2]float64{{0, 0}, {float64(w - 1), float64(h - 1)}} {
		x, y := k*c[0]+ox, k*c[1]+oy
		if x < -0.5 || y < -0.5 || x > float64(w)-0.5 || y > float64(h)-0.5 {
			return m, false
		}
	}
	return m, true
}

func errHeadCut() *Failure {
	return fail(HeadSizeInvalid, "The top of the head is cut off by the edge of the photo", "Leave space above the head", "Head not fully visible")
}

// headCut tells whether the person's mask runs into the photo's top edge over
// the middle of the face (cx ± a fifth of the head, in output px): the first
// two rows inside the photo there are mostly the person. a maps output px to
// the photo's.
func headCut(alpha []byte, a raster.Affine, w int, cx, headPx float64) bool {
	x0, x1 := max(0, int(cx-0.2*headPx)), min(w, int(cx+0.2*headPx)+1)
	h := len(alpha) / w
	cut, n := 0, 0
	for x := x0; x < x1; x++ {
		// The first output row wholly inside the photo in this column.
		v := 0
		for v < h && a[3]*float64(x)+a[4]*float64(v)+a[5] < 0.5 {
			v++
		}
		if v == 0 || v+1 >= h {
			continue // the frame starts inside the photo here: nothing above to cut
		}
		n++
		if alpha[v*w+x] >= 128 && alpha[(v+1)*w+x] >= 128 {
			cut++
		}
	}
	return n > 0 && float64(cut) >= 0.3*float64(n)
}

// Where maskCrown found the top of the head.
const (
	crownNone       = iota // no person over the face's middle above the eyes
	crownFound             // at the returned row
	crownAtFrameTop        // the person reaches the frame's top row
)

// maskCrown is the top of the person's mask over the middle of the face
// (cx ± a fifth of the head), above the eyes, in output px.
func maskCrown(alpha []byte, w, h int, cx, eyeY, headPx float64) (float64, int) {
	x0, x1 := max(0, int(cx-0.2*headPx)), min(w, int(cx+0.2*headPx)+1)
	need := max(2, (x1-x0)/10)
	for y := 0; y < min(h, int(eyeY)); y++ {
		n := 0
		for x := x0; x < x1; x++ {
			if alpha[y*w+x] >= 128 {
				n++
			}
		}
		if n >= need {
			if y == 0 {
				return 0, crownAtFrameTop
			}
			return float64(y), crownFound
		}
	}
	return 0, crownNone
}

// composite puts out's person on bg. Each pixel weighs the person's alpha
// by how much of it lies inside the photo (the map a into a sw×sh source at
// s output px per source px), so canvas added above and beside the photo, and
// the corners a levelling turn brings in there, are pure background. Below
// the photo, each column continues as its mirror about the last row inside
// it: the shoulders go on to the frame's edge instead of stopping in a line
// over background.
func composite(out *raster.Image, alpha []byte, a raster.Affine, sw, sh int, s float64, bg color.RGBA) {
	unmix(out.Pix, alpha, out.W, out.H)
	src := func(u, v int) (float64, float64) {
		return a[0]*float64(u) + a[1]*float64(v) + a[2], a[3]*float64(u) + a[4]*float64(v) + a[5]
	}
	// Most frames lie wholly inside the photo: then alpha alone decides.
	inside := true
	for _, c := range [4][2]int{{0, 0}, {out.W - 1, 0}, {0, out.H - 1}, {out.W - 1, out.H - 1}} {
		x, y := src(c[0], c[1])
		inside = inside && x >= 0.5 && y >= 0.5 && x <= float64(sw)-1.5 && y <= float64(sh)-1.5
	}
	if inside {
		blend(out.Pix, alpha, bg)
		return
	}
	bgc := [3]float64{float64(bg.R), float64(bg.G), float64(bg.B)}
	for u := 0; u < out.W; u++ {
		last := -1 // the last row wholly inside the photo's bottom edge
		for v := 0; v < out.H; v++ {
			i := v*out.W + u
			x, y := src(u, v)
			if (float64(sh)-0.5-y)*s >= 0.5 {
				last = v
			} else if last >= 0 {
				// Mirrored about the last row inside: the texture goes on.
				j := max(0, 2*last-v)*out.W + u
				copy(out.Pix[3*i:3*i+3], out.Pix[3*j:3*j+3])
				alpha[i] = alpha[j]
				y = float64(sh) - 1 // as inside as the row it copies
				x, _ = src(u, last)
			}
			// Distance inside the top and side edges, in output px.
			d := math.Min(math.Min(x+0.5, float64(sw)-0.5-x), y+0.5) * s
			k := float64(alpha[i]) / 255
			if d < 0.5 {
				k *= math.Max(0, d+0.5)
			}
			if k >= 1 {
				continue
			}
			for c := 0; c < 3; c++ {
				j := 3*i + c
				out.Pix[j] = uint8(k*float64(out.Pix[j]) + (1-k)*bgc[c] + 0.5)
			}
		}
	}
}

// unmix takes the photo's own background out of the mask's edge. There a
// pixel mixes the person with the old background by its alpha, and blending
// it onto the new colour left a thin line of the old one around hair and
// shoulders (a dark fringe over white hair in front of curtains). Each edge
// pixel takes instead the mean colour of the person near it: the pixels the
// mask calls wholly the person (alpha 247 or more), summed over
// unmixBlock-px blocks two blocks around and interpolated between blocks;
// the blend then mixes that with
// the new colour by the same alpha. (Solving the mix for the person's colour
// with the old background read the same way overshot into coloured fringes
// wherever the background was uneven.) Where no such pixel is near, the
// pixel stays.
func unmix(pix, alpha []byte, w, h int) {
	const blk, reach = unmixBlock, 2
	bw, bh := (w+blk-1)/blk, (h+blk-1)/blk
	type acc struct{ r, g, b, n int32 }
	grid := make([]acc, bw*bh)
	edges := false
	for y := 0; y < h; y++ {
		row := (y / blk) * bw
		for x := 0; x < w; x++ {
			i := y*w + x
			switch a := alpha[i]; {
			case a >= 247:
				c := &grid[row+x/blk]
				c.r += int32(pix[3*i])
				c.g += int32(pix[3*i+1])
				c.b += int32(pix[3*i+2])
				c.n++
			case a > 0:
				edges = true
			}
		}
	}
	if !edges {
		return
	}
	// Each block's sums over the blocks within reach, then each edge pixel
	// interpolates the four nearest blocks' bilinearly (taking one block's
	// mean for all its pixels showed as 4 px steps along the ears).
	near := make([]acc, bw*bh)
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			var sum acc
			for v := max(0, by-reach); v <= min(bh-1, by+reach); v++ {
				for u := max(0, bx-reach); u <= min(bw-1, bx+reach); u++ {
					c := grid[v*bw+u]
					sum.r, sum.g, sum.b, sum.n = sum.r+c.r, sum.g+c.g, sum.b+c.b, sum.n+c.n
				}
			}
			near[by*bw+bx] = sum
		}
	}
	for y := 0; y < h; y++ {
		fy := (float64(y)+0.5)/blk - 0.5
		y0 := int(math.Floor(fy))
		ty := fy - float64(y0)
		for x := 0; x < w; x++ {
			i := y*w + x
			if a := alpha[i]; a == 0 || a >= 247 {
				continue
			}
			fx := (float64(x)+0.5)/blk - 0.5
			x0 := int(math.Floor(fx))
			tx := fx - float64(x0)
			var r, g, b, n float64
			for _, k := range [4]struct {
				u, v int
				w    float64
			}{{x0, y0, (1 - tx) * (1 - ty)}, {x0 + 1, y0, tx * (1 - ty)}, {x0, y0 + 1, (1 - tx) * ty}, {x0 + 1, y0 + 1, tx * ty}} {
				u, v := min(bw-1, max(0, k.u)), min(bh-1, max(0, k.v))
				c := near[v*bw+u]
				r, g, b, n = r+k.w*float64(c.r), g+k.w*float64(c.g), b+k.w*float64(c.b), n+k.w*float64(c.n)
			}
			if n < 4 {
				continue
			}
			pix[3*i] = uint8(r/n + 0.5)
			pix[3*i+1] = uint8(g/n + 0.5)
			pix[3*i+2] = uint8(b/n + 0.5)
		}
	}
}

// unmixBlock is the block size, in output px, over which unmix averages the
// person's colour.
const unmixBlock = 4

// blend mixes packed RGB pix with bg by alpha (255: pix, 0: bg).
func blend(pix, alpha []byte, bg color.RGBA) {
	bgc := [3]uint32{uint32(bg.R), uint32(bg.G), uint32(bg.B)}
	for i, a8 := range alpha {
		if a8 == 255 {
			continue
		}
		a, na := uint32(a8), 255-uint32(a8)
		p := pix[3*i : 3*i+3 : 3*i+3]
		p[0] = uint8((a*uint32(p[0]) + na*bgc[0] + 127) / 255)
		p[1] = uint8((a*uint32(p[1]) + na*bgc[1] + 127) / 255)
		p[2] = uint8((a*uint32(p[2]) + na*bgc[2] + 127) / 255)
	}
}
