// Package docread reads identity documents from photos: it finds and deskews
// the machine-readable zone, recognises it with Tesseract and the MRZ model,
// and parses it with package mrz; it also recognises plain printed text (proof
// of address). The parsing rules live in mrz; this package only sees pixels.
package docread

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"math"
	"slices"
	"strings"
	"time"

	xdraw "golang.org/x/image/draw"

	"github.com/veridoc/veridoc/imaging"
	"github.com/veridoc/veridoc/mrz"
)

// ErrNoMRZ means no machine-readable zone could be read in the image.
var ErrNoMRZ = errors.New("no machine-readable zone found")

// Reader reads documents. It is safe for concurrent use.
type Reader struct {
	mrzOCR  *ocrPool
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
	imaging.Start()
	if o.TextLang == "" {
		o.TextLang = "eng"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Reader{
		mrzOCR:  newOCRPool(4, newMRZClient(o.ModelsDir)),
		textOCR: newOCRPool(2, newTextClient(o.TessdataDir, o.TextLang)),
		now:     o.Now,
	}
}

// Close frees the OCR engines.
func (r *Reader) Close() {
	r.mrzOCR.close()
	r.textOCR.close()
}

// MRZRead is what ReadMRZ found.
type MRZRead struct {
	*mrz.Result
	Lines    []string        // the MRZ as parsed (after length repairs)
	Raw      string          // the OCR text of the chosen region
	SkewDeg  float64         // how far the document was turned (clockwise)
	Region   image.Rectangle // in the deskewed working image
	Attempts int             // regions recognised
}

// workSize is the longest side the document is read at: an MRZ character
// is then about 30 px tall when the document fills the photo.
const workSize = 1600

// BestMRZ reads the MRZ of each side given (nil sides are skipped) and keeps
// the read with the fewest failed check digits, stopping at the first valid
// one: ID cards carry it on the back, passports on the front. Nil when no
// side has a readable MRZ.
func (r *Reader) BestMRZ(sides ...[]byte) *MRZRead {
	var best *MRZRead
	for _, img := range sides {
		if img == nil {
			continue
		}
		m, err := r.ReadMRZ(img)
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
	return best
}

// ReadMRZ finds, recognises and parses the MRZ of a document photo. It
// returns ErrNoMRZ when nothing MRZ-shaped parses; a parsed MRZ with failed
// check digits is returned as read (the caller decides what that means).
func (r *Reader) ReadMRZ(img []byte) (*MRZRead, error) {
	small, err := loadGray(img, 800, 0)
	if err != nil {
		return nil, err
	}
	sw, sh := small.Rect.Dx(), small.Rect.Dy()
	skew := skewDegrees(inkMap(small, max(15, sw/40), 10), sw, sh, 20)
	g, err := loadGray(img, workSize, -skew)
	if err != nil {
		return nil, err
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	ink := inkMap(g, max(25, w/40), 12)
	regions := mrzCandidates(textLines(ink, w, h, 14), w, h)
	// Last resort: the bottom half of the document, where the MRZ always is.
	regions = append(regions, image.Rect(0, h/2, w, h))

	var best *MRZRead
	for i, reg := range regions {
		if i >= 5 {
			break
		}
		text, err := r.mrzOCR.text(cropPNG(g, reg))
		if err != nil {
			return nil, err
		}
		res, lines := parseBest(text, r.now())
		if res == nil {
			continue
		}
		read := &MRZRead{Result: res, Lines: lines, Raw: text, SkewDeg: skew, Region: reg, Attempts: i + 1}
		if best == nil || len(res.FailedChecks) < len(best.FailedChecks) {
			best = read
		}
		if res.Valid() {
			break
		}
	}
	if best == nil {
		return nil, ErrNoMRZ
	}
	return best, nil
}

// cropPNG cuts reg out of g, scaled so a text line is about 36 px tall
// (Tesseract's sweet spot), as PNG.
func cropPNG(g *image.Gray, reg image.Rectangle) []byte {
	sub := g.SubImage(reg).(*image.Gray)
	lines := textLines(inkMap(sub, max(25, reg.Dx()/40), 12), reg.Dx(), reg.Dy(), 14)
	scale := 1.0
	if len(lines) > 0 {
		hs := make([]int, len(lines))
		for i, l := range lines {
			hs[i] = l.height()
		}
		med := float64(median(hs))
		scale = math.Max(0.5, math.Min(3, 36/med))
	}
	var out image.Image = sub
	if math.Abs(scale-1) > 0.1 {
		dst := image.NewGray(image.Rect(0, 0, int(float64(reg.Dx())*scale), int(float64(reg.Dy())*scale)))
		xdraw.CatmullRom.Scale(dst, dst.Rect, sub, sub.Rect, xdraw.Src, nil)
		out = dst
	}
	var buf bytes.Buffer
	_ = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, out)
	return buf.Bytes()
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
func parseBest(text string, now time.Time) (*mrz.Result, []string) {
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
	var best *mrz.Result
	var bestLines []string
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
				best, bestLines = res, combo
			}
			if res.Valid() {
				return best, bestLines
			}
		}
	}
	return best, bestLines
}

// fitLength proposes versions of line with exactly n characters: cut or
// padded at the end, or with one run of fillers made longer or shorter.
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
func (r *Reader) Text(img []byte) (string, error) {
	small, err := loadGray(img, 800, 0)
	if err != nil {
		return "", err
	}
	sw, sh := small.Rect.Dx(), small.Rect.Dy()
	skew := skewDegrees(inkMap(small, max(15, sw/40), 10), sw, sh, 15)
	g, err := loadGray(img, 2400, -skew)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	_ = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, g)
	return r.textOCR.text(buf.Bytes())
}
