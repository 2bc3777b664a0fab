package quality

import (
	"math"
	"slices"
	"sort"

	"github.com/veridoc/veridoc/internal/vision/faces"
)

func (f *face) luma(x, y int) float64 {
	i := 3 * (y*f.img.W + x)
	p := f.img.Pix[i : i+3]
	return 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
}

// chroma is the pixel's chromaticity (r, g over r+g+b): the colour without
// its brightness, so skin in shadow keeps the cheeks' colour.
func (f *face) chroma(x, y int) (float64, float64) {
	i := 3 * (y*f.img.W + x)
	r, g, b := float64(f.img.Pix[i]), float64(f.img.Pix[i+1]), float64(f.img.Pix[i+2])
	sum := math.Max(r+g+b, 1)
	return r / sum, g / sum
}

// fill calls fn for every pixel inside the polygon through the given
// landmarks (even-odd rule, pixel centres), clipped to the image.
func (f *face) fill(marks []int, fn func(x, y int)) {
	poly := make([]faces.Point, len(marks))
	y0, y1 := math.Inf(1), math.Inf(-1)
	for i, m := range marks {
		poly[i] = f.p[m]
		y0, y1 = math.Min(y0, poly[i].Y), math.Max(y1, poly[i].Y)
	}
	var xs []float64
	for y := max(0, int(math.Ceil(y0))); y <= min(f.img.H-1, int(y1)); y++ {
		xs = xs[:0]
		fy := float64(y)
		for i := range poly {
			a, b := poly[i], poly[(i+1)%len(poly)]
			if (a.Y <= fy) != (b.Y <= fy) {
				xs = append(xs, a.X+(fy-a.Y)*(b.X-a.X)/(b.Y-a.Y))
			}
		}
		sort.Float64s(xs)
		for k := 0; k+1 < len(xs); k += 2 {
			for x := max(0, int(math.Ceil(xs[k]))); x <= min(f.img.W-1, int(xs[k+1])); x++ {
				fn(x, y)
			}
		}
	}
}

// box calls fn for every pixel of the rectangle centred on c, clipped.
func (f *face) box(c faces.Point, halfW, halfH float64, fn func(x, y int)) {
	for y := max(0, int(c.Y-halfH)); y <= min(f.img.H-1, int(c.Y+halfH)); y++ {
		for x := max(0, int(c.X-halfW)); x <= min(f.img.W-1, int(c.X+halfW)); x++ {
			fn(x, y)
		}
	}
}

var (
	// The face: the jaw, then the brows from the photo's right to its left.
	faceOutline = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17}
	// Below the nose: the jaw from cheek to cheek, then the nose's base.
	lowerFace = []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 35, 34, 33, 32, 31}
	outerLips = []int{48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59}
)

// light fills the measures of light over the face: uniformity between the
// cheeks either side of the line from the nose bridge (27) to the chin (8)
// (from the eyes down to the mouth, the nose's strip left out, where a lamp
// on one side shows most), the mean luma, the shares of dark and bright
// pixels (OFIQ's under and over exposure ranges) and the luma histogram's
// entropy (OFIQ's dynamic range), these over the whole face.
func (f *face) light(m *Measures) {
	var hist [256]int
	var all float64
	var sum, cnt [2]float64
	a, b := f.p[27], f.p[8]
	axis := math.Max(dist(a, b), 1)
	top, bottom := (f.p[39].Y+f.p[42].Y)/2, (f.p[48].Y+f.p[54].Y)/2
	f.fill(faceOutline, func(x, y int) {
		l := f.luma(x, y)
		hist[min(255, int(l+0.5))]++
		all += l
		fy := float64(y)
		if fy < top || fy > bottom {
			return
		}
		// Signed distance from the axis, in px.
		d := ((b.X-a.X)*(fy-a.Y) - (b.Y-a.Y)*(float64(x)-a.X)) / axis
		if math.Abs(d) < 0.3*f.ipd {
			return
		}
		side := 0
		if d > 0 {
			side = 1
		}
		sum[side] += l
		cnt[side]++
	})
	n := 0
	for _, c := range hist {
		n += c
	}
	if n == 0 {
		return
	}
	m.Brightness = all / float64(n)
	if cnt[0] > 0 && cnt[1] > 0 {
		l, r := sum[0]/cnt[0], sum[1]/cnt[1]
		m.IlluminationUniformity = math.Min(l, r) / math.Max(math.Max(l, r), 1)
	}
	for v, c := range hist {
		if c == 0 {
			continue
		}
		p := float64(c) / float64(n)
		m.DynamicRange -= p * math.Log2(p)
		if v <= 25 {
			m.UnderExposure += p
		}
		if v >= 247 {
			m.OverExposure += p
		}
	}
}

// sharpness: the inner face (outer eye corners across, brows to mouth
// down) averaged to 64 px between the eyes, so faces of every size are
// compared at one scale; its mean absolute Laplacian over its mean absolute
// gradient, which blur lowers and contrast does not change. OFIQ trains a
// random forest on such filter responses; this is one of them, unweighted.
func (f *face) sharpness() float64 {
	x0, x1 := f.p[36].X, f.p[45].X
	y0 := math.Min(f.p[19].Y, f.p[24].Y)
	y1 := f.p[57].Y
	k := 64 / f.ipd
	w, h := int((x1-x0)*k), int((y1-y0)*k)
	if w < 8 || h < 8 {
		return 0
	}
	g := make([]float64, w*h)
	for v := range h {
		for u := range w {
			// Box average of the source pixels under this one.
			sx0, sx1 := x0+float64(u)/k, x0+float64(u+1)/k
			sy0, sy1 := y0+float64(v)/k, y0+float64(v+1)/k
			var s float64
			var n int
			for y := max(0, int(sy0)); y <= min(f.img.H-1, int(math.Ceil(sy1))-1); y++ {
				for x := max(0, int(sx0)); x <= min(f.img.W-1, int(math.Ceil(sx1))-1); x++ {
					s += f.luma(x, y)
					n++
				}
			}
			if n > 0 {
				g[v*w+u] = s / float64(n)
			}
		}
	}
	// Second over first differences along rows, columns and both diagonals;
	// blur in one direction (a moving camera) lowers that direction's.
	sharp := math.Inf(1)
	for _, d := range [][2]int{{1, 0}, {0, 1}, {1, 1}, {1, -1}} {
		var second, first float64
		for v := 1; v < h-1; v++ {
			for u := 1; u < w-1; u++ {
				a, c, b := g[(v-d[1])*w+u-d[0]], g[v*w+u], g[(v+d[1])*w+u+d[0]]
				second += math.Abs(a + b - 2*c)
				first += math.Abs(b-a) / 2
			}
		}
		if first > 0 {
			sharp = math.Min(sharp, second/first)
		}
	}
	if math.IsInf(sharp, 1) {
		return 0
	}
	return sharp
}

// skinTone is the cheeks' colour: median luma and chromaticity, the
// median chromaticity distance from it, and the hue of their mean colour.
type skinTone struct{ y, cb, cr, spread, hue float64 }

// skin samples two patches, one on each cheek between the lower lid, the
// nose's base and the jaw, where hair, glasses and shadow rarely are.
func (f *face) skin() skinTone {
	var ys, cbs, crs []float64
	var rgb [3]float64
	half := 0.12 * f.ipd
	for _, tri := range [][3]int{{2, 31, 41}, {14, 35, 46}} {
		c := faces.Point{X: (f.p[tri[0]].X + f.p[tri[1]].X + f.p[tri[2]].X) / 3, Y: (f.p[tri[0]].Y + f.p[tri[1]].Y + f.p[tri[2]].Y) / 3}
		f.box(c, half, half, func(x, y int) {
			cb, cr := f.chroma(x, y)
			ys, cbs, crs = append(ys, f.luma(x, y)), append(cbs, cb), append(crs, cr)
			i := 3 * (y*f.img.W + x)
			for k := range rgb {
				rgb[k] += float64(f.img.Pix[i+k])
			}
		})
	}
	if len(ys) == 0 {
		return skinTone{y: 128}
	}
	s := skinTone{y: median(ys), cb: median(cbs), cr: median(crs)}
	var sat float64
	if s.hue, sat = hueSat(rgb[0], rgb[1], rgb[2]); sat < 0.08 {
		// Cheeks nearly grey (a desaturated or cool photo) have no hue to
		// speak of: take the middle of skin's and hair's reds and yellows.
		s.hue = 25
	}
	d := make([]float64, len(cbs))
	for i := range cbs {
		d[i] = math.Hypot(cbs[i]-s.cb, crs[i]-s.cr)
	}
	s.spread = median(d)
	return s
}

// lowerFace measures the face below the nose, lips left out:
//   - other: the share whose chroma is far from the cheeks' (a microphone, a
//     scarf, a hand in a glove) or that is much darker. A skin-coloured hand
//     is not seen, and a full dark beard counts as covering: OFIQ segments
//     the face with a trained network; this is a colour test.
//   - flat: the share that is off the cheeks' colour or darker than half
//     their luma, and smooth (see flatRough): an object's surface, where a
//     beard of the same colour shows its hairs.
//   - foreign: the share of a colour no skin or hair has: saturated, and of
//     a hue more than foreignHue from the cheeks' (skin, lips' edges and
//     every natural hair colour, grey and ginger beards too, lie within
//     red to yellow; a colour cast moves the cheeks' hue with them). A
//     blue, green or purple object is seen; a dark or red one only in other.
func (f *face) lowerFace(s skinTone) (other, foreign, flat float64) {
	lips := map[[2]int]bool{}
	f.fill(outerLips, func(x, y int) { lips[[2]int{x, y}] = true })
	limit := math.Max(0.08, 4*s.spread)
	var all, far, alien, smooth float64
	step := max(1, int(math.Round(f.ipd/flatStep)))
	f.fill(lowerFace, func(x, y int) {
		if lips[[2]int{x, y}] {
			return
		}
		l := f.luma(x, y)
		if l >= 235 { // washed out: no colour left to tell
			return
		}
		all++
		cb, cr := f.chroma(x, y)
		off := math.Hypot(cb-s.cb, cr-s.cr) > limit
		if l < 0.25*s.y || off {
			far++
		}
		if (off || l < flatDark*s.y) && f.roughness(x, y, step) < flatRough {
			smooth++
		}
		if l < 30 { // too dark for its hue to mean anything
			return
		}
		i := 3 * (y*f.img.W + x)
		h, sat := hueSat(float64(f.img.Pix[i]), float64(f.img.Pix[i+1]), float64(f.img.Pix[i+2]))
		if sat >= minForeignSat && hueApart(h, s.hue) > foreignHue {
			alien++
		}
	})
	if all == 0 {
		return 0, 0, 0
	}
	return far / all, alien / all, smooth / all
}

// A smooth cover: luma within flatRough levels, on average, of its four
// neighbours a twentieth of the eye distance away, off the cheeks' colour
// or darker than flatDark of their luma. On the 599 Congress portraits the
// detector finds (greyscale, 200×250, many beards) the share of such pixels
// below the nose reads 0–0.119; with a grey object shaded as a cylinder,
// with sensor noise, over their chins, a median of 0.196 and above 0.15 on
// 538 (TestEvalFlatCover). Finer or coarser steps, or a looser darkness,
// brought the two sets closer.
const (
	flatStep  = 20.0
	flatRough = 4.0
	flatDark  = 0.5
)

// roughness is the mean absolute luma difference between (x, y) and its
// four neighbours step px away.
func (f *face) roughness(x, y, step int) float64 {
	if x < step || y < step || x+step >= f.img.W || y+step >= f.img.H {
		return math.Inf(1)
	}
	l := f.luma(x, y)
	return (math.Abs(l-f.luma(x-step, y)) + math.Abs(l-f.luma(x+step, y)) + math.Abs(l-f.luma(x, y-step)) + math.Abs(l-f.luma(x, y+step))) / 4
}

// A colour foreign to a face: at least this saturated (HSV) and this many
// degrees of hue from the cheeks'.
const (
	minForeignSat = 0.25
	foreignHue    = 70.0
)

// hueSat is the HSV hue in degrees (0 red, 120 green, 240 blue) and
// saturation (0–1) of a colour.
func hueSat(r, g, b float64) (hue, sat float64) {
	hi, lo := math.Max(r, math.Max(g, b)), math.Min(r, math.Min(g, b))
	if hi <= 0 || hi == lo {
		return 0, 0
	}
	d := hi - lo
	switch hi {
	case r:
		hue = 60 * math.Mod((g-b)/d+6, 6)
	case g:
		hue = 60 * ((b-r)/d + 2)
	default:
		hue = 60 * ((r-g)/d + 4)
	}
	return hue, d / hi
}

// hueApart is the distance between two hues round the circle, 0–180.
func hueApart(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 360)
	return math.Min(d, 360-d)
}

// eyesVisible: around each eye (1.4 eye widths by 0.8), the spread of luma
// over the cheeks' luma; an open eye shows lid, white and iris, while a
// flat cover (a bar, dark lenses, a hand) shows little. The smaller eye's.
func (f *face) eyesVisible(s skinTone) float64 {
	out := math.Inf(1)
	for _, e := range [][2]int{{36, 39}, {42, 45}} {
		w := dist(f.p[e[0]], f.p[e[1]])
		c := f.mean(e[0], e[0]+6)
		var sum, sq, n float64
		f.box(c, 0.7*w, 0.4*w, func(x, y int) {
			l := f.luma(x, y)
			sum, sq, n = sum+l, sq+l*l, n+1
		})
		if n == 0 {
			return 0
		}
		mean := sum / n
		out = math.Min(out, math.Sqrt(math.Max(0, sq/n-mean*mean))/math.Max(s.y, 1))
	}
	return out
}

// glasses: between the inner eye corners (their middle three fifths), from
// the eye line up to the brows' inner ends, each column's strongest
// vertical step in luma; the median over the columns, over the cheeks'
// luma. A frame's bridge crosses every column at one height; the nose's
// own edges run up and down. Rimless glasses are not seen.
func (f *face) glasses(s skinTone) float64 {
	l, r := f.p[39], f.p[42]
	x0, x1 := l.X+0.2*(r.X-l.X), r.X-0.2*(r.X-l.X)
	yTop := math.Max(f.p[21].Y, f.p[22].Y) + 0.05*f.ipd
	yBot := (l.Y + r.Y) / 2
	if x1-x0 < 2 || yBot-yTop < 3 {
		return 0
	}
	var cols []float64
	for x := max(0, int(x0)); x <= min(f.img.W-1, int(x1)); x++ {
		best := 0.0
		for y := max(1, int(yTop)); y <= min(f.img.H-2, int(yBot)); y++ {
			best = math.Max(best, math.Abs(f.luma(x, y+1)-f.luma(x, y-1))/2)
		}
		cols = append(cols, best)
	}
	return median(cols) / math.Max(s.y, 1)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
