// Package aamva parses the PDF417 barcode on the back of US and Canadian
// driver licences and ID cards: the AAMVA DL/ID Card Design Standard's
// header, subfile directory and DL/ID data elements, versions 1 to 10.
//
// Real cards stray from the standard (wrong separators, offsets that miss by
// a byte or two, names in the fields of another version), so the parser
// checks the header strictly but finds the subfile and fields leniently.
package aamva

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// License is what a DL/ID subfile says.
type License struct {
	IIN                 string       // issuer identification number (6 digits)
	Jurisdiction        Jurisdiction // from the IIN
	Version             int          // AAMVA version, 1–10 (0: before the 2000 standard)
	JurisdictionVersion int          // the jurisdiction's own version (version 2 on)
	Subfile             string       // "DL" (driver licence) or "ID" (ID card)

	Number string // DAQ, the customer id / licence number

	FamilyName  string // DCS (DAB, DAA in version 1)
	FirstName   string // DAC (the first of DCT in versions 2–3)
	MiddleNames string // DAD (the rest of DCT)
	Suffix      string // DCU
	// Truncation of each name on the card (DDE, DDF, DDG): T truncated, N not, U unknown.
	FamilyTruncated, FirstTruncated, MiddleTruncated string

	BirthDate, ExpiryDate, IssueDate time.Time // zero when absent or unreadable
	Sex                              string    // M, F, X, or ""

	Street, Street2, City, State, PostalCode string
	Country                                  string // ISO 3166 alpha-2 (DCG: USA → US, CAN → CA)

	EyeColor, Height, Weight string // DAY, DAU, DAW (or DAX in kilograms)

	// Elements holds every element of the subfile by its 3-letter id, as read.
	Elements map[string]string
}

// GivenNames is the first and middle names as a card prints them.
func (l *License) GivenNames() string {
	return strings.TrimSpace(l.FirstName + " " + l.MiddleNames)
}

// IDCard tells whether the card is an ID card, not a driver licence.
func (l *License) IDCard() bool { return l.Subfile == "ID" }

// Errors of Parse.
var (
	ErrNotAAMVA  = errors.New("aamva: not an AAMVA DL/ID barcode")
	ErrNoSubfile = errors.New("aamva: no DL or ID subfile")
)

// ParseError is a damaged header or subfile.
type ParseError struct{ Msg string }

func (e *ParseError) Error() string { return "aamva: " + e.Msg }

// Header separators (the standard's; cards vary, so parsing accepts others).
const (
	complianceIndicator = '@'
	elementSeparator    = '\n'
	recordSeparator     = 0x1e
	segmentTerminator   = '\r'
)

var (
	elementID = regexp.MustCompile(`^[A-Z][A-Z0-9]{2}$`)
	// subfileStart is a DL or ID subfile's type followed by an element.
	subfileStart = regexp.MustCompile(`(DL|ID)D[A-Z]{2}`)
)

// Parse reads a barcode's text.
func Parse(data []byte) (*License, error) {
	s := string(data)
	start := strings.Index(s, "ANSI ")
	fileType := 5
	if start < 0 {
		start = strings.Index(s, "AAMVA") // some version 1 cards
	}
	// The separators between "@" and the file type are often lost or
	// re-encoded by a scanner's keyboard wedge: a few stray bytes are allowed.
	if start < 0 || start > 24 || !strings.HasPrefix(s, string(complianceIndicator)) {
		return nil, ErrNotAAMVA
	}
	h := s[start+fileType:]
	if len(h) < 10 || !digits(h[:10]) {
		return nil, &ParseError{"header too short or not numeric"}
	}
	l := &License{IIN: h[:6], Elements: map[string]string{}}
	l.Version, _ = strconv.Atoi(h[6:8])
	rest := h[8:]
	if l.Version >= 2 {
		l.JurisdictionVersion, _ = strconv.Atoi(rest[:2])
		rest = rest[2:]
	}
	if len(rest) < 2 || !digits(rest[:2]) {
		return nil, &ParseError{"no entry count"}
	}
	entries, _ := strconv.Atoi(rest[:2])
	rest = rest[2:]
	l.Jurisdiction, _ = LookupIIN(l.IIN)

	// Subfile directory: type (2), offset (4), length (4) per entry. The
	// first subfile's data follows the directory: where an offset misses
	// (bytes lost before it), that is where it is.
	dirStart := len(s) - len(rest)
	dirEnd := dirStart + 10*min(entries, len(rest)/10)
	var body string
	for i := 0; i < entries && len(rest) >= 10; i++ {
		d := rest[:10]
		rest = rest[10:]
		typ := d[:2]
		if typ != "DL" && typ != "ID" {
			continue
		}
		off, err1 := strconv.Atoi(d[2:6])
		n, err2 := strconv.Atoi(d[6:10])
		if err1 != nil || err2 != nil {
			break // an unreadable directory: the subfile is looked for below
		}
		l.Subfile = typ
		if body = subfile(s, typ, off, n); body == "" && i == 0 {
			body = subfile(s, typ, dirEnd, n)
		}
		break
	}
	if body == "" {
		// A directory that does not list it, or offsets that lead nowhere:
		// look for the subfile itself from the directory on.
		l.Subfile = ""
		if m := subfileStart.FindStringIndex(s[dirStart:]); m != nil {
			at := dirStart + m[0]
			l.Subfile, body = s[at:at+2], s[at:]
		}
	}
	if body == "" {
		l.Subfile = ""
		return nil, ErrNoSubfile
	}
	readElements(l, strings.TrimPrefix(body, l.Subfile))
	if err := l.fill(); err != nil {
		return nil, err
	}
	return l, nil
}

// subfile cuts the subfile at its offset, or finds it near there when the
// offset misses (several states count from another origin). Cards of the
// 1990s header (file type AAMVA) and some later ones start the subfile's
// data at the offset without repeating its type: an element id there is
// taken as the start.
func subfile(s, typ string, off, n int) string {
	if off >= 0 && off+2 <= len(s) && s[off:off+2] == typ {
		end := min(off+n, len(s))
		return s[off:end]
	}
	if off >= 0 && off+3 <= len(s) && s[off] == 'D' && elementID.MatchString(s[off:off+3]) {
		end := min(off+n, len(s))
		return typ + s[off:end]
	}
	lo := max(0, off-8)
	if lo < len(s) {
		if i := strings.Index(s[lo:], typ+"D"); i >= 0 && i <= 16 {
			return s[lo+i:]
		}
	}
	return ""
}

// readElements splits a subfile into elements: 3-letter id and value,
// separated by LF (or CR, which some cards use) up to the segment terminator.
func readElements(l *License, body string) {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	for _, line := range strings.FieldsFunc(body, func(r rune) bool { return r == elementSeparator || r == segmentTerminator || r == recordSeparator }) {
		// Separators re-encoded on the way (a keyboard wedge's stray bytes)
		// are not part of an element.
		line = strings.TrimFunc(line, func(r rune) bool { return r < ' ' || r > '~' })
		if len(line) < 3 || !elementID.MatchString(line[:3]) {
			continue
		}
		id := line[:3]
		if _, seen := l.Elements[id]; seen {
			continue // a second subfile's element: the DL/ID one came first
		}
		l.Elements[id] = strings.TrimSpace(line[3:])
	}
}

func (l *License) fill() error {
	e := l.Elements
	l.Number = e["DAQ"]
	if l.Number == "" {
		return &ParseError{"no customer id number (DAQ)"}
	}
	l.FamilyName = first(e["DCS"], e["DAB"])
	l.FirstName, l.MiddleNames = e["DAC"], e["DAD"]
	if l.MiddleNames == "" {
		l.FirstName, l.MiddleNames = initialApart(l.FirstName)
	}
	if dct := e["DCT"]; dct != "" && l.FirstName == "" { // versions 2–3: given names together
		l.FirstName, l.MiddleNames = splitNames(dct)
	}
	var daaSuffix string
	if daa := e["DAA"]; daa != "" && l.FamilyName == "" {
		var family, firstName, middle string
		family, firstName, middle, daaSuffix = fullName(daa)
		l.FamilyName = family
		if l.FirstName == "" {
			l.FirstName, l.MiddleNames = firstName, middle
		}
	}
	l.FamilyName, l.FirstName, l.MiddleNames = clean(l.FamilyName), clean(l.FirstName), clean(l.MiddleNames)
	l.Suffix = first(e["DCU"], daaSuffix)
	l.FamilyTruncated, l.FirstTruncated, l.MiddleTruncated = e["DDE"], e["DDF"], e["DDG"]

	l.Country = countryCode(e["DCG"])
	if l.Country == "" {
		l.Country = l.Jurisdiction.Country
	}
	canadian := l.Country == "CA"
	var errs []string
	for _, d := range []struct {
		id  string
		dst *time.Time
	}{{"DBB", &l.BirthDate}, {"DBA", &l.ExpiryDate}, {"DBD", &l.IssueDate}} {
		v, ok := e[d.id]
		if !ok {
			continue
		}
		t, err := parseDate(v, l.Version, canadian)
		if err != nil {
			errs = append(errs, d.id)
			continue
		}
		*d.dst = t
	}
	if len(errs) > 0 {
		return &ParseError{fmt.Sprintf("unreadable date in %s", strings.Join(errs, ", "))}
	}
	switch strings.ToUpper(e["DBC"]) {
	case "1", "M":
		l.Sex = "M"
	case "2", "F":
		l.Sex = "F"
	case "9", "X":
		l.Sex = "X"
	}
	// The mailing address (DAG–DAK), else the residence address that
	// version 1 cards may carry instead (DAL–DAP).
	l.Street, l.Street2 = value(first(e["DAG"], e["DAL"])), value(first(e["DAH"], e["DAM"]))
	l.City, l.State = value(first(e["DAI"], e["DAN"])), value(first(e["DAJ"], e["DAO"]))
	l.PostalCode = postalCode(first(e["DAK"], e["DAP"]), l.Country)
	l.EyeColor, l.Height = e["DAY"], e["DAU"]
	l.Weight = first(e["DAW"], e["DAX"])
	return nil
}

// parseDate reads MMDDCCYY (US, versions 2 on) or CCYYMMDD (Canada, and
// version 1); a date that only makes sense in the other order is read so.
func parseDate(v string, version int, canadian bool) (time.Time, error) {
	v = strings.TrimSpace(v)
	if len(v) != 8 || !digits(v) {
		return time.Time{}, errors.New("not 8 digits")
	}
	ymd := func() (time.Time, bool) { return date(v[:4], v[4:6], v[6:8]) }
	mdy := func() (time.Time, bool) { return date(v[4:8], v[:2], v[2:4]) }
	orders := []func() (time.Time, bool){mdy, ymd}
	if canadian || version <= 1 {
		orders = []func() (time.Time, bool){ymd, mdy}
	}
	for _, o := range orders {
		if t, ok := o(); ok {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not a date")
}

func date(y, m, d string) (time.Time, bool) {
	yy, _ := strconv.Atoi(y)
	mm, _ := strconv.Atoi(m)
	dd, _ := strconv.Atoi(d)
	if yy < 1850 || yy > 2200 || mm < 1 || mm > 12 || dd < 1 || dd > 31 {
		return time.Time{}, false
	}
	t := time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if t.Day() != dd { // 31 February
		return time.Time{}, false
	}
	return t, true
}

// postalCode: a US ZIP is 5 digits, or ZIP+4 when the four are not zeros
// (cards pad to 11 characters); Canadian codes keep their letters.
func postalCode(v, country string) string {
	v = strings.TrimSpace(strings.ReplaceAll(v, "-", ""))
	if us := strings.ReplaceAll(v, " ", ""); country == "US" && len(us) >= 5 && digits(us[:5]) {
		v = us
		if len(v) >= 9 && digits(v[5:9]) && v[5:9] != "0000" {
			return v[:5] + "-" + v[5:9]
		}
		return v[:5]
	}
	return strings.Join(strings.Fields(v), " ")
}

func countryCode(v string) string {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "USA", "US":
		return "US"
	case "CAN", "CA":
		return "CA"
	case "MEX", "MX":
		return "MX"
	}
	return ""
}

// fullName reads version 1's DAA, the whole name in one element. With
// commas it is "FAMILY,FIRST,MIDDLE,SUFFIX" (the standard's order; a fourth
// field is the suffix when it is one); with spaces only, jurisdictions write
// it as the card prints it, "FIRST MIDDLE… FAMILY".
func fullName(v string) (family, firstName, middle, suffix string) {
	if strings.Contains(v, ",") {
		parts := strings.Split(v, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		if n := len(parts); n >= 4 && nameSuffix(parts[n-1]) {
			suffix, parts = parts[n-1], parts[:n-1]
		}
		family = parts[0]
		switch {
		case len(parts) == 2:
			// "FAMILY,FIRST MIDDLE": the given names together, as DCT
			// holds them in versions 2–3.
			firstName, middle = splitNames(parts[1])
		case len(parts) > 2:
			firstName = parts[1]
			middle = strings.Join(strings.Fields(strings.Join(parts[2:], " ")), " ")
		}
		return family, firstName, middle, suffix
	}
	parts := strings.Fields(v)
	switch len(parts) {
	case 0:
		return "", "", "", ""
	case 1:
		return parts[0], "", "", ""
	}
	return parts[len(parts)-1], parts[0], strings.Join(parts[1:len(parts)-1], " "), ""
}

// nameSuffix tells a generational suffix (the standard's DCU values).
func nameSuffix(v string) bool {
	switch strings.ToUpper(strings.TrimSuffix(v, ".")) {
	case "JR", "SR", "1ST", "2ND", "3RD", "4TH", "5TH", "6TH", "7TH", "8TH", "9TH", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX":
		return true
	}
	return false
}

// value trims the padding and the stray separators (a trailing comma) some
// cards leave around an element's value.
func value(v string) string {
	return strings.TrimRight(strings.TrimSpace(v), ", ")
}

// initialApart takes a middle initial written into the first name ("JOHN Q"
// with no DAD): a first name does not end in a lone letter. Two-word first
// names ("MARY ANN") stay whole.
func initialApart(v string) (string, string) {
	f := strings.Fields(v)
	if n := len(f); n >= 2 && len(f[n-1]) == 1 {
		return strings.Join(f[:n-1], " "), f[n-1]
	}
	return v, ""
}

// splitNames splits "FIRST,MIDDLE" or "FIRST MIDDLE".
func splitNames(v string) (string, string) {
	var parts []string
	if strings.Contains(v, ",") {
		parts = strings.Split(v, ",")
	} else {
		parts = strings.Fields(v)
	}
	if len(parts) == 0 {
		return "", ""
	}
	return strings.TrimSpace(parts[0]), strings.TrimSpace(strings.Join(parts[1:], " "))
}

// clean drops the placeholders cards use for an absent name.
func clean(v string) string {
	v = strings.Join(strings.Fields(strings.ReplaceAll(v, ",", " ")), " ")
	switch strings.ToUpper(v) {
	case "NONE", "UNAVL", "UNAVAILABLE", "NA", "N/A":
		return ""
	}
	return v
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
