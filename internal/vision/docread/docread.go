// Package docread reads identity documents from photos: it finds and deskews
// the machine-readable zone, recognises it with Tesseract and the MRZ model,
// and parses it with package mrz; it also recognises plain printed text (proof
// of address). The parsing rules live in mrz; this package only sees pixels.
package docread

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/vision/mrz"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// ErrNoMRZ means no machine-readable zone could be read in the image.
var ErrNoMRZ = errors.New("no machine-readable zone found")

// ErrUnsupported means the image has an MRZ in a layout this reader does not
// know (not ICAO TD1, TD2, TD3 or a visa, nor the French card of 1988–2021):
// it is refused rather than parsed as something it is not.
var ErrUnsupported = errors.New("an MRZ in an unsupported layout")

// Reader reads documents. It is safe for concurrent use.
type Reader struct {
	mrzOCR  *ocrPool // the MRZ model
	mrzEng  *ocrPool // English, MRZ alphabet only: a second opinion
	textOCR *ocrPool
	now     func() time.Time
}

// Options configure a Reader.
type Options struct {
	ModelsDir   string // holds mrz.traineddata (make models)
	TessdataDir string // holds eng.traineddata; "" = Tesseract's default (Debian's package)
	TextLang    string // printed-text language, "eng" unless set
	Now         func() time.Time
}

// New makes a Reader; models load on first use.
func New(o Options) *Reader {
	raster.Start()
	if o.TextLang == "" {
		o.TextLang = "eng"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Reader{
		mrzOCR:  newOCRPool(4, newMRZClient(o.ModelsDir)),
		mrzEng:  newOCRPool(2, newMRZEngClient(o.TessdataDir)),
		textOCR: newOCRPool(2, newTextClient(o.TessdataDir, o.TextLang)),
		now:     o.Now,
	}
}

// Close frees the OCR engines.
func (r *Reader) Close() {
	r.mrzOCR.close()
	r.mrzEng.close()
	r.textOCR.close()
}

// MRZRead is what ReadMRZ found.
type MRZRead struct {
	*mrz.Result
	Raw     string  // the OCR text of the chosen region
	SkewDeg float64 // how far the document was turned (clockwise), after Quarter
	Quarter int     // quarter turns clockwise that brought the page upright
	// Flattened: read from the document's outline unwarped (a perspective).
	Flattened bool
	Region    image.Rectangle // in the deskewed working image
	Attempts  int             // regions recognised
}

// workSize is the least longer side a document is read at (a JPEG shrinks
// on load only while it keeps it): an MRZ character is then at least about
// 30 px tall when the document fills the photo.
const workSize = 1600

// findSize bounds the copy the skew and the MRZ's lines are found on: a
// text line there is still 10 px or more, and the search costs a quarter.
const findSize = 1000

// BestMRZ reads the MRZ of each side given (nil sides are skipped) and keeps
// the read with the fewest failed check digits, stopping at the first valid
// one: ID cards carry it on the back, passports on the front. Without a read,
// the error is ErrUnsupported when a side had an MRZ of an unknown layout,
// else ErrNoMRZ.
func (r *Reader) BestMRZ(ctx context.Context, sides ...[]byte) (*MRZRead, error) {
	var best *MRZRead
	miss := ErrNoMRZ
	for _, img := range sides {
		if img == nil {
			continue
		}
		m, err := r.ReadMRZ(ctx, img)
		if errors.Is(err, ErrUnsupported) {
			miss = err
		}
		if err != nil {
			continue // not found on this side (or unreadable): try the next
		}
		if best == nil || len(m.FailedChecks) < len(best.FailedChecks) {
			best = m
		}
		if m.Valid() {
			break
		}
	}
	if best == nil {
		return nil, miss
	}
	return best, nil
}

// ReadMRZ finds, recognises and parses the MRZ of a document photo. It
// returns ErrNoMRZ when nothing MRZ-shaped parses, ErrUnsupported for an MRZ
// of an unknown layout; a parsed MRZ with failed check digits is returned as
// read (the caller decides what that means).
//
// The photo is decoded once. The skew and the MRZ's lines are found on a
// copy at most 1000 px long; only the band that OCR reads is cut from the
// photo's own pixels, levelled and scaled in one pass. OCR is most of the
// time, and it grows with the band's width.
//
// Until a read is valid, it looks again with a stricter ink threshold (a
// patterned or noisy background turns every row into "text" at the first),
// and finally combines the lines of every reading: one reading's first line
// with another's second, each checked by the check digits.
func (r *Reader) ReadMRZ(ctx context.Context, img []byte) (*MRZRead, error) {
	g, err := decodeGray(ctx, img, workSize)
	if err != nil {
		return nil, err
	}
	small, f := downscale(g, findSize)
	var searches []*search
	// A document photographed at an angle is flattened first: its outline,
	// when its edges show one, is a perspective's quad. The photo as it is
	// comes after, in case the outline was something else.
	if q, ok := findQuad(small); ok && q.foreshortened() {
		flat := unwarp(g, q.scaled(float64(f)))
		flatSmall, ff := downscale(flat, findSize)
		searches = append(searches, r.views(flat, flatSmall, ff, true)...)
	}
	searches = append(searches, r.views(g, small, f, false)...)
	best := func() *MRZRead {
		var b *MRZRead
		for _, s := range searches {
			if s.best != nil && (b == nil || len(s.best.FailedChecks) < len(b.FailedChecks)) {
				b = s.best
			}
		}
		return b
	}
	for _, margin := range inkMargins {
		for _, s := range searches {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := s.pass(margin); err != nil {
				return nil, err
			}
			if s.best != nil && s.best.Valid() {
				return s.best, nil
			}
		}
	}
	mrzLike := false
	for _, s := range searches {
		s.combine()
		mrzLike = mrzLike || s.mrzLike
	}
	switch b := best(); {
	case b != nil:
		return b, nil
	case mrzLike:
		return nil, ErrUnsupported
	}
	return nil, ErrNoMRZ
}

// views are the searches of one image: as its text lines run, then upside
// down (both have level lines, and only OCR can tell them apart).
func (r *Reader) views(g, small *image.Gray, f int, flattened bool) []*search {
	quarter, skew := orientation(small)
	var out []*search
	for _, q := range []int{quarter, (quarter + 2) % 4} {
		s := &search{r: r, now: r.now(), tried: map[image.Rectangle]bool{}, skew: skew, quarter: q, flattened: flattened,
			g: g, small: small, f: f}
		if q != 0 {
			// Shrunk again, not turned: the small copy's pixels must stay
			// whole blocks of the photo's for the band cut from both.
			s.g = quarterTurn(g, q)
			s.small, s.f = downscale(s.g, findSize)
		}
		s.level = s.small
		if s.skew != 0 {
			s.level = rotateGray(s.small, -s.skew)
		}
		out = append(out, s)
	}
	return out
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

// read recognises one region until a reading is valid: with the MRZ model;
// with the general English model restricted to the MRZ alphabet (the two err
// differently: a stamp over a line, a glyph the MRZ model never saw); and
// with the MRZ model on the band's contrast equalised (glare, a shadow). The
// check digits judge between the readings.
func (s *search) read(reg image.Rectangle, lineH int) error {
	// A text line about 36 px tall: Tesseract's sweet spot.
	scale := math.Max(0.25, math.Min(3, 36/float64(lineH*s.f)))
	band := levelledBand(s.g, -s.skew, s.f, s.small.Rect.Size(), reg, scale)
	plain := pgm(band)
	readings := []struct {
		ocr  *ocrPool
		band func() []byte
	}{
		{s.r.mrzOCR, func() []byte { return plain }},
		{s.r.mrzEng, func() []byte { return plain }},
		{s.r.mrzOCR, func() []byte { return pgm(equalized(band)) }},
	}
	for _, rd := range readings {
		b := rd.band()
		text, err := rd.ocr.text(b)
		if err != nil {
			return err
		}
		s.attempts++
		if debugBands != nil {
			debugBands(b, text)
		}
		if s.consider(text, reg) {
			return nil
		}
	}
	return nil
}

// debugBands, when set (in a test), sees every band and its reading.
var debugBands func(band []byte, text string)

// consider parses one reading and keeps it when it is the best yet. It
// tells whether the reading is valid.
func (s *search) consider(text string, reg image.Rectangle) bool {
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
	if s.best == nil || len(res.FailedChecks) < len(s.best.FailedChecks) {
		s.best = &MRZRead{Result: res, Raw: text, SkewDeg: s.skew, Quarter: s.quarter, Flattened: s.flattened, Region: full, Attempts: s.attempts}
	}
	return res.Valid()
}

// combineReadings tries the MRZ lines of several readings together: a line
// one reading got right with another's. Only the check digits and the
// composite can make such a pair win.
func combineReadings(texts []string, now time.Time) *mrz.Result {
	var rows []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, l := range mrzRows(t) {
			if !seen[l] {
				seen[l] = true
				rows = append(rows, l)
			}
		}
	}
	if len(rows) < 2 || len(rows) > 16 {
		return nil
	}
	var best *mrz.Result
	for i, a := range rows {
		for j, b := range rows {
			if i == j {
				continue
			}
			res := parseBest(a+"\n"+b, now)
			if res == nil || implausible(res) || noCheckHolds(res) {
				continue
			}
			if best == nil || len(res.FailedChecks) < len(best.FailedChecks) {
				best = res
			}
			if res.Valid() {
				return best
			}
		}
	}
	return best
}

// noCheckHolds: the number and both dates fail their check digits. A pair
// of lines from different readings must earn its place by a check.
func noCheckHolds(r *mrz.Result) bool {
	failed := func(c string) bool { return slices.Contains(r.FailedChecks, c) }
	return failed("document_number") && failed("birth_date") && failed("expiry_date")
}

// mrzBlock tells whether OCR text has two or more lines that look like an
// MRZ's: 28 characters or more of its alphabet, with a run of fillers.
func mrzBlock(text string) bool {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		l = strings.ReplaceAll(strings.TrimSpace(l), " ", "")
		if len(l) >= 28 && strings.Contains(l, "<<") && strings.Trim(l, mrzAlphabet) == "" {
			n++
		}
	}
	return n >= 2
}

// implausible tells a parse that cannot be this layout: the document number,
// the birth date and the composite all fail and the birth date is no date.
// Such text is an MRZ of another layout, not a misread one.
func implausible(r *mrz.Result) bool {
	failed := func(c string) bool { return slices.Contains(r.FailedChecks, c) }
	return r.BirthDate == "" && failed("birth_date") && failed("document_number") && (failed("composite") || r.Format == mrz.MRVA || r.Format == mrz.MRVB)
}

func median(v []int) int {
	c := slices.Clone(v)
	slices.Sort(c)
	return c[len(c)/2]
}

// formats are the MRZ shapes: lines × characters.
var formats = []struct{ lines, chars int }{{3, 30}, {2, 44}, {2, 36}}

// parseBest turns OCR text into MRZ lines and parses them. OCR often miscounts
// runs of fillers, so each line of the wrong length is also tried with its
// filler runs stretched or shrunk; only the check digits can confirm such a
// repair, and the parse with the fewest failed checks wins.
func parseBest(text string, now time.Time) *mrz.Result {
	rows := mrzRows(text)
	var best *mrz.Result
	for _, f := range formats {
		if len(rows) < f.lines {
			continue
		}
		// The MRZ is the last block of the text.
		block := rows[len(rows)-f.lines:]
		ok := true
		for _, l := range block {
			if d := len(l) - f.chars; d < -6 || d > 6 {
				ok = false
			}
		}
		if !ok {
			continue
		}
		variants := make([][]string, len(block))
		for i, l := range block {
			variants[i] = fitLength(l, f.chars)
		}
		for _, combo := range product(variants, 64) {
			res, err := mrz.Parse(strings.Join(combo, "\n"), mrz.Options{Now: now})
			if err != nil {
				continue
			}
			if best == nil || len(res.FailedChecks) < len(best.FailedChecks) {
				best = res
			}
			if res.Valid() {
				return best
			}
		}
	}
	return best
}

// mrzRows are the lines of OCR text that may be MRZ lines: the MRZ
// alphabet only, 20 characters or more.
func mrzRows(text string) []string {
	var rows []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.Map(func(r rune) rune {
			if strings.ContainsRune(mrzAlphabet, r) {
				return r
			}
			return -1
		}, strings.ToUpper(l))
		if len(l) >= 20 {
			rows = append(rows, l)
		}
	}
	return rows
}

// fitLength proposes versions of line with exactly n characters: cut or
// padded at the end, cut at the start (a mark left of the zone read as a
// character), or with one run of fillers made longer or shorter.
func fitLength(line string, n int) []string {
	if len(line) == n {
		return []string{line}
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if len(s) == n && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	d := n - len(line)
	if d > 0 {
		add(line + strings.Repeat("<", d))
	} else {
		add(line[:n])
		add(line[-d:])
	}
	for i := 0; i < len(line); {
		if line[i] != '<' {
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] == '<' {
			j++
		}
		if d > 0 {
			add(line[:j] + strings.Repeat("<", d) + line[j:])
		} else if j-i >= -d {
			add(line[:i] + line[i-d:])
		}
		i = j
	}
	return out
}

// product lists combinations of one variant per line, at most limit.
func product(variants [][]string, limit int) [][]string {
	out := [][]string{{}}
	for _, vs := range variants {
		var next [][]string
		for _, prefix := range out {
			for _, v := range vs {
				if len(next) >= limit {
					break
				}
				next = append(next, append(append([]string(nil), prefix...), v))
			}
		}
		out = next
	}
	return out
}

// Text recognises the printed text of a page image (JPEG or PNG) with the
// text model, the page turned upright first when it was photographed askew.
func (r *Reader) Text(ctx context.Context, img []byte) (string, error) {
	small, err := loadGray(ctx, img, 800, 0)
	if err != nil {
		return "", err
	}
	sw, sh := small.Rect.Dx(), small.Rect.Dy()
	skew := skewDegrees(inkMap(small, max(15, sw/40), 10), sw, sh, 15)
	g, err := loadGray(ctx, img, 2400, -skew)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	_ = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, g)
	return r.textOCR.text(buf.Bytes())
}
