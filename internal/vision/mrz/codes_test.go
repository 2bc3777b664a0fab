package mrz

import (
	"slices"
	"testing"
	"time"
)

func TestValidCode(t *testing.T) {
	for code, want := range map[string]bool{"NLD": true, "USA": true, "MCO": true, "D": true, "UTO": true, "XXA": true, "GBN": true,
		"EUE": true, "RKS": true, "MLD": false, "MC0": false, "GBA": false, "ZZZ": false, "": false, "DEU": true, "DE": false} {
		if ValidCode(code) != want {
			t.Errorf("ValidCode(%q) = %v", code, !want)
		}
	}
}

func TestCorrectCode(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"MC0", "MCO", true}, // a digit where only letters go
		{"MLD", "NLD", true}, // M for N: no code MLD, HLD or WLD
		{"UT0", "UTO", true}, // the specimen state
		{"5WE", "SWE", true}, // a digit again
		{"GBA", "", false},   // nothing valid one confusion away
		{"QQQ", "", false},   // nothing at all
		{"XKD", "", false},   // several or none: never a guess
		{"1TA", "ITA", true}, // I read as 1
		{"C0L", "COL", true}, // one of several confusions of 0 valid
		{"B0L", "BOL", true}, // Bolivia
		{"8EL", "BEL", true}, // Belgium
		{"6BR", "GBR", true}, // G read as 6
		{"P0L", "POL", true}, // Poland
		{"FRA", "", false},   // valid already: nothing to correct
		{"D<<", "", false},   // fillers are trimmed before the check
		{"AUT", "", false},   // valid
		{"HUM", "HUN", true}, // M for N at the end
		{"LVV", "", false},   // no valid code one confusion away
		{"CAM", "CAN", true}, // Canada; CAM is not a code
		{"IRM", "IRN", true}, // Iran
		{"NLO", "NLD", true}, // O for D
		{"0MN", "OMN", true}, // Oman
		{"SVVE", "", false},  // not three letters
		{"", "", false},      // nothing read
		{"UKR", "", false},   // valid
		{"DNX", "DNK", true}, // X for K
		{"ARE", "", false},   // valid
		{"CHF", "CHE", true}, // F for E
	}
	for _, tc := range cases {
		if ValidCode(tc.in) {
			if tc.ok {
				t.Errorf("%s is valid already", tc.in)
			}
			continue
		}
		got, ok := correctCode(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("correctCode(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// A code outside the list is corrected when one confusion reaches exactly
// one valid code, and fails its check otherwise; the lines follow.
func TestParseChecksCodes(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fixed, err := Parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36MLD7408122F1204159ZE184226B<<<<<10", Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if fixed.Nationality != "NLD" || !slices.Contains(fixed.Repairs, "nationality MLD→NLD") || fixed.Lines[1][10:13] != "NLD" || !fixed.Valid() {
		t.Errorf("corrected: %+v", fixed)
	}
	bad, err := Parse("P<QQQERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10", Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if bad.IssuingCountry != "QQQ" || !slices.Contains(bad.FailedChecks, "issuing_country_code") || bad.Valid() {
		t.Errorf("refused: %+v", bad)
	}
}
