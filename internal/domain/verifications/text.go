package verifications

import (
	"regexp"
	"strings"
	"unicode"
)

// Address is a postal address found in a document's text.
type Address struct {
	Street, City, State, Zip string
}

// Full is the address on one line.
func (a Address) Full() string {
	return strings.TrimSpace(a.Street + ", " + a.City + ", " + strings.TrimSpace(a.State+" "+a.Zip))
}

var (
	// A street line: a house number, then words ending in a street type (or a PO box).
	streetRE = regexp.MustCompile(`(?i)^\s*(\d{1,6}[A-Z]?(?:-\d{1,5})?\s+[A-Z0-9 .'#-]*?\b(?:STREET|ST|AVENUE|AVE|ROAD|RD|BOULEVARD|BLVD|DRIVE|DR|LANE|LN|WAY|COURT|CT|PLACE|PL|TERRACE|TER|PARKWAY|PKWY|HIGHWAY|HWY|CIRCLE|CIR|SQUARE|SQ|TRAIL|TRL|LOOP|ALLEY|PLAZA)\b\.?(?:\s*(?:APT|UNIT|STE|SUITE|#)\s*[A-Z0-9-]+)?)\s*$|^\s*(P\.?\s?O\.?\s+BOX\s+\d+)\s*$`)
	// A city line: "Springfield, TN 37172", "Springfield, Tennessee 37172-1234".
	cityRE = regexp.MustCompile(`(?i)^\s*([A-Z][A-Z .'-]*?),?\s+([A-Z]{2}|[A-Z][A-Z ]+?)\s+(\d{5}(?:-\d{4})?)\s*$`)
	// Words that mark a line as a label, not a person's name.
	notName = regexp.MustCompile(`(?i)\b(ACCOUNT|STATEMENT|BILL|INVOICE|DATE|DUE|AMOUNT|TOTAL|BALANCE|PAGE|SERVICE|CUSTOMER|NUMBER|POLICY|BANK|ELECTRIC|GAS|WATER|COMPANY|INC|LLC|CORP|PERIOD|ADDRESS|TO|FROM)\b`)
)

// FindAddress finds the first street line followed (within two lines) by a
// city/state/ZIP line, and the name line above it, if any.
func FindAddress(text string) (addr Address, name string, ok bool) {
	lines := nonEmptyLines(text)
	for i, l := range lines {
		m := streetRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		street := m[1]
		if street == "" {
			street = m[2]
		}
		for j := i + 1; j < len(lines) && j <= i+2; j++ {
			c := cityRE.FindStringSubmatch(lines[j])
			if c == nil {
				continue
			}
			addr = Address{Street: collapse(street), City: collapse(c[1]), State: collapse(c[2]), Zip: c[3]}
			for k := i - 1; k >= 0 && k >= i-2; k-- {
				if looksLikeName(lines[k]) {
					name = collapse(lines[k])
					break
				}
			}
			return addr, name, true
		}
	}
	return Address{}, "", false
}

func nonEmptyLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// looksLikeName: two to five words of letters (apostrophes, hyphens and dots allowed), no label words.
func looksLikeName(l string) bool {
	words := strings.Fields(l)
	if len(words) < 2 || len(words) > 5 || notName.MatchString(l) {
		return false
	}
	for _, w := range words {
		for _, r := range w {
			if !unicode.IsLetter(r) && r != '\'' && r != '-' && r != '.' {
				return false
			}
		}
	}
	return true
}

// NameTokens normalises a name into upper-case words without punctuation.
func NameTokens(s string) []string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r):
			return unicode.ToUpper(r)
		case r == '<' || r == '-' || unicode.IsSpace(r) || r == ',':
			return ' '
		}
		return -1
	}, s)
	return strings.Fields(s)
}

// SameName tells whether a name found somewhere holds the surname and the first
// given name of a person, in any order (a bill may print "ANNA ERIKSSON",
// a passport "ERIKSSON, ANNA MARIA").
func SameName(found, surname, givenNames string) bool {
	have := map[string]bool{}
	for _, t := range NameTokens(found) {
		have[t] = true
	}
	sur, given := NameTokens(surname), NameTokens(givenNames)
	if len(sur) == 0 {
		return false
	}
	for _, t := range sur {
		if !have[t] {
			return false
		}
	}
	return len(given) == 0 || have[given[0]]
}

// SameAddress compares a found address with an expected one by ZIP (first
// five digits) and house number, the parts OCR and abbreviations leave alone.
func SameAddress(found Address, street, zip string) bool {
	if zip != "" && !strings.HasPrefix(found.Zip, strings.TrimSpace(zip)[:min(5, len(strings.TrimSpace(zip)))]) {
		return false
	}
	if street != "" {
		a, b := strings.Fields(found.Street), strings.Fields(street)
		if len(a) == 0 || len(b) == 0 || !strings.EqualFold(a[0], b[0]) {
			return false
		}
	}
	return true
}
