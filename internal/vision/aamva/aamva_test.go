package aamva_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/vision/aamva"
	"github.com/veridoc/veridoc/internal/vision/aamva/aamvatest"
)

// standardSample is the example barcode of the AAMVA DL/ID Card Design
// Standard (2020, annex D): Virginia, version 10, a DL subfile and a
// jurisdiction subfile ZV.
const standardSample = "@\n\x1e\rANSI 636000100002DL00410278ZV03190008" +
	"DLDAQT64235789\nDCSSAMPLE\nDDEN\nDACMICHAEL\nDDFN\nDADJOHN\nDDGN\nDCUJR\nDCAD\nDCBK\nDCDPH\nDBD06062019\nDBB06061986\n" +
	"DBA12102024\nDBC1\nDAU068 in\nDAYBRO\nDAG2300 WEST BROAD STREET\nDAIRICHMOND\nDAJVA\nDAK232690000  \nDCF2424244747474786102204\n" +
	"DCGUSA\nDCK123456789\nDDAF\nDDB06062018\nDDC06062020\nDDD1\rZVZVA01\r"

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func els(kv ...string) []aamvatest.Element {
	var out []aamvatest.Element
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, aamvatest.Element{ID: kv[i], Value: kv[i+1]})
	}
	return out
}

func TestParse(t *testing.T) {
	cases := []struct {
		name string
		text string
		want aamva.License
	}{
		{"the standard's sample (VA, v10)", standardSample, aamva.License{
			IIN: "636000", Version: 10, JurisdictionVersion: 0, Subfile: "DL", Number: "T64235789",
			FamilyName: "SAMPLE", FirstName: "MICHAEL", MiddleNames: "JOHN", Suffix: "JR",
			FamilyTruncated: "N", FirstTruncated: "N", MiddleTruncated: "N",
			BirthDate: day(1986, 6, 6), ExpiryDate: day(2024, 12, 10), IssueDate: day(2019, 6, 6), Sex: "M",
			Street: "2300 WEST BROAD STREET", City: "RICHMOND", State: "VA", PostalCode: "23269", Country: "US",
			EyeColor: "BRO", Height: "068 in",
		}},
		{"version 1 (FL): full name in DAA, CCYYMMDD", aamvatest.Build(aamvatest.Card{IIN: "636010", Version: 1, Subfile: "DL",
			Elements: els("DAQ", "D123456789012", "DAA", "DOE,JOHN,QUINCY", "DAG", "1 OCEAN DR", "DAI", "MIAMI", "DAJ", "FL",
				"DAK", "331390000", "DBB", "19800229", "DBA", "20300101", "DBD", "20220101", "DBC", "M")}),
			aamva.License{IIN: "636010", Version: 1, Subfile: "DL", Number: "D123456789012", FamilyName: "DOE", FirstName: "JOHN",
				MiddleNames: "QUINCY", BirthDate: day(1980, 2, 29), ExpiryDate: day(2030, 1, 1), IssueDate: day(2022, 1, 1), Sex: "M",
				Street: "1 OCEAN DR", City: "MIAMI", State: "FL", PostalCode: "33139", Country: "US"}},
		{"version 3 (CA): given names in DCT, ZIP+4", aamvatest.Build(aamvatest.Card{IIN: "636014", Version: 3, JurisdictionVersion: 1, Subfile: "DL",
			Elements: els("DCA", "C", "DAQ", "Y1234567", "DCS", "GARCIA", "DCT", "MARIA,ELENA", "DBB", "07041990", "DBA", "07042028",
				"DBD", "01152020", "DBC", "2", "DAG", "100 MAIN ST", "DAH", "APT 4", "DAI", "SAN FRANCISCO", "DAJ", "CA", "DAK", "941051234  ", "DCG", "USA")}),
			aamva.License{IIN: "636014", Version: 3, JurisdictionVersion: 1, Subfile: "DL", Number: "Y1234567", FamilyName: "GARCIA",
				FirstName: "MARIA", MiddleNames: "ELENA", BirthDate: day(1990, 7, 4), ExpiryDate: day(2028, 7, 4), IssueDate: day(2020, 1, 15),
				Sex: "F", Street: "100 MAIN ST", Street2: "APT 4", City: "SAN FRANCISCO", State: "CA", PostalCode: "94105-1234", Country: "US"}},
		{"version 8 (TX): an ID card, truncated family name", aamvatest.Build(aamvatest.Card{IIN: "636015", Version: 8, JurisdictionVersion: 2, Subfile: "ID",
			Elements: els("DAQ", "12345678", "DCS", "WOLFESCHLEGELSTEINHAUSENBERGERDOR", "DDE", "T", "DAC", "HUBERT", "DDF", "N", "DAD", "NONE", "DDG", "U",
				"DBB", "12311975", "DBA", "12312031", "DBD", "03012023", "DBC", "9", "DAG", "5 ELM", "DAI", "AUSTIN", "DAJ", "TX", "DAK", "78701",
				"DCG", "USA", "DAW", "180"), Jurisdiction: "ZT", Extra: els("ZTA", "X")}),
			aamva.License{IIN: "636015", Version: 8, JurisdictionVersion: 2, Subfile: "ID", Number: "12345678", FamilyName: "WOLFESCHLEGELSTEINHAUSENBERGERDOR",
				FirstName: "HUBERT", FamilyTruncated: "T", FirstTruncated: "N", MiddleTruncated: "U", BirthDate: day(1975, 12, 31),
				ExpiryDate: day(2031, 12, 31), IssueDate: day(2023, 3, 1), Sex: "X", Street: "5 ELM", City: "AUSTIN", State: "TX",
				PostalCode: "78701", Country: "US", Weight: "180"}},
		{"version 9 (ON): Canadian dates and postal code", aamvatest.Build(aamvatest.Card{IIN: "636012", Version: 9, JurisdictionVersion: 1, Subfile: "DL",
			Elements: els("DAQ", "T1234-56789-01234", "DCS", "TREMBLAY", "DAC", "LUC", "DAD", "", "DBB", "19850315", "DBA", "20290315",
				"DBD", "20240315", "DBC", "1", "DAG", "10 KING ST W", "DAI", "TORONTO", "DAJ", "ON", "DAK", "M5H1A1     ", "DCG", "CAN")}),
			aamva.License{IIN: "636012", Version: 9, JurisdictionVersion: 1, Subfile: "DL", Number: "T1234-56789-01234", FamilyName: "TREMBLAY",
				FirstName: "LUC", BirthDate: day(1985, 3, 15), ExpiryDate: day(2029, 3, 15), IssueDate: day(2024, 3, 15), Sex: "M",
				Street: "10 KING ST W", City: "TORONTO", State: "ON", PostalCode: "M5H1A1", Country: "CA"}},
		{"an offset that misses by two bytes", strings.Replace(aamvatest.Build(aamvatest.Card{IIN: "636001", Version: 10, Subfile: "DL",
			Elements: els("DAQ", "123456789", "DCS", "SMITH", "DAC", "ANNA", "DBB", "01021999", "DBA", "01022030", "DCG", "USA")}), "DL0031", "DL0029", 1),
			aamva.License{IIN: "636001", Version: 10, Subfile: "DL", Number: "123456789", FamilyName: "SMITH", FirstName: "ANNA",
				BirthDate: day(1999, 1, 2), ExpiryDate: day(2030, 1, 2), Country: "US"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := aamva.Parse([]byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			w := tc.want
			w.Jurisdiction, _ = aamva.LookupIIN(w.IIN)
			w.Elements = got.Elements
			if !reflect.DeepEqual(*got, w) {
				t.Errorf("got  %+v\nwant %+v", *got, w)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	good := aamvatest.Card{IIN: "636014", Version: 10, Subfile: "DL", Elements: els("DAQ", "X1", "DCS", "A", "DBB", "01021999")}
	noNumber := good
	noNumber.Elements = els("DCS", "A")
	badDate := good
	badDate.Elements = els("DAQ", "X1", "DBB", "13452019")
	for _, tc := range []struct {
		name, text string
		want       func(error) bool
	}{
		{"a QR code's text", "https://example.com", func(err error) bool { return errors.Is(err, aamva.ErrNotAAMVA) }},
		{"empty", "", func(err error) bool { return errors.Is(err, aamva.ErrNotAAMVA) }},
		{"a cut header", "@\n\x1e\rANSI 6360", func(err error) bool { var pe *aamva.ParseError; return errors.As(err, &pe) }},
		{"only a jurisdiction subfile", "@\n\x1e\rANSI 636014100001ZC00310005ZCZA\r", func(err error) bool { return errors.Is(err, aamva.ErrNoSubfile) }},
		{"no number", aamvatest.Build(noNumber), func(err error) bool { var pe *aamva.ParseError; return errors.As(err, &pe) }},
		{"a date that is none", aamvatest.Build(badDate), func(err error) bool {
			var pe *aamva.ParseError
			return errors.As(err, &pe) && strings.Contains(pe.Msg, "DBB")
		}},
	} {
		if _, err := aamva.Parse([]byte(tc.text)); !tc.want(err) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestLookupIIN(t *testing.T) {
	for iin, want := range map[string]string{"636014": "CA/US", "636012": "ON/CA", "604428": "QC/CA", "636043": "DC/US"} {
		j, ok := aamva.LookupIIN(iin)
		if !ok || j.Code+"/"+j.Country != want {
			t.Errorf("%s: %+v", iin, j)
		}
	}
	if _, ok := aamva.LookupIIN("999999"); ok {
		t.Error("an unknown IIN was found")
	}
}
