// Package mrz parses the machine-readable zone of travel documents (ICAO 9303:
// TD1, TD2, TD3 and the MRV-A/MRV-B visas) with every check digit, name
// splitting and date centuries. OCR slips are repaired only where a check
// digit confirms the repair. Pure library: text in, fields out.
package mrz

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Formats.
const (
	TD1  = "TD1"
	TD2  = "TD2"
	TD3  = "TD3"
	MRVA = "MRV-A"
	MRVB = "MRV-B"
)

// Result is a parsed MRZ.
type Result struct {
	Format         string
	DocumentCode   string // "P", "I", "ID", "V", …
	IssuingCountry string // ICAO code, e.g. "UTO", "D"
	Surname        string
	GivenNames     string
	DocumentNumber string
	Nationality    string
	BirthDate      string // YYYY-MM-DD
	Sex            string // "M", "F" or "X" (unspecified)
	ExpiryDate     string // YYYY-MM-DD
	PersonalNumber string // TD3 personal number / optional data
	OptionalData   string // TD1/TD2 optional fields (a long TD1 number's overflow removed)
	// FailedChecks names the check digits that do not hold: "document_number",
	// "birth_date", "expiry_date", "personal_number", "composite".
	FailedChecks []string
	// Repairs lists OCR corrections that a check digit or a field's syntax
	// (letters only in names) confirmed.
	Repairs  []string
	Warnings []string
	// Lines is the MRZ as read, with the confirmed repairs made.
	Lines []string
}

// Valid is true when every check digit holds and both codes are ICAO's.
func (r *Result) Valid() bool { return len(r.FailedChecks) == 0 }

// DigitsFailed tells whether a check digit failed; CodeFailed whether the
// issuing state or the nationality is no ICAO code.
func (r *Result) DigitsFailed() bool {
	return slices.ContainsFunc(r.FailedChecks, func(c string) bool { return !strings.HasSuffix(c, "_code") })
}

// CodeFailed tells whether the issuing state or the nationality is no ICAO code.
func (r *Result) CodeFailed() bool {
	return slices.ContainsFunc(r.FailedChecks, func(c string) bool { return strings.HasSuffix(c, "_code") })
}

// Expired tells whether the document's expiry date is before now's UTC day (a
// document expiring today is still valid). A missing date is not expired.
func (r *Result) Expired(now time.Time) bool {
	return r.ExpiryDate != "" && r.ExpiryDate < now.UTC().Format("2006-01-02")
}

// ErrFormat is returned for text that is not an MRZ of a known layout.
var ErrFormat = errors.New("mrz: not a TD1, TD2, TD3 or MRV machine-readable zone")

// CheckDigit is the ICAO 9303 check digit: weights 7, 3, 1; A=10…Z=35; '<'=0.
// ok is false for characters outside the MRZ alphabet.
func CheckDigit(s string) (digit byte, ok bool) {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		case c == '<':
			v = 0
		default:
			return 0, false
		}
		sum += v * weights[i%3]
	}
	return byte('0' + sum%10), true
}

// Options tune parsing.
type Options struct {
	// Now anchors the date centuries: birth dates are never in the future,
	// expiry dates are at most 50 years ahead. Zero means time.Now().
	Now time.Time
}

// Parse reads an MRZ given as lines (newline-separated; spaces are ignored).
func Parse(text string, o Options) (*Result, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	var lines []string
	for _, l := range strings.Split(strings.ToUpper(text), "\n") {
		l = strings.ReplaceAll(strings.TrimSpace(l), " ", "")
		if l != "" {
			lines = append(lines, l)
		}
	}
	for _, l := range lines {
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '<') {
				return nil, fmt.Errorf("%w: character %q", ErrFormat, c)
			}
		}
	}
	p := &parser{r: &Result{}, now: o.Now, lines: lines}
	switch {
	case len(lines) == 3 && len(lines[0]) == 30 && len(lines[1]) == 30 && len(lines[2]) == 30:
		p.td1()
	case len(lines) == 2 && len(lines[0]) == 44 && len(lines[1]) == 44:
		if lines[0][0] == 'V' {
			p.visa(MRVA)
		} else {
			p.td3()
		}
	case isFrenchID(lines):
		p.frenchID()
	case len(lines) == 2 && len(lines[0]) == 36 && len(lines[1]) == 36:
		if lines[0][0] == 'V' {
			p.visa(MRVB)
		} else {
			p.td2()
		}
	default:
		return nil, ErrFormat
	}
	// The codes come from the ICAO list; the nationality's place depends on
	// the format (TD1 keeps it later on its second line).
	p.checkCode("issuing_country", 0, 2, &p.r.IssuingCountry)
	natAt := 10
	if len(lines) == 3 {
		natAt = 15
	}
	p.checkCode("nationality", 1, natAt, &p.r.Nationality)
	p.r.Lines = p.lines
	return p.r, nil
}

type parser struct {
	r     *Result
	now   time.Time
	lines []string // the MRZ, repairs written back so later checks see them
}

// field checks the n characters at start of a line against the check digit
// after them and writes the value to use, and a check digit read as a
// letter when the check held, back into the line.
func (p *parser) field(name string, line, start, n int, numeric bool, confirm func(string) bool) string {
	l := p.lines[line]
	cd := l[start+n]
	v := p.checked(name, l[start:start+n], cd, numeric, confirm)
	if !slices.Contains(p.r.FailedChecks, name) {
		cd = toDigit(cd)
	}
	p.lines[line] = l[:start] + v + string(cd) + l[start+n+1:]
	return v
}

func trimFiller(s string) string { return strings.Trim(s, "<") }

// header reads the first line's document code and issuing state, and its
// names from column nameFrom (0: none there).
func (p *parser) header(nameFrom int) {
	p.checkDocumentCode()
	l1 := p.lines[0]
	p.r.DocumentCode = trimFiller(l1[0:2])
	p.r.IssuingCountry = trimFiller(l1[2:5])
	if nameFrom > 0 {
		p.names(0, nameFrom)
	}
}

// names splits the name field, "PRIMARY<<SECONDARY<NAMES<<<" from column
// from of line i to its end, into surname and given names. A name holds
// letters only (ICAO 9303 part 3), so a digit there is the letter OCR took
// it for; the names carry no check digit to say otherwise.
func (p *parser) names(i, from int) {
	field := p.lines[i][from:]
	if fixed := strings.Map(toLetter, field); fixed != field {
		p.r.Repairs = append(p.r.Repairs, "names")
		field = fixed
		p.lines[i] = p.lines[i][:from] + fixed
	}
	if !strings.HasSuffix(field, "<") {
		p.r.Warnings = append(p.r.Warnings, "name field may be truncated")
	}
	primary, secondary, _ := strings.Cut(trimFiller(field), "<<")
	p.r.Surname = strings.Join(strings.FieldsFunc(primary, isFiller), " ")
	p.r.GivenNames = strings.Join(strings.FieldsFunc(secondary, isFiller), " ")
}

func isFiller(r rune) bool { return r == '<' }

func (p *parser) sex(c byte) {
	switch c {
	case 'M', 'F':
		p.r.Sex = string(c)
	case '<', 'X':
		p.r.Sex = "X"
	default:
		p.r.Warnings = append(p.r.Warnings, fmt.Sprintf("unknown sex code %q", c))
	}
}

// checked verifies value against its check digit. Numeric fields first read
// letters OCR confuses with digits as those digits (a date holds no letters).
// An alphanumeric field is repaired by one ambiguous character only when
// confirm (the composite check, where the format has one) also holds for it.
// It returns the value to use.
func (p *parser) checked(name, value string, cd byte, numeric bool, confirm func(string) bool) string {
	cd = toDigit(cd)
	if numeric {
		fixed := strings.Map(func(r rune) rune { return rune(toDigit(byte(r))) }, value)
		if d, ok := CheckDigit(fixed); ok && d == cd {
			if fixed != value {
				p.r.Repairs = append(p.r.Repairs, name)
			}
			return fixed
		}
		p.r.FailedChecks = append(p.r.FailedChecks, name)
		return value
	}
	if d, ok := CheckDigit(value); ok && d == cd {
		return value
	}
	if confirm != nil {
		var found []string
		for i := 0; i < len(value); i++ {
			if alt, ok := ambiguous[value[i]]; ok {
				v := value[:i] + string(alt) + value[i+1:]
				if d, ok := CheckDigit(v); ok && d == cd && confirm(v) {
					found = append(found, v)
				}
			}
		}
		if len(found) == 1 {
			p.r.Repairs = append(p.r.Repairs, name)
			return found[0]
		}
	}
	p.r.FailedChecks = append(p.r.FailedChecks, name)
	return value
}

// ambiguous are the pairs OCR confuses in the OCR-B font.
var ambiguous = map[byte]byte{'0': 'O', 'O': '0', '1': 'I', 'I': '1', '5': 'S', 'S': '5', '8': 'B', 'B': '8', '2': 'Z', 'Z': '2'}

// toLetter maps the digits OCR confuses with letters, in fields that hold
// only letters and fillers; other digits stay (and fail elsewhere).
func toLetter(r rune) rune {
	switch r {
	case '0':
		return 'O'
	case '1':
		return 'I'
	case '2':
		return 'Z'
	case '5':
		return 'S'
	case '6':
		return 'G'
	case '8':
		return 'B'
	}
	return r
}

// toDigit maps letters OCR confuses with digits, in fields that hold only digits.
func toDigit(c byte) byte {
	switch c {
	case 'O', 'Q', 'D':
		return '0'
	case 'I', 'L':
		return '1'
	case 'Z':
		return '2'
	case 'S':
		return '5'
	case 'G':
		return '6'
	case 'B':
		return '8'
	}
	return c
}

// date turns YYMMDD into YYYY-MM-DD with the century rule for its kind.
func (p *parser) date(name, yymmdd string, birth bool) string {
	if strings.Trim(yymmdd, "<") == "" {
		return ""
	}
	t, err := time.Parse("060102", yymmdd)
	if err != nil {
		p.r.Warnings = append(p.r.Warnings, fmt.Sprintf("%s %q is not a date", name, yymmdd))
		return ""
	}
	y := 2000 + t.Year()%100
	if birth && y > p.now.Year() || (birth && y == p.now.Year() && t.YearDay() > p.now.YearDay()) {
		y -= 100
	}
	if !birth && y > p.now.Year()+50 {
		y -= 100
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, int(t.Month()), t.Day())
}

// line2 fills the fields shared by TD2, TD3 and visas from line 1 (the
// second). compositeEnd is where the composite check digit sits (0: the
// format has none). The dates go first: a repaired date is then part of the
// composite that confirms a repair of the document number.
func (p *parser) line2(compositeEnd int) {
	birth := p.field("birth_date", 1, 13, 6, true, nil)
	expiry := p.field("expiry_date", 1, 21, 6, true, nil)
	var confirm func(string) bool
	if compositeEnd > 0 {
		confirm = func(doc string) bool {
			l2 := p.lines[1]
			d, ok := CheckDigit(doc + l2[9:10] + l2[13:20] + l2[21:compositeEnd])
			return ok && d == toDigit(l2[compositeEnd])
		}
	}
	doc := p.field("document_number", 1, 0, 9, false, confirm)
	l2 := p.lines[1]
	p.r.DocumentNumber = trimFiller(doc)
	p.r.Nationality = trimFiller(l2[10:13])
	p.r.BirthDate = p.date("birth_date", birth, true)
	p.sex(l2[20])
	p.r.ExpiryDate = p.date("expiry_date", expiry, false)
}

func (p *parser) composite(line, end int, data string) {
	if d, ok := CheckDigit(data); !ok || d != toDigit(p.lines[line][end]) {
		p.r.FailedChecks = append(p.r.FailedChecks, "composite")
	}
}

func (p *parser) td3() {
	p.r.Format = TD3
	p.header(5)
	p.line2(43)
	l2 := p.lines[1]
	personal := l2[28:42]
	if !(l2[42] == '<' && strings.Trim(personal, "<") == "") {
		// A repair of the personal number must also satisfy the composite.
		confirm := func(v string) bool {
			l2 := p.lines[1]
			d, ok := CheckDigit(l2[0:10] + l2[13:20] + l2[21:28] + v + string(toDigit(l2[42])))
			return ok && d == toDigit(l2[43])
		}
		personal = p.field("personal_number", 1, 28, 14, false, confirm)
	}
	p.r.PersonalNumber = trimFiller(personal)
	l2 = p.lines[1]
	p.composite(1, 43, l2[0:10]+l2[13:20]+l2[21:43])
}

func (p *parser) td2() {
	p.r.Format = TD2
	p.header(5)
	p.line2(35)
	l2 := p.lines[1]
	p.r.OptionalData = trimFiller(l2[28:35])
	p.composite(1, 35, l2[0:10]+l2[13:20]+l2[21:35])
}

func (p *parser) visa(format string) {
	p.r.Format = format
	p.header(5)
	p.line2(0)
	p.r.OptionalData = trimFiller(p.lines[1][28:])
}

func (p *parser) td1() {
	p.r.Format = TD1
	p.header(0)
	l2 := p.lines[1]
	birth := p.field("birth_date", 1, 0, 6, true, nil)
	expiry := p.field("expiry_date", 1, 8, 6, true, nil)
	l1, l2 := p.lines[0], p.lines[1]
	docNo, optional := l1[5:14], l1[15:30]
	if l1[14] == '<' && trimFiller(optional) != "" {
		// Long document number (9303-5 note j): it continues in the optional
		// field up to its check digit, which is followed by a filler.
		rest := strings.TrimRight(optional, "<")
		ext, cd := rest[:len(rest)-1], rest[len(rest)-1]
		if i := strings.IndexByte(rest, '<'); i > 0 {
			ext, cd = rest[:i-1], rest[i-1]
			optional = rest[i:]
		} else {
			optional = ""
		}
		p.r.DocumentNumber = trimFiller(p.checked("document_number", docNo+ext, cd, false, nil))
	} else {
		// The composite covers line 1 from the document number on, so a
		// repaired number is confirmed by recomputing it with the repair in place.
		confirm := func(doc string) bool {
			l1 := l1[:5] + doc + l1[14:]
			d, ok := CheckDigit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
			return ok && d == toDigit(l2[29])
		}
		doc := p.field("document_number", 0, 5, 9, false, confirm)
		p.r.DocumentNumber = trimFiller(doc)
	}
	p.r.OptionalData = trimFiller(optional)
	p.r.BirthDate = p.date("birth_date", birth, true)
	p.sex(l2[7])
	p.r.ExpiryDate = p.date("expiry_date", expiry, false)
	p.r.Nationality = trimFiller(l2[15:18])
	l1 = p.lines[0]
	p.composite(1, 29, l1[5:30]+l2[0:7]+l2[8:15]+l2[18:29])
	p.names(2, 0)
}
