package aamva_test

import (
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/vision/aamva"
	"github.com/veridoc/veridoc/internal/vision/aamva/aamvatest"
)

// TestParseQuirks: what real readers meet beside the standard, each from
// the standard's text or a payload written here.
func TestParseQuirks(t *testing.T) {
	v1 := func(kv ...string) string {
		return aamvatest.Build(aamvatest.Card{IIN: "636025", Version: 1, Subfile: "DL", Elements: els(kv...)})
	}
	cases := []struct {
		name string
		text string
		want func(l *aamva.License) bool
	}{
		{"the 1990s header: file type AAMVA, the subfile's data at its offset without its type",
			"@\n\x1e\rAAMVA6360060101DL00290200DAAPUBLIC,JOHN,Q\nDAG1 MAIN ST\nDAIHARTFORD\nDAJCT\nDAK06103    \nDAQ123456789\nDBB19700101\nDBA20300101\nDBC1\r",
			func(l *aamva.License) bool {
				return l.Number == "123456789" && l.FamilyName == "PUBLIC" && l.FirstName == "JOHN" && l.MiddleNames == "Q" &&
					l.City == "HARTFORD" && l.BirthDate == day(1970, 1, 1) && l.Sex == "M"
			}},
		{"a later header whose offset points at the first element, not the type",
			strings.Replace(aamvatest.Build(aamvatest.Card{IIN: "636061", Version: 4, Subfile: "DL",
				Elements: els("DAQ", "X123", "DCS", "SMITH", "DAC", "JOE", "DBB", "01021980")}), "DL0031", "DL0033", 1),
			func(l *aamva.License) bool {
				return l.Number == "X123" && l.FamilyName == "SMITH" && l.FirstName == "JOE"
			}},
		{"a directory whose offsets are not numbers: the subfile is looked for",
			"@\n\x1e\rANSI 636014100001DLabcdefghDLDAQ77\nDCSDOE\nDACJANE\nDBB02031990\r",
			func(l *aamva.License) bool {
				return l.Number == "77" && l.FamilyName == "DOE" && l.BirthDate == day(1990, 2, 3)
			}},
		{"DAA with commas: family, first, middle (the standard's order)", v1("DAQ", "1", "DAA", "SMITH,JOHN,PAUL GEORGE"),
			func(l *aamva.License) bool {
				return l.FamilyName == "SMITH" && l.FirstName == "JOHN" && l.MiddleNames == "PAUL GEORGE"
			}},
		{"DAA with spaces only: as printed, family last", v1("DAQ", "1", "DAA", "JOHN PAUL GEORGE SMITH"),
			func(l *aamva.License) bool {
				return l.FamilyName == "SMITH" && l.FirstName == "JOHN" && l.MiddleNames == "PAUL GEORGE"
			}},
		{"DAA with one comma: family, then the given names together", v1("DAQ", "1", "DAA", "PUBLIC,JANE ANN"),
			func(l *aamva.License) bool {
				return l.FamilyName == "PUBLIC" && l.FirstName == "JANE" && l.MiddleNames == "ANN"
			}},
		{"DAC with a middle initial and no DAD", aamvatest.Build(aamvatest.Card{IIN: "636060", Version: 4, Subfile: "DL",
			Elements: els("DAQ", "9", "DCS", "DOE", "DAC", "JOHN Q", "DAD", "")}),
			func(l *aamva.License) bool { return l.FirstName == "JOHN" && l.MiddleNames == "Q" }},
		{"DAC of two words and no DAD stays whole", aamvatest.Build(aamvatest.Card{IIN: "636060", Version: 4, Subfile: "DL",
			Elements: els("DAQ", "9", "DCS", "DOE", "DAC", "MARY ANN")}),
			func(l *aamva.License) bool { return l.FirstName == "MARY ANN" && l.MiddleNames == "" }},
		{"DAA of one name", v1("DAQ", "1", "DAA", "MADONNA"), func(l *aamva.License) bool { return l.FamilyName == "MADONNA" && l.FirstName == "" }},
		{"segment terminators normalised to LF (a scanner's keyboard wedge)", strings.ReplaceAll(standardSample, "\r", "\n"),
			func(l *aamva.License) bool {
				return l.Number == "T64235789" && l.FamilyName == "SAMPLE" && l.City == "RICHMOND"
			}},
		{"no record separator and no segment terminator", strings.NewReplacer("\x1e", "", "\r", "").Replace(standardSample),
			func(l *aamva.License) bool { return l.Number == "T64235789" && l.FirstName == "MICHAEL" }},
		{"the residence address (DAL–DAP) where the mailing address is absent; a trailing comma",
			v1("DAQ", "1", "DAA", "DOE,JO", "DAL", "4455 SE 25TH ST,", "DAN", "PORTLAND", "DAO", "OR", "DAP", "97202    "),
			func(l *aamva.License) bool {
				return l.Street == "4455 SE 25TH ST" && l.City == "PORTLAND" && l.State == "OR" && l.PostalCode == "97202"
			}},
		{"DAA with a fourth field, the suffix", v1("DAQ", "1", "DAA", "CORTES,PAULO,,JR"),
			func(l *aamva.License) bool {
				return l.FamilyName == "CORTES" && l.FirstName == "PAULO" && l.MiddleNames == "" && l.Suffix == "JR"
			}},
		{"separators re-encoded by a keyboard wedge (stray bytes around each element)",
			strings.NewReplacer("\n", "\u0090\n\u0090", "\x1e", "\u0090", "\r", "\u0090").Replace(standardSample),
			func(l *aamva.License) bool {
				return l.Number == "T64235789" && l.FamilyName == "SAMPLE" && l.City == "RICHMOND" && l.PostalCode == "23269"
			}},
		{"separators lost before the file type: the offsets miss, the data follows the directory",
			strings.Replace(strings.Replace(aamvatest.Build(aamvatest.Card{IIN: "636061", Version: 4, Subfile: "DL",
				Elements: els("DAQ", "X9", "DCS", "ONEIL", "DAC", "KIM")}), "@\n\x1e\r", "@", 1), "DLDAQ", "DAQ", 1),
			func(l *aamva.License) bool {
				return l.Number == "X9" && l.FamilyName == "ONEIL" && l.FirstName == "KIM"
			}},
		{"a directory entry that is not one, the subfile inside it", "@\n\x1e\rANSI 990876030001DLxyzwDLDCSROE\nDAQ5\nDACMAY\r",
			func(l *aamva.License) bool { return l.Number == "5" && l.FamilyName == "ROE" && l.FirstName == "MAY" }},
		{"a ZIP+4 written with a space", v1("DAQ", "1", "DAA", "DOE,JO", "DAG", "1 A ST", "DAK", "72201 4455"),
			func(l *aamva.License) bool { return l.PostalCode == "72201-4455" }},
		{"versions 2–3: given names in DCT with a space", aamvatest.Build(aamvatest.Card{IIN: "636014", Version: 2, Subfile: "DL",
			Elements: els("DAQ", "1", "DCS", "ROE", "DCT", "MARY ANN LOUISE")}),
			func(l *aamva.License) bool { return l.FirstName == "MARY" && l.MiddleNames == "ANN LOUISE" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := aamva.Parse([]byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(l) {
				t.Errorf("got %+v", *l)
			}
		})
	}
}
