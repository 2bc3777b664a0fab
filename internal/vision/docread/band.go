package docread

import (
	"image"
	"sort"
)

// textLine is a horizontal band of rows that look like printed text.
type textLine struct {
	top, bottom int // rows, bottom exclusive
	left, right int // columns with ink transitions
}

func (l textLine) height() int { return l.bottom - l.top }

// textLines finds bands of rows crossed by many ink edges. A row of MRZ text
// (30–44 characters) has well over minEdges white-to-ink transitions.
func textLines(ink []bool, w, h, minEdges int) []textLine {
	edges := make([]int, h)
	for y := 0; y < h; y++ {
		row := ink[y*w : (y+1)*w]
		for x := 1; x < w; x++ {
			if row[x] && !row[x-1] {
				edges[y]++
			}
		}
	}
	var lines []textLine
	in := false
	gap := 0
	var cur textLine
	for y := 0; y <= h; y++ {
		texty := y < h && edges[y] >= minEdges
		switch {
		case texty && !in:
			in, gap, cur = true, 0, textLine{top: y}
		case texty:
			gap = 0
		case in:
			gap++
			if gap > 1 || y == h { // one quiet row may split a line (thin strokes)
				cur.bottom = y - gap + 1
				lines = append(lines, cur)
				in = false
			}
		}
	}
	// Horizontal extent: the columns where the band's ink starts and ends,
	// ignoring isolated specks (a column counts with ink in 15% of the band's rows).
	out := lines[:0]
	for _, l := range lines {
		if l.height() < 4 {
			continue
		}
		l.left, l.right = -1, -1
		need := max(1, l.height()*15/100)
		for x := 0; x < w; x++ {
			n := 0
			for y := l.top; y < l.bottom; y++ {
				if ink[y*w+x] {
					n++
				}
			}
			if n >= need {
				if l.left < 0 {
					l.left = x
				}
				l.right = x + 1
			}
		}
		if l.left >= 0 {
			out = append(out, l)
		}
	}
	return out
}

// mrzCandidates returns regions that may hold an MRZ: groups of two or three
// wide, evenly spaced lines of similar height, the lowest groups first (the
// MRZ is at the bottom of a page or card).
func mrzCandidates(lines []textLine, w, h int) []image.Rectangle {
	minWidth := w * 30 / 100
	var wide []textLine
	for _, l := range lines {
		if l.right-l.left >= minWidth && l.height() <= h/8 {
			wide = append(wide, l)
		}
	}
	var out []image.Rectangle
	for end := len(wide) - 1; end >= 1; end-- {
		for n := 3; n >= 2; n-- {
			start := end - n + 1
			if start < 0 {
				continue
			}
			group := wide[start : end+1]
			if !similar(group) {
				continue
			}
			r := image.Rect(group[0].left, group[0].top, group[0].right, group[len(group)-1].bottom)
			for _, l := range group[1:] {
				r.Min.X, r.Max.X = min(r.Min.X, l.left), max(r.Max.X, l.right)
			}
			lh := group[0].height()
			r = image.Rect(r.Min.X-lh, r.Min.Y-lh*2/3, r.Max.X+lh, r.Max.Y+lh*2/3).Intersect(image.Rect(0, 0, w, h))
			out = append(out, r)
		}
	}
	// A single wide line may be an MRZ whose neighbour was merged or missed:
	// the lowest lines with room for two more above make a last resort.
	if len(out) == 0 && len(wide) > 0 {
		l := wide[len(wide)-1]
		lh := l.height()
		out = append(out, image.Rect(l.left-lh, l.top-lh*5, l.right+lh, l.bottom+lh).Intersect(image.Rect(0, 0, w, h)))
	}
	return out
}

// similar: heights within a factor 1.6 of each other, gaps under 2.5 heights,
// and left edges aligned (an MRZ is a left-aligned block).
func similar(group []textLine) bool {
	hs := make([]int, len(group))
	for i, l := range group {
		hs[i] = l.height()
	}
	sort.Ints(hs)
	if float64(hs[len(hs)-1]) > 1.6*float64(hs[0]) {
		return false
	}
	for i := 1; i < len(group); i++ {
		if group[i].top-group[i-1].bottom > hs[len(hs)-1]*5/2 {
			return false
		}
		if d := group[i].left - group[0].left; d > 3*hs[0] || d < -3*hs[0] {
			return false
		}
	}
	return true
}

// medianHeight is the median height of the lines whose middle lies in reg,
// 0 when none does.
func medianHeight(lines []textLine, reg image.Rectangle) int {
	var hs []int
	for _, l := range lines {
		if mid := (l.top + l.bottom) / 2; mid >= reg.Min.Y && mid < reg.Max.Y {
			hs = append(hs, l.height())
		}
	}
	if len(hs) == 0 {
		return 0
	}
	return median(hs)
}

// textColumns narrows reg to its widest run of inked columns (gaps under two
// line heights), plus a line height each side. A document's edge or a
// neighbouring field beside the MRZ would otherwise widen the band that OCR
// must read, which costs time in proportion.
func textColumns(ink []bool, w int, reg image.Rectangle, lineH int) image.Rectangle {
	if lineH <= 0 {
		return reg
	}
	need := max(1, reg.Dy()*15/100)
	bestL, bestR := -1, -1
	runL, lastInk := -1, -1
	for x := reg.Min.X; x <= reg.Max.X; x++ {
		inked := false
		if x < reg.Max.X {
			n := 0
			for y := reg.Min.Y; y < reg.Max.Y && n < need; y++ {
				if ink[y*w+x] {
					n++
				}
			}
			inked = n >= need
		}
		if inked {
			if runL < 0 || x-lastInk > 2*lineH {
				runL = x
			}
			lastInk = x
			if lastInk-runL > bestR-bestL {
				bestL, bestR = runL, lastInk
			}
		}
	}
	if bestL < 0 {
		return reg
	}
	return image.Rect(max(reg.Min.X, bestL-lineH), reg.Min.Y, min(reg.Max.X, bestR+1+lineH), reg.Max.Y)
}
