package docread

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/veridoc/veridoc/internal/vision/mrz"
)

// VIZ is what a document's visual inspection zone (the printed fields
// above the MRZ) says about the MRZ read from it.
type VIZ struct {
	Text   string     // the zone's OCR text
	Fields []VIZField // surname, given names, document number, birth date
}

// VIZField compares one field of the MRZ with the visual zone.
type VIZField struct {
	Name   string // "surname", "given_names", "document_number", "birth_date"
	MRZ    string // the MRZ's value, after any repair
	VIZ    string // what the zone shows where it was found; "" if not
	Status string // VIZMatch, VIZRepaired, VIZMismatch or VIZAbsent
}

// Field statuses.
const (
	VIZMatch    = "match"    // the zone shows the MRZ's value
	VIZRepaired = "repaired" // one letter differed, and a second reading of the MRZ sided with the zone
	VIZDiffers  = "differs"  // one letter differs, and nothing tells which reading is right
	VIZMismatch = "mismatch" // the zone was read and shows a name near the MRZ's but not it
	VIZAbsent   = "absent"   // not found in what was read
)

// Mismatch tells whether some field of the zone disagrees with the MRZ.
func (v *VIZ) Mismatch() bool {
	return slices.ContainsFunc(v.Fields, func(f VIZField) bool { return f.Status == VIZMismatch })
}

// maxJudgedScale is the most the zone may be enlarged for a mismatch to be
// judged on it.
const maxJudgedScale = 1.25

// vizLineHeight is the height the zone's text is read at: Tesseract's
// English model reads 16 px text about as well as 20 px
// (synthetic pages: the same names found, in four fifths of the time), and
// the zone is most of the page.
const vizLineHeight = 16

// CheckVIZ reads the visual zone of the page m was read from and compares
// it with m. A name or document number one character away from the zone's
// (a name has no check digit; a number's may hold for both) is repaired in
// m only when a second reading of the MRZ band, by the English model,
// agrees with the zone: the zone's OCR errs as often as the MRZ's. A name
// two or more letters from the zone's nearest word, though near it, while
// the zone shows another of the names exactly, is a mismatch. It returns
// nil when m has no page to read (lines paired across readings).
func (r *Reader) CheckVIZ(ctx context.Context, m *MRZRead) (*VIZ, error) {
	if m == nil || m.above == nil {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	page, scale := m.above(vizLineHeight, m.Format != mrz.TD1)
	if page == nil {
		return nil, nil
	}
	// Stored, not compressed: a compressed PNG of the zone took a sixth of the stage to encode.
	text, err := r.vizOCR.text(storedPNG(page))
	if err != nil {
		return nil, err
	}
	v := &VIZ{Text: text}
	// A second reading of the band, asked for only where one character differs.
	second := sync.OnceValue(func() *mrz.Result {
		if m.band == nil {
			return nil
		}
		t, err := r.mrzEng.text(m.band)
		if err != nil {
			return nil
		}
		return parseBest(t, r.now())
	})
	words := vizWords(text)
	// Text enlarged to be read came from too few pixels to tell a changed
	// letter from a misread one: no mismatch is judged on it.
	v.Fields = append(v.Fields, compareNames(m.Result, words, second, scale <= maxJudgedScale)...)
	v.Fields = append(v.Fields, compareNumber(m.Result, text, second), compareBirth(m.Result, text))
	return v, nil
}

// vizWords are the zone's words in capitals, letters only, each in two
// spellings: ICAO 9303's transliteration (Ä → AE) and accents dropped (Ä → A).
// A word is split at anything but a letter, and also kept whole without
// what is not a letter: OCR puts marks inside words ("IIFVYQ@YG").
func vizWords(text string) []string {
	isLetter := func(r rune) bool {
		return r >= 'A' && r <= 'Z' || translit[r] != "" || strings.ContainsRune(plainLetters, r)
	}
	upper := strings.ToUpper(text)
	parts := strings.FieldsFunc(upper, func(r rune) bool { return !isLetter(r) })
	for _, f := range strings.Fields(upper) {
		if whole := strings.Map(func(r rune) rune {
			if isLetter(r) {
				return r
			}
			return -1
		}, f); whole != "" && whole != f {
			parts = append(parts, whole)
		}
	}
	var out []string
	for _, w := range parts {
		icao, plain := fold(w, true), fold(w, false)
		out = append(out, icao)
		if plain != icao {
			out = append(out, plain)
		}
	}
	return out
}

// translit is ICAO 9303 Part 3's transliteration of the letters that differ.
var translit = map[rune]string{'Ä': "AE", 'Ö': "OE", 'Ü': "UE", 'Å': "AA", 'Æ': "AE", 'Ø': "OE", 'ß': "SS", 'Þ': "TH", 'Ĳ': "IJ", 'Œ': "OE"}

// plainLetters are accented capitals whose transliteration drops the accent.
const plainLetters = "ÀÁÂÃÇÈÉÊËÌÍÎÏÑÒÓÔÕÙÚÛÝŠŽČĆĐŁŃŚŹŻĄĘŘŤĎŇĽĹŔŐŰĞŞİ"

// plainOf is each of plainLetters without its accent, in the same order.
const plainOf = "AAAACEEEEIIIINOOOOUUUYSZCCDLNSZZAERTDNLLROUGSI"

func fold(w string, icao bool) string {
	var b strings.Builder
	plain := []rune(plainLetters)
	for _, r := range w {
		if t, ok := translit[r]; ok && icao {
			b.WriteString(t)
			continue
		}
		if i := slices.Index(plain, r); i >= 0 {
			b.WriteByte(plainOf[i])
			continue
		}
		if t, ok := translit[r]; ok {
			b.WriteByte(t[0])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// compareNames compares each name of the MRZ with the zone's words; second
// is another reading of the MRZ, asked for only where one letter differs;
// judge allows a mismatch.
func compareNames(m *mrz.Result, words []string, second func() *mrz.Result, judge bool) []VIZField {
	type token struct {
		field, value string
		dist         int
		near         string
	}
	var tokens []token
	for _, f := range []struct{ name, value string }{{"surname", m.Surname}, {"given_names", m.GivenNames}} {
		for _, t := range strings.Fields(f.value) {
			d, near := nearest(t, words)
			tokens = append(tokens, token{f.name, t, d, near})
		}
	}
	// The zone's name was read when some name of the MRZ is in it exactly.
	read := slices.ContainsFunc(tokens, func(t token) bool { return t.dist == 0 && len(t.value) >= 3 })
	var out []VIZField
	for _, f := range []struct {
		name  string
		value *string
	}{{"surname", &m.Surname}, {"given_names", &m.GivenNames}} {
		if *f.value == "" {
			continue
		}
		field := VIZField{Name: f.name, Status: VIZMatch}
		worse := func(st string) {
			rank := map[string]int{VIZMatch: 0, VIZRepaired: 1, VIZDiffers: 2, VIZAbsent: 3, VIZMismatch: 4}
			if rank[st] > rank[field.Status] {
				field.Status = st
			}
		}
		var shown []string
		repaired := false
		for i, t := range tokens {
			if t.field != f.name {
				continue
			}
			switch {
			case t.dist == 0:
				shown = append(shown, t.value)
			case t.dist == 1 && len(t.near) == len(t.value) && len(t.value) >= 4:
				shown = append(shown, t.near)
				if o := second(); o != nil && slices.Contains(strings.Fields(o.Surname+" "+o.GivenNames), t.near) {
					tokens[i].value, repaired = t.near, true
					worse(VIZRepaired)
				} else {
					worse(VIZDiffers)
				}
			case judge && read && t.dist >= 2 && t.dist <= (len(t.value)-1)/3:
				shown = append(shown, t.near)
				worse(VIZMismatch)
			default:
				worse(VIZAbsent)
			}
		}
		if repaired {
			var fixed []string
			for _, t := range tokens {
				if t.field == f.name {
					fixed = append(fixed, t.value)
				}
			}
			old := *f.value
			*f.value = strings.Join(fixed, " ")
			m.Repairs = append(m.Repairs, f.name)
			rewriteLines(m, old, *f.value)
		}
		field.MRZ = *f.value
		if field.Status != VIZAbsent {
			field.VIZ = strings.Join(shown, " ")
		}
		out = append(out, field)
	}
	return out
}

// rewriteName writes a repaired name into the MRZ's lines (fillers for
// spaces), where the old one stands.
func rewriteLines(m *mrz.Result, old, repaired string) {
	o, n := strings.ReplaceAll(old, " ", "<"), strings.ReplaceAll(repaired, " ", "<")
	for i, l := range m.Lines {
		if j := strings.Index(l, o); j >= 0 && len(o) == len(n) {
			m.Lines[i] = l[:j] + n + l[j+len(o):]
			return
		}
	}
}

// nearest is the word closest to t (edit distance) and that distance.
func nearest(t string, words []string) (int, string) {
	best, near := len(t)+1, ""
	for _, w := range words {
		if d := editDistance(t, w); d < best {
			best, near = d, w
		}
	}
	return best, near
}

// compareNumber looks for the MRZ's document number in the zone (spaces
// inside it ignored): the same number; or one a single character away that
// its check digit cannot tell from it, taken when a second reading of the
// MRZ reads it too.
func compareNumber(m *mrz.Result, text string, second func() *mrz.Result) VIZField {
	f := VIZField{Name: "document_number", MRZ: m.DocumentNumber, Status: VIZAbsent}
	n := m.DocumentNumber
	if len(n) < 5 {
		return f
	}
	var near string
	for _, cand := range numberCandidates(text, len(n)) {
		switch d := editDistance(n, cand); {
		case d == 0:
			f.VIZ, f.Status = cand, VIZMatch
			return f
		case d == 1 && near == "":
			a, okA := mrz.CheckDigit(cand)
			b, okB := mrz.CheckDigit(n)
			if okA && okB && a == b {
				near = cand
			}
		}
	}
	if near == "" {
		return f
	}
	f.VIZ, f.Status = near, VIZDiffers
	if o := second(); o != nil && o.DocumentNumber == near {
		m.DocumentNumber, f.MRZ, f.Status = near, near, VIZRepaired
		m.Repairs = append(m.Repairs, "document_number")
		rewriteLines(m, n, near)
	}
	return f
}

// numberCandidates are the zone's runs of capitals and digits of length n,
// single spaces inside a run ignored ("XS 1234567").
func numberCandidates(text string, n int) []string {
	var out []string
	for _, l := range strings.Split(strings.ToUpper(text), "\n") {
		for _, run := range alnumRun.FindAllString(l, -1) {
			for _, w := range strings.Fields(run) {
				if len(w) == n {
					out = append(out, w)
				}
			}
			if j := strings.ReplaceAll(run, " ", ""); len(j) == n {
				out = append(out, j)
			}
		}
	}
	return out
}

var alnumRun = regexp.MustCompile(`[A-Z0-9]+(?: [A-Z0-9]+)*`)

// compareBirth looks for the MRZ's birth date among the zone's dates.
func compareBirth(m *mrz.Result, text string) VIZField {
	f := VIZField{Name: "birth_date", MRZ: m.BirthDate, Status: VIZAbsent}
	if len(m.BirthDate) != 10 {
		return f
	}
	y, mo, d := m.BirthDate[0:4], m.BirthDate[5:7], m.BirthDate[8:10]
	upper := strings.ToUpper(text)
	for _, dm := range dateRe.FindAllStringSubmatch(upper, -1) {
		day, month, year := pad2(dm[1]), dm[2], dm[3]
		for _, part := range strings.Split(month, "/") { // 12 AOUT/AUG 74
			if mon := slices.Index(months, part[:min(3, len(part))]); mon >= 0 {
				month = fmt.Sprintf("%02d", mon+1)
				break
			}
		}
		month = pad2(month)
		if day == d && month == mo && (year == y || year == y[2:]) {
			f.VIZ, f.Status = dm[0], VIZMatch
			return f
		}
	}
	// Written as the MRZ writes it (YYMMDD), as some pages print it.
	if strings.Contains(upper, y[2:]+mo+d) {
		f.VIZ, f.Status = y[2:]+mo+d, VIZMatch
	}
	return f
}

// dateRe is a printed date, day first: 12.08.1974, 12/08/74, 12 08 1974,
// 12 AUG 1974, 12 AUG/AOUT 74.
var dateRe = regexp.MustCompile(`\b(\d{1,2})[ ./-]{1,2}(\d{1,2}|[A-Z]{3}[A-Z/]*)[ ./-]{1,2}(\d{4}|\d{2})\b`)

var months = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// editDistance is Levenshtein's distance between two ASCII strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
