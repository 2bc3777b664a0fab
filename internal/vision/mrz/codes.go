package mrz

import (
	"slices"
	"strings"

	"github.com/biter777/countries"
)

// icaoOnly are the ICAO 9303 Part 3 codes that are not ISO 3166-1 alpha-3:
// Germany's single letter, the British nationality classes, organisations,
// the stateless and refugee codes, Kosovo, and the specimen state Utopia.
var icaoOnly = []string{"D", "GBD", "GBN", "GBO", "GBP", "GBS", "EUE", "UNA", "UNK", "UNO", "XBA", "XCC", "XCE", "XCO", "XDC",
	"XEC", "XES", "XIM", "XOM", "XPO", "XXA", "XXB", "XXC", "XXX", "RKS", "UTO"}

// ValidCode tells whether code is an issuing-state or nationality code of
// ICAO 9303: an ISO 3166-1 alpha-3 code or one of Part 3's own.
func ValidCode(code string) bool {
	if slices.Contains(icaoOnly, code) {
		return true
	}
	if len(code) != 3 {
		return false
	}
	c := countries.ByName(code)
	return c != countries.Unknown && c.Alpha3() == code
}

// confusions are the characters OCR takes one another for in OCR-B.
var confusions = map[byte]string{
	'0': "ODQ", 'O': "0DQ", 'D': "0OQ", 'Q': "0OD",
	'1': "IL", 'I': "1L", 'L': "1I",
	'2': "Z", 'Z': "2", '5': "S", 'S': "5", '6': "G", 'G': "6C", 'C': "G", '8': "B", 'B': "8",
	'M': "NH", 'N': "MH", 'H': "NM", 'K': "X", 'X': "K", 'U': "V", 'V': "U", 'E': "F", 'F': "E", 'P': "R", 'R': "P",
}

// correctCode returns the one valid code a single OCR confusion away from
// code, when there is exactly one; ok is false otherwise (none, or more
// than one and no way to choose).
func correctCode(code string) (fixed string, ok bool) {
	var found []string
	for i := 0; i < len(code); i++ {
		for _, c := range []byte(confusions[code[i]]) {
			cand := code[:i] + string(c) + code[i+1:]
			if ValidCode(cand) && !slices.Contains(found, cand) {
				found = append(found, cand)
			}
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

// checkCode validates the code read at line, start (3 characters, fillers
// trimmed) named name. A code one confusion from exactly one valid code is
// corrected, in the result and the line, and the repair recorded; a code
// that is neither fails the check name+"_code".
func (p *parser) checkCode(name string, line, start int, dst *string) {
	code := *dst
	if code == "" || ValidCode(code) {
		return
	}
	fixed, ok := correctCode(code)
	if !ok {
		p.r.FailedChecks = append(p.r.FailedChecks, name+"_code")
		return
	}
	*dst = fixed
	l := p.lines[line]
	p.lines[line] = l[:start] + fixed + strings.Repeat("<", 3-len(fixed)) + l[start+3:]
	p.r.Repairs = append(p.r.Repairs, name+" "+code+"→"+fixed)
}
