package integrity

import (
	"image"
	"math"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// A photo saved twice as JPEG on the same 8×8 grid keeps the first save's
// mark in its coefficients: a coefficient quantised first with a coarse
// step q1 and again with a finer step q2 can only take the values near
// multiples of q1, and the others stay empty (aligned double compression).
// A portrait pasted onto such a page and saved with it has no such past on
// the page's grid: its own earlier save, if any, sat on another grid (or
// was scaled), and its coefficients fill the gaps. The page outside the
// portrait tells the first steps; the portrait's share of coefficients in
// the gaps tells whether it went through them.

// pasteMaxK bounds the coefficient values (in steps of the last save)
// looked at: the low frequencies of a photo rarely go further.
const pasteMaxK = 48

// Paste is what PastedPortrait measured: how full the portrait and the
// page leave the gaps the page's first save made (at the frequencies where
// it shows), against how full a photo saved once would: 0 for the page's
// history, 1 for none of it.
type Paste struct {
	Inside, Outside float64
	// Frequencies is how many of the low frequencies show the page's first
	// save; 0: the page was saved once, or with the same steps twice, and
	// nothing can be told.
	Frequencies int
	// Counted are the portrait's non-zero coefficients judged.
	Counted int
}

// pasteFreqs are the low frequencies judged (index v*4+u in
// raster.Coefficients): every (u, v) with 1 ≤ u+v ≤ 3, where a portrait's
// coefficients are mostly not zero.
var pasteFreqs = func() []int {
	var out []int
	for v := 0; v < 4; v++ {
		for u := 0; u < 4; u++ {
			if s := u + v; s >= 1 && s <= 3 {
				out = append(out, v*4+u)
			}
		}
	}
	return out
}()

// firstStep is the coarser step of an earlier save found at one frequency:
// of the gaps between its multiples (in the last save's steps q2), the
// ones the page's histogram leaves emptiest compared with its own smoothed
// shape. It returns the step and how empty its gaps are (1: all empty, 0:
// as full as the neighbouring values), 0, 0 when no step shows.
func firstStep(hist []float64, q2 int) (int, float64) {
	var bestQ int
	var bestR float64
	for q1 := q2 + 1; q1 <= 8*q2 && q1 <= 255; q1++ {
		obs, exp, all := gapMass(hist, gapsOf(q1, q2), period(q1, q2))
		if all < 200 || exp < 0.15*all {
			continue // too few values, or gaps too few to tell
		}
		r := 1 - obs/exp
		if r > bestR+0.05 || r > bestR-0.05 && q1 > bestQ && r > 0.5 {
			bestQ, bestR = q1, max(r, bestR)
		}
	}
	return bestQ, bestR
}

// period is the odd number of values (in steps of q2) a smoothing window
// spans to cover one step q1.
func period(q1, q2 int) int { return int(math.Ceil(float64(q1)/float64(q2))) | 1 }

// gapMass is how many of hist's values lie in the gaps (obs), how many
// would lie there were hist as smooth as a photo saved once (exp: hist
// averaged over a period around each value), and how many there are.
func gapMass(hist []float64, gap []bool, w int) (obs, exp, all float64) {
	for k := 1; k <= pasteMaxK; k++ {
		var smooth float64
		for j := k - w/2; j <= k+w/2; j++ {
			if j >= 1 && j <= pasteMaxK {
				smooth += hist[j]
			}
		}
		all += hist[k]
		if gap[k] {
			obs += hist[k]
			exp += smooth / float64(w)
		}
	}
	return obs, exp, all
}

// gapsOf marks the values k (1..pasteMaxK, in steps of q2) that a
// coefficient first quantised with step q1 cannot take after the second
// quantisation: none of its multiples m·q1 lies within half a step (and a
// little for rounding in the pixels between the saves) of k·q2.
func gapsOf(q1, q2 int) []bool {
	gap := make([]bool, pasteMaxK+1)
	for k := 1; k <= pasteMaxK; k++ {
		v := float64(k * q2)
		m := math.Round(v / float64(q1))
		gap[k] = math.Abs(v-m*float64(q1)) > float64(q2)/2+0.6
	}
	return gap
}

// PastedPortrait measures, on a JPEG's luma coefficients, whether the
// portrait at face (pixels of the image) went through the page's earlier
// save. The page is every block at least half the face's size away from it.
func PastedPortrait(c *raster.Coefficients, face image.Rectangle) Paste {
	in := image.Rect((face.Min.X+7)/8, (face.Min.Y+7)/8, face.Max.X/8, face.Max.Y/8).Intersect(image.Rect(0, 0, c.W, c.H))
	g := face.Dx() / 2
	near := image.Rect((face.Min.X-g)/8, (face.Min.Y-g)/8, (face.Max.X+g+7)/8, (face.Max.Y+g+7)/8)
	var p Paste
	if in.Empty() {
		return p
	}
	page := func(bx, by int) bool { return !image.Pt(bx, by).In(near) }
	type judged struct {
		at  int
		gap []bool
		w   int // period
	}
	var freqs []judged
	for _, f := range pasteFreqs {
		q2 := int(c.Quant[f])
		if q2 == 0 || q2 > 32 {
			continue
		}
		if q1, r := firstStep(histogram(c, f, page), q2); q1 > 0 && r >= 0.6 {
			freqs = append(freqs, judged{f, gapsOf(q1, q2), period(q1, q2)})
		}
	}
	p.Frequencies = len(freqs)
	if len(freqs) == 0 {
		return p
	}
	// fill is how full a region leaves the gaps, against how full a
	// region saved once would (its own histograms smoothed): near 0 where
	// the page's first save shaped the coefficients, near 1 where it did
	// not; the share of gaps in a histogram (a third to two thirds, with
	// the two steps) is divided out.
	fill := func(keep func(bx, by int) bool) (float64, int) {
		var obs, exp float64
		var n int
		for _, f := range freqs {
			o, e, all := gapMass(histogram(c, f.at, keep), f.gap, f.w)
			obs, exp, n = obs+o, exp+e, n+int(all)
		}
		if exp == 0 {
			return 0, n
		}
		return obs / exp, n
	}
	p.Inside, p.Counted = fill(func(bx, by int) bool { return image.Pt(bx, by).In(in) })
	p.Outside, _ = fill(page)
	return p
}

// histogram counts the blocks kept by their coefficient's magnitude at
// frequency f (1..pasteMaxK; zeros say nothing of a step).
func histogram(c *raster.Coefficients, f int, keep func(bx, by int) bool) []float64 {
	hist := make([]float64, pasteMaxK+1)
	for by := 0; by < c.H; by++ {
		for bx := 0; bx < c.W; bx++ {
			if keep(bx, by) {
				if k := abs16(c.Block(bx, by)[f]); k >= 1 && k <= pasteMaxK {
					hist[k]++
				}
			}
		}
	}
	return hist
}

func abs16(v int16) int {
	if v < 0 {
		return -int(v)
	}
	return int(v)
}

// PasteLimit and PasteMargin: a portrait that fills the page's first-save
// gaps to at least PasteLimit of a photo saved once, and PasteMargin more
// than the page does, was not saved with the page. Set on 70 synthetic
// documents (seven photo conditions, first saved at 85) saved again at
// 90–95, where their first save shows: the honest re-saves' portraits
// read 0.02–0.52 (low light the highest: pixels clipped at black between
// the saves), faces pasted over them from a JPEG or a PNG 0.77–1.22
// (make eval-docs prints the rates).
const (
	PasteLimit  = 0.65
	PasteMargin = 0.35
)

// Suspected tells whether p says the portrait was pasted: the page shows
// its first save at two frequencies or more, the portrait has enough
// coefficients to judge, and they sit in its gaps.
func (p Paste) Suspected() bool {
	return p.Frequencies >= 2 && p.Counted >= 100 && p.Inside >= PasteLimit && p.Inside-p.Outside >= PasteMargin
}
