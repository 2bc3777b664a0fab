package mrz

import (
	"slices"
	"testing"
	"time"
)

// The French national identity card of 1988–2021, on cards written here
// from the ANTS layout: its own check digits, no expiry in the MRZ.
func TestFrenchID(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name, text                                 string
		surname, given, number, birth, sex, expiry string
		failed                                     []string
	}{
		{"an adult's card of 2005: 15 years", "IDFRADUPONT<<<<<<<<<<<<<<<<<<<075013\n0504075123458MARIE<CLAIRE<<8003155F9",
			"DUPONT", "MARIE CLAIRE", "050407512345", "1980-03-15", "F", "2020-04-30", nil},
		{"a minor's card of 1998: 10 years, a surname of two words", "IDFRALE<BRIS<<<<<<<<<<<<<<<<<<<<<<<<\n9812750012346JEAN<<<<<<<<<<0201014M6",
			"LE BRIS", "JEAN", "981275001234", "2002-01-01", "M", "2008-12-31", nil},
		{"a wrong composite", "IDFRADUPONT<<<<<<<<<<<<<<<<<<<075013\n0504075123458MARIE<CLAIRE<<8003155F1",
			"DUPONT", "MARIE CLAIRE", "050407512345", "1980-03-15", "F", "2020-04-30", []string{"composite"}},
		{"an O read for a 0 in the number, confirmed by the check digits", "IDFRADUPONT<<<<<<<<<<<<<<<<<<<075013\n05O4075123458MARIE<CLAIRE<<8003155F9",
			"DUPONT", "MARIE CLAIRE", "050407512345", "1980-03-15", "F", "2020-04-30", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse(tc.text, Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if r.Format != FRAID || r.Surname != tc.surname || r.GivenNames != tc.given || r.DocumentNumber != tc.number ||
				r.BirthDate != tc.birth || r.Sex != tc.sex || r.ExpiryDate != tc.expiry || r.Nationality != "FRA" || r.IssuingCountry != "FRA" {
				t.Errorf("got %+v", r)
			}
			if !slices.Equal(r.FailedChecks, tc.failed) {
				t.Errorf("failed checks %v, want %v", r.FailedChecks, tc.failed)
			}
		})
	}
}
