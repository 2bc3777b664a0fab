package mrz

import (
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func TestCheckDigit(t *testing.T) {
	for in, want := range map[string]byte{"520727": '3', "AB2134<<<": '5', "L898902C3": '6', "740812": '2', "120415": '9', "1234567890": '7'} {
		if got, ok := CheckDigit(in); !ok || got != want {
			t.Errorf("%s: %c, want %c", in, got, want)
		}
	}
	if _, ok := CheckDigit("ab"); ok {
		t.Error("lower case accepted")
	}
}

func TestVectors(t *testing.T) {
	cases := []struct {
		name, mrz string
		want      Result
	}{
		{"TD3 ICAO specimen", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
			Result{Format: TD3, DocumentCode: "P", IssuingCountry: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", DocumentNumber: "L898902C3",
				Nationality: "UTO", BirthDate: "1974-08-12", Sex: "F", ExpiryDate: "2012-04-15", PersonalNumber: "ZE184226B"}},
		{"TD3 older specimen", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C<3UTO6908061F9406236ZE184226B<<<<<14",
			Result{Format: TD3, DocumentCode: "P", IssuingCountry: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", DocumentNumber: "L898902C",
				Nationality: "UTO", BirthDate: "1969-08-06", Sex: "F", ExpiryDate: "1994-06-23", PersonalNumber: "ZE184226B"}},
		{"TD3 compound surname, empty personal number", "P<POLKOWALSKA<KWIATKOWSKA<<JOANNA<<<<<<<<<<<\nAA00000000POL6002084F1412314<<<<<<<<<<<<<<<4",
			Result{Format: TD3, DocumentCode: "P", IssuingCountry: "POL", Surname: "KOWALSKA KWIATKOWSKA", GivenNames: "JOANNA", DocumentNumber: "AA0000000",
				Nationality: "POL", BirthDate: "1960-02-08", Sex: "F", ExpiryDate: "2014-12-31"}},
		{"TD2 ICAO specimen", "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
			Result{Format: TD2, DocumentCode: "I", IssuingCountry: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", DocumentNumber: "D23145890",
				Nationality: "UTO", BirthDate: "1974-08-12", Sex: "F", ExpiryDate: "2012-04-15"}},
		{"TD1 ICAO specimen", "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
			Result{Format: TD1, DocumentCode: "I", IssuingCountry: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", DocumentNumber: "D23145890",
				Nationality: "UTO", BirthDate: "1974-08-12", Sex: "F", ExpiryDate: "2012-04-15"}},
		{"TD1 Austria", "IDAUT10000999<6<<<<<<<<<<<<<<<\n7109094F1112315AUT<<<<<<<<<<<4\nMUSTERFRAU<<ISOLDE<<<<<<<<<<<<",
			Result{Format: TD1, DocumentCode: "ID", IssuingCountry: "AUT", Surname: "MUSTERFRAU", GivenNames: "ISOLDE", DocumentNumber: "10000999",
				Nationality: "AUT", BirthDate: "1971-09-09", Sex: "F", ExpiryDate: "2011-12-31"}},
		{"TD1 no trailing filler in the name", "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<BEATRICEK",
			Result{Format: TD1, DocumentCode: "I", IssuingCountry: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA BEATRICEK", DocumentNumber: "D23145890",
				Nationality: "UTO", BirthDate: "1974-08-12", Sex: "F", ExpiryDate: "2012-04-15", Warnings: []string{"name field may be truncated"}}},
		{"TD1 long document number", "IDUTO123456789<07<<<<<<<<<<<<<\n8601012M3001019UTO<<<<<<<<<<<6\nSPECIMEN<<TEST<<<<<<<<<<<<<<<<",
			Result{Format: TD1, DocumentCode: "ID", IssuingCountry: "UTO", Surname: "SPECIMEN", GivenNames: "TEST", DocumentNumber: "1234567890",
				Nationality: "UTO", BirthDate: "1986-01-01", Sex: "M", ExpiryDate: "2030-01-01"}},
		{"MRV-A specimen", "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<",
			Result{Format: MRVA, DocumentCode: "V", IssuingCountry: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", DocumentNumber: "L8988901C",
				Nationality: "XXX", BirthDate: "1940-09-07", Sex: "F", ExpiryDate: "1996-12-10", OptionalData: "6ZE184226B"}},
		{"MRV-B specimen", "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<",
			Result{Format: MRVB, DocumentCode: "V", IssuingCountry: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", DocumentNumber: "L8988901C",
				Nationality: "XXX", BirthDate: "1940-09-07", Sex: "F", ExpiryDate: "1996-12-10"}},
		{"MRV-A sample", "VIUSATRAVELER<<HAPPYPERSON<<<<<<<<<<<<<<<<<<\n555123ABC6GBR6502056F04122361FLNDDDAM5803085",
			Result{Format: MRVA, DocumentCode: "VI", IssuingCountry: "USA", Surname: "TRAVELER", GivenNames: "HAPPYPERSON", DocumentNumber: "555123ABC",
				Nationality: "GBR", BirthDate: "1965-02-05", Sex: "F", ExpiryDate: "2004-12-23", OptionalData: "1FLNDDDAM5803085"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.mrz, Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if !got.Valid() {
				t.Fatalf("failed checks %v", got.FailedChecks)
			}
			w := tc.want
			if got.Format != w.Format || got.DocumentCode != w.DocumentCode || got.IssuingCountry != w.IssuingCountry ||
				got.Surname != w.Surname || got.GivenNames != w.GivenNames || got.DocumentNumber != w.DocumentNumber ||
				got.Nationality != w.Nationality || got.BirthDate != w.BirthDate || got.Sex != w.Sex ||
				got.ExpiryDate != w.ExpiryDate || got.PersonalNumber != w.PersonalNumber || got.OptionalData != w.OptionalData ||
				strings.Join(got.Warnings, ",") != strings.Join(w.Warnings, ",") {
				t.Fatalf("got  %+v\nwant %+v", *got, w)
			}
		})
	}
}

func TestFailedChecks(t *testing.T) {
	cases := []struct {
		name, mrz string
		failed    []string
	}{
		{"Austria with the composite flipped", "IDAUT10000999<6<<<<<<<<<<<<<<<\n7109094F1112315AUT<<<<<<<<<<<6\nMUSTERFRAU<<ISOLDE<<<<<<<<<<<<", []string{"composite"}},
		{"wrong birth date digit", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408123F1204159ZE184226B<<<<<10", []string{"birth_date", "composite"}},
		{"wrong document digit", "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458908UTO7408122F1204159<<<<<<<6", []string{"document_number", "composite"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.mrz, Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got.FailedChecks, ",") != strings.Join(tc.failed, ",") {
				t.Fatalf("failed %v, want %v", got.FailedChecks, tc.failed)
			}
		})
	}
}

// OCR slips are repaired only when the check digit confirms the repair.
func TestRepairs(t *testing.T) {
	// O for 0 in the birth date, and I for 1 in the expiry date.
	got, err := Parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO74O8122F12O4I59ZE184226B<<<<<10", Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if got.BirthDate != "1974-08-12" || got.ExpiryDate != "2012-04-15" || len(got.Repairs) != 2 {
		t.Fatalf("%+v", got)
	}
	// The repaired dates are part of the composite, which then holds.
	if !got.Valid() || got.Lines[1] != "L898902C36UTO7408122F1204159ZE184226B<<<<<10" {
		t.Fatalf("repairs not carried into the composite: %+v", got)
	}
	// O for 0 in a TD3 document number: its check digit and the composite
	// (computed with the repair) confirm it; Lines holds the repaired MRZ.
	got, _ = Parse("P<UTOIFIW<<BATPSQYG<SKHVGJ<<<<<<<<<<<<<<<<<<\nOWYJZUPOE9UTO7802041M3410026CZBZ747<<<<<<<92", Options{Now: now})
	if got.DocumentNumber != "0WYJZUPOE" || !got.Valid() || got.Lines[1] != "0WYJZUPOE9UTO7802041M3410026CZBZ747<<<<<<<92" {
		t.Fatalf("TD3 document repair: %+v", got)
	}
	// A check digit read as a letter.
	got, _ = Parse("I<UTOD231458907<<<<<<<<<<<<<<<\n74O812ZF12O4159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<", Options{Now: now})
	if !got.Valid() || got.Lines[1] != "7408122F1204159UTO<<<<<<<<<<<6" {
		t.Fatalf("TD1 date and check digit repair: %+v", got)
	}
	// S for 5 in the document number, confirmed by its check digit and the composite.
	got, _ = Parse("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD2314S8907UTO7408122F1204159<<<<<<<6", Options{Now: now})
	if got.DocumentNumber != "D23145890" || !contains(got.Repairs, "document_number") {
		t.Fatalf("document repair: %+v", got)
	}
	// 0 for O in a TD3 personal number: its check digit and the composite
	// confirm the repair.
	got, _ = Parse("P<D<<AGGKNKSQ<<FWLIHX<BNCJKD<<<<<<<<<<<<<<<<\nL9069RO3X0D<<6305017M2704014039HF1BK8<<<<<68", Options{Now: now})
	if got.PersonalNumber != "O39HF1BK8" || !got.Valid() || !contains(got.Repairs, "personal_number") {
		t.Fatalf("personal number repair: %+v", got)
	}
	// Where two repairs would hold (ZE184Z268 and ZE184226B), none is made.
	got, _ = Parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE1842268<<<<<10", Options{Now: now})
	if got.Valid() || !contains(got.FailedChecks, "personal_number") {
		t.Fatalf("ambiguous personal number repaired: %+v", got)
	}
	// A repair the check digit does not confirm is not made.
	got, _ = Parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408I23F1204159ZE184226B<<<<<10", Options{Now: now})
	if got.BirthDate == "1974-08-12" || !contains(got.FailedChecks, "birth_date") {
		t.Fatalf("unconfirmed repair made: %+v", got)
	}
}

// TestNameDigits: a name holds letters only, so a digit OCR put there is
// the letter it looks like, in every layout with an ICAO name field; a
// digit no letter resembles stays as read.
func TestNameDigits(t *testing.T) {
	cases := []struct {
		name, mrz, surname, given, line string
		at                              int // the line holding the names
	}{
		{"TD3", "P<UTOS0BYMQK<<JNHXQAQD<CXPA<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
			"SOBYMQK", "JNHXQAQD CXPA", "P<UTOSOBYMQK<<JNHXQAQD<CXPA<<<<<<<<<<<<<<<<<", 0},
		{"TD1", "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nER1KSS0N<<ANNA<MAR1A<<<<<<<<<<",
			"ERIKSSON", "ANNA MARIA", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<", 2},
		{"TD2", "I<UTOERIKSSON<<ANNA<8EATR5<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
			"ERIKSSON", "ANNA BEATRS", "I<UTOERIKSSON<<ANNA<BEATRS<<<<<<<<<<", 0},
		{"a digit like no letter", "P<UTOERIKSSON<<ANNA<MAR4A<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
			"ERIKSSON", "ANNA MAR4A", "P<UTOERIKSSON<<ANNA<MAR4A<<<<<<<<<<<<<<<<<<<", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Parse(c.mrz, Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if got.Surname != c.surname || got.GivenNames != c.given || got.Lines[c.at] != c.line {
				t.Fatalf("%+v", got)
			}
			if repaired := contains(got.Repairs, "names"); repaired != (c.mrz != strings.Join(got.Lines, "\n")) {
				t.Fatalf("repairs %v for lines %q", got.Repairs, got.Lines)
			}
		})
	}
}

func TestDateCenturies(t *testing.T) {
	p := &parser{r: &Result{}, now: now}
	cases := []struct {
		yymmdd string
		birth  bool
		want   string
	}{
		{"261121", true, "2026-11-21"}, {"261123", true, "1926-11-23"}, {"990101", true, "1999-01-01"},
		{"300101", false, "2030-01-01"}, {"760101", false, "2076-01-01"}, {"770101", false, "1977-01-01"},
	}
	for _, tc := range cases {
		if got := p.date("d", tc.yymmdd, tc.birth); got != tc.want {
			t.Errorf("%s birth=%v: %s, want %s", tc.yymmdd, tc.birth, got, tc.want)
		}
	}
}

func TestRejectsNonMRZ(t *testing.T) {
	for _, s := range []string{"", "hello", "P<UTO\nL89", "p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1é"} {
		if _, err := Parse(s, Options{Now: now}); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")
	f.Add("IDUTO123456789<07<<<<<<<<<<<<<\n8601012M3001019UTO<<<<<<<<<<<6\nSPECIMEN<<TEST<<<<<<<<<<<<<<<<")
	f.Add("I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<")
	f.Add("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s, Options{Now: now})
		if err == nil && r == nil {
			t.Fatal("nil result without error")
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestDocumentCode: the document code's first character is the format's
// (ICAO 9303: P for a passport, A, C or I for a card, V for a visa). One
// OCR confusion from exactly one of them is repaired; anything else is a
// warning and the read stands.
func TestDocumentCode(t *testing.T) {
	const td3 = "<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
	const td1 = "<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
	const td2 = "<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
	cases := []struct {
		name, mrz, code, repair string
		warned                  bool
	}{
		{"passport", "P" + td3, "P", "", false},
		{"passport read F", "F" + td3, "P", "document_code F→P", false},
		{"passport read R", "R" + td3, "P", "document_code R→P", false},
		{"passport read X", "X" + td3, "X", "", true},
		{"card", "I" + td1, "I", "", false},
		{"card read 1", "1" + td1, "I", "document_code 1→I", false},
		{"card read L", "L" + td1, "I", "document_code L→I", false},
		{"card as a passport", "P" + td1, "P", "", true},
		{"TD2 card", "A" + td2, "A", "", false},
		{"TD2 read G", "G" + td2, "C", "document_code G→C", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Parse(c.mrz, Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if got.DocumentCode != c.code || (len(got.Warnings) > 0) != c.warned || got.Lines[0][:1] != c.code || !got.Valid() {
				t.Fatalf("code %q, warnings %v, failed %v, line %q; want %q, warned %v", got.DocumentCode, got.Warnings, got.FailedChecks, got.Lines[0], c.code, c.warned)
			}
			if c.repair != "" && !contains(got.Repairs, c.repair) {
				t.Fatalf("repairs %v, want %q", got.Repairs, c.repair)
			}
		})
	}
}
