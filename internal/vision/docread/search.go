package docread

import (
	"image"
	"math"
	"strings"
	"time"
)

// views are the searches of one image: as its text lines run, then upside
// down (both have level lines, and only OCR can tell them apart).
func (r *Reader) views(g, small *image.Gray, f int, flattened bool) []*search {
	quarter, skew := orientation(small)
	var out []*search
	for _, q := range []int{quarter, (quarter + 2) % 4} {
		out = append(out, &search{r: r, now: r.now(), tried: map[image.Rectangle]bool{}, skew: skew, quarter: q, flattened: flattened,
			g: g, small: small, f: f})
	}
	return out
}

// ready turns and levels the view's copies on its first pass: most pages
// are read in their first view, and the upside-down one is never made.
func (s *search) ready() {
	if s.level != nil {
		return
	}
	if s.quarter != 0 {
		// Shrunk again, not turned: the small copy's pixels must stay
		// whole blocks of the photo's for the band cut from both.
		s.g = quarterTurn(s.g, s.quarter)
		s.small, s.f = downscale(s.g, findSize)
	}
	s.level = s.small
	if s.skew != 0 {
		s.level = rotateGray(s.small, -s.skew)
	}
}

// orientation tells how many quarter turns clockwise bring a page's text
// lines near level (0 or 1: upside down is left to OCR), and their
// remaining skew in degrees. The ink map of a quarter-turned page is the
// turned ink map (its window is square), so one map serves both.
func orientation(small *image.Gray) (quarter int, skew float64) {
	sw, sh := small.Rect.Dx(), small.Rect.Dy()
	ink := inkMap(small, max(15, sw/40), 10)
	d0, s0 := skewScore(ink, sw, sh, maxSkew)
	turned := make([]bool, len(ink))
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			turned[x*sh+(sh-1-y)] = ink[y*sw+x] // (x, y) → (sh-1-y, x): a clockwise quarter
		}
	}
	d1, s1 := skewScore(turned, sh, sw, maxSkew)
	if s1 > s0*1.2 { // a page's own lines win unless the turned ones are clearly sharper
		return 1, d1
	}
	return 0, d0
}

// maxSkew is the largest skew looked for: a document photographed at an
// angle, up to a quarter turn's half.
const maxSkew = 45

// combine pairs the lines of every reading, where no single one is valid.
func (s *search) combine() {
	if s.best != nil && s.best.Valid() {
		return
	}
	if res := combineReadings(s.texts, s.now); res != nil && (s.best == nil || len(res.FailedChecks) < len(s.best.FailedChecks)) {
		s.best = &MRZRead{Result: res, Raw: strings.Join(s.texts, "\n--\n"), SkewDeg: s.skew, Quarter: s.quarter, Flattened: s.flattened, Attempts: s.attempts}
	}
}

// inkMargins are the ink thresholds tried in turn: how much darker than its
// neighbourhood a pixel must be to count as ink.
var inkMargins = []float64{12, 30, 45}

// search is one photo's MRZ search: what is tried and the best read so far.
type search struct {
	r        *Reader
	g, small *image.Gray
	level    *image.Gray // small, levelled
	f        int         // small is g shrunk by f
	skew     float64
	quarter  int // quarter turns clockwise applied to the photo
	// flattened: g is the document's outline unwarped, not the photo.
	flattened bool
	now       time.Time
	tried     map[image.Rectangle]bool
	texts     []string // every reading's OCR text
	best      *MRZRead
	mrzLike   bool // an MRZ of an unknown layout was seen
	attempts  int
}

// pass finds candidate regions with one ink threshold and reads those not
// read before, stopping at a valid read.
func (s *search) pass(margin float64) error {
	s.ready()
	sw, sh := s.small.Rect.Dx(), s.small.Rect.Dy()
	ink := inkMap(s.level, max(15, sw/40), margin)
	lines := textLines(ink, sw, sh, 14)
	regions := mrzCandidates(lines, sw, sh)
	for i, reg := range regions {
		regions[i] = textColumns(ink, sw, reg, medianHeight(lines, reg))
	}
	// Last resort: the bottom half of the document, where the MRZ always is.
	regions = append(regions, image.Rect(0, sh/2, sw, sh))
	for i, reg := range regions {
		if i >= 5 {
			break
		}
		if s.tried[reg] {
			continue
		}
		s.tried[reg] = true
		if err := s.read(reg, lineHeight(lines, reg, sw)); err != nil {
			return err
		}
		if s.best != nil && s.best.Valid() {
			return nil
		}
	}
	return nil
}

// lineHeight is the MRZ's line height in a region: the median of its text
// lines, or, where those are no text (one band the height of the region),
// what 44 characters across the page make.
func lineHeight(lines []textLine, reg image.Rectangle, width int) int {
	h := medianHeight(lines, reg)
	if h <= 0 || h > reg.Dy()/2 {
		return max(4, width*13/10/44)
	}
	return h
}

// read recognises one region until a reading is sure (see consider): with the MRZ model;
// with the general English model restricted to the MRZ alphabet (the two err
// differently: a stamp over a line, a glyph the MRZ model never saw); and
// with the MRZ model on the band's contrast equalised (glare, a shadow). The
// check digits judge between the readings.
func (s *search) read(reg image.Rectangle, lineH int) error {
	// A text line about 36 px tall: Tesseract's sweet spot.
	scale := math.Max(0.25, math.Min(3, 36/float64(lineH*s.f)))
	band := levelledBand(s.g, -s.skew, s.f, s.small.Rect.Size(), reg, scale)
	plain := storedPNG(band)
	readings := []struct {
		ocr  *ocrPool
		band func() []byte
	}{
		{s.r.mrzOCR, func() []byte { return plain }},
		{s.r.mrzEng, func() []byte { return plain }},
		{s.r.mrzOCR, func() []byte { return storedPNG(equalized(band)) }},
	}
	var first string // the MRZ model's reading of the plain band
	for i, rd := range readings {
		if rd.ocr == s.r.mrzEng && s.best != nil && s.best.Valid() {
			// A valid reading read in pieces is read again for its names,
			// but not by the English model: it takes fillers for K's.
			continue
		}
		b := rd.band()
		text, err := rd.ocr.text(b)
		if err != nil {
			return err
		}
		if i == 0 {
			first = text
		}
		if rd.ocr == s.r.mrzEng {
			text = fillersFrom(text, first)
		}
		s.attempts++
		if s.consider(text, reg, lineH, b) {
			return nil
		}
	}
	return nil
}

// above is the cut of the page above region reg (the MRZ, whose lines are
// mrzLineH px tall in the small copy), for the visual zone, and the scale
// it was cut at (above 1: enlarged from fewer pixels). sameSide: the zone is
// on the MRZ's side of the document, just above it (all but a TD1 card,
// whose zone is on its front: beside or above the back when both are in
// the picture), so what lies beyond the document is painted out.
func (s *search) above(reg image.Rectangle, mrzLineH int) func(lineH int, sameSide bool) (*image.Gray, float64) {
	return func(lineH int, sameSide bool) (*image.Gray, float64) {
		top := image.Rect(0, 0, s.small.Rect.Dx(), reg.Min.Y)
		if top.Dy() < 4 {
			return nil, 0
		}
		// Printed fields are about two thirds of an MRZ line's height.
		scale := math.Max(0.2, math.Min(3, float64(lineH)/(float64(mrzLineH*s.f)*2/3)))
		page := levelledBand(s.g, -s.skew, s.f, s.small.Rect.Size(), top, scale)
		if sameSide {
			paperOutside(page, reg, float64(s.f)*scale)
		}
		return page, scale
	}
}

// paperOutside paints the zone beyond the document the colour of its
// paper: the document is about as wide as its MRZ (reg, in the small
// copy's pixels, k zone pixels each) and at most three quarters of that
// tall above it (a TD3 page's zone is 0.63 of it, a TD2's 0.66). What lies
// beyond is the table or the hand the document lies on, whose darkness
// sets Tesseract's global threshold against the print: a dim photo's zone
// read as nothing. The zone keeps its size, so the page's layout is read
// as before (a zone cut to the document instead split names in two).
func paperOutside(page *image.Gray, reg image.Rectangle, k float64) {
	w := reg.Dx()
	keep := image.Rect(int(float64(reg.Min.X-w/12)*k), int(float64(reg.Min.Y-w*3/4)*k),
		int(float64(reg.Max.X+w/12)*k), page.Rect.Max.Y).Intersect(page.Rect)
	if keep.Empty() || keep == page.Rect {
		return
	}
	var hist [256]int
	n := 0
	for y := keep.Min.Y; y < keep.Max.Y; y += 3 {
		for x := keep.Min.X; x < keep.Max.X; x += 3 {
			hist[page.Pix[y*page.Stride+x]]++
			n++
		}
	}
	paper, seen := uint8(0), 0
	for v, c := range hist {
		if seen += c; seen >= n/2 {
			paper = uint8(v)
			break
		}
	}
	for y := page.Rect.Min.Y; y < page.Rect.Max.Y; y++ {
		row := page.Pix[y*page.Stride : y*page.Stride+page.Rect.Dx()]
		for x := range row {
			if !image.Pt(x, y).In(keep) {
				row[x] = paper
			}
		}
	}
}

// consider parses one reading and keeps it when it is the best yet: the
// fewest failed checks, then the fewest split rows. It tells whether the
// best is sure: valid, and no row split.
func (s *search) consider(text string, reg image.Rectangle, lineH int, band []byte) bool {
	if !strings.Contains(text, "<<") {
		// Every MRZ has a run of fillers (after the names if nowhere else);
		// text without one is not an MRZ, however it parses: upside-down
		// lines come out as such junk.
		return false
	}
	s.texts = append(s.texts, text)
	res := parseBest(text, s.now)
	if res != nil && implausible(res) && mrzBlock(text) {
		// An MRZ's lines that parse as no field of the layout their length
		// suggests: another layout, not a misread one.
		s.mrzLike = true
		return false
	}
	if res == nil {
		return false
	}
	full := image.Rect(reg.Min.X*s.f, reg.Min.Y*s.f, reg.Max.X*s.f, reg.Max.Y*s.f)
	split := splitRows(text)
	if s.best == nil || len(res.FailedChecks) < len(s.best.FailedChecks) ||
		len(res.FailedChecks) == len(s.best.FailedChecks) && split < s.best.split {
		s.best = &MRZRead{Result: res, Raw: text, SkewDeg: s.skew, Quarter: s.quarter, Flattened: s.flattened, Region: full, Attempts: s.attempts,
			above: s.above(reg, lineH), band: band, split: split}
	}
	return s.best.Valid() && s.best.split == 0
}

// fillersFrom puts back the fillers the English model read as K: where the
// MRZ model's reading of the same band (mrzText) has a filler at the same
// place of the same row, a K in text becomes one. The two must have found
// as many rows; the check digits then judge the result as any reading.
func fillersFrom(text, mrzText string) string {
	lines, ref := strings.Split(text, "\n"), mrzRows(mrzText)
	var rows []int // the lines of text that are MRZ rows
	for i, l := range lines {
		if len(mrzRows(l)) == 1 {
			rows = append(rows, i)
		}
	}
	if len(rows) != len(ref) {
		return text
	}
	for k, i := range rows {
		row, want := []byte(mrzRows(lines[i])[0]), ref[k]
		changed := false
		for j := range min(len(row), len(want)) {
			if row[j] == 'K' && want[j] == '<' {
				row[j], changed = '<', true
			}
		}
		if changed {
			lines[i] = string(row)
		}
	}
	return strings.Join(lines, "\n")
}

// splitRows counts the MRZ rows that OCR read in pieces. A row has no
// spaces, so a split says that glyphs between were too faint or broken to
// join (glare, a shadow): a name there may be misread though every check
// digit holds, and names have none.
func splitRows(text string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if len(mrzRows(l)) == 1 && strings.Contains(strings.TrimSpace(l), " ") {
			n++
		}
	}
	return n
}
