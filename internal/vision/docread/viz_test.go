package docread

import (
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/vision/mrz"
)

func TestCompareNames(t *testing.T) {
	cases := []struct {
		name          string
		sur, given    string // the MRZ's
		zone          string // the visual zone's text
		second        string // a second reading's names ("" = none)
		wantSur       string // status
		wantGiven     string
		wantSurname   string // after repairs
		wantRepairSur bool
	}{
		{"both shown", "ERIKSSON", "ANNA MARIA", "Surname ERIKSSON\nGiven names ANNA MARIA", "", VIZMatch, VIZMatch, "ERIKSSON", false},
		{"umlaut transliterated", "MAENNIK", "MARI LIIS", "Perekonnanimi MÄNNIK\nMARI-LIIS", "", VIZMatch, VIZMatch, "MAENNIK", false},
		{"accent dropped", "ESPANOLA", "CARMEN", "ESPAÑOLA\nCARMEN", "", VIZMatch, VIZMatch, "ESPANOLA", false},
		{"one letter, second reading sides with the zone", "FSPANOLA ESPANOLA", "CARMEN", "ESPAÑOLA ESPAÑOLA CARMEN", "ESPANOLA ESPANOLA CARMEN",
			VIZRepaired, VIZMatch, "ESPANOLA ESPANOLA", true},
		{"one letter, second reading sides with the MRZ", "SPECIMEN", "SVEN", "SPECINEN SVEN", "SPECIMEN SVEN", VIZDiffers, VIZMatch, "SPECIMEN", false},
		{"one letter, no second reading", "SPECIMEN", "SVEN", "SPECINEN SVEN", "", VIZDiffers, VIZMatch, "SPECIMEN", false},
		{"altered surname, given names intact", "HARTMANNSDORF", "ANNA", "HARTWANNSBORF\nANNA", "", VIZMismatch, VIZMatch, "HARTMANNSDORF", false},
		{"name not in what was read", "ERIKSSON", "ANNA", "PASSPORT 12 AUG 1974", "", VIZAbsent, VIZAbsent, "ERIKSSON", false},
		{"a mark inside a word", "LHFM", "IIFVYQYG OUN", "SURNAME LHFM\nGIVEN NAMES IIFVYQ@YG OUN", "", VIZMatch, VIZMatch, "LHFM", false},
		{"a label near a short name is no mismatch", "BIRUTE", "JONAS", "JONAS\nDATE OF BIRTH", "", VIZAbsent, VIZMatch, "BIRUTE", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &mrz.Result{Surname: c.sur, GivenNames: c.given,
				Lines: []string{"P<UTO" + strings.ReplaceAll(c.sur, " ", "<") + "<<" + strings.ReplaceAll(c.given, " ", "<")}}
			second := func() *mrz.Result {
				if c.second == "" {
					return nil
				}
				f := strings.Fields(c.second)
				return &mrz.Result{Surname: strings.Join(f[:len(f)-1], " "), GivenNames: f[len(f)-1]}
			}
			got := compareNames(m, vizWords(c.zone), second, true)
			status := map[string]string{}
			for _, f := range got {
				status[f.Name] = f.Status
			}
			if status["surname"] != c.wantSur || status["given_names"] != c.wantGiven {
				t.Fatalf("statuses %v, want surname %s, given names %s (%+v)", status, c.wantSur, c.wantGiven, got)
			}
			if m.Surname != c.wantSurname {
				t.Fatalf("surname %q, want %q", m.Surname, c.wantSurname)
			}
			if c.wantRepairSur && !strings.Contains(m.Lines[0], strings.ReplaceAll(c.wantSurname, " ", "<")) {
				t.Fatalf("the MRZ line was not repaired: %q", m.Lines[0])
			}
		})
	}
}

// TestCompareNamesUnjudged: a zone enlarged from too few pixels never
// makes a mismatch.
func TestCompareNamesUnjudged(t *testing.T) {
	m := &mrz.Result{Surname: "HARTMANNSDORF", GivenNames: "ANNA", Lines: []string{"P<UTOHARTMANNSDORF<<ANNA"}}
	none := func() *mrz.Result { return nil }
	for _, f := range compareNames(m, vizWords("HARTWANNSBORF\nANNA"), none, false) {
		if f.Status == VIZMismatch {
			t.Fatalf("%+v", f)
		}
	}
}

func TestCompareNumberAndBirth(t *testing.T) {
	// Q and G are ten apart: the check digit holds for both.
	cases := []struct {
		name, number, zone, second, want, status string
	}{
		{"shown", "L898902C3", "Passport No. L898902C3", "", "L898902C3", VIZMatch},
		{"shown with a space", "XS1234567", "No. XS 1234567", "", "XS1234567", VIZMatch},
		{"a confusion the check digit cannot see, settled", "4NGPR6QGN", "4NGPR6QQN", "4NGPR6QQN", "4NGPR6QQN", VIZRepaired},
		{"a confusion the check digit cannot see, unsettled", "4NGPR6QGN", "4NGPR6QQN", "", "4NGPR6QGN", VIZDiffers},
		{"absent", "L898902C3", "PASSPORT", "", "L898902C3", VIZAbsent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &mrz.Result{DocumentNumber: c.number, Lines: []string{"P<UTO", c.number + "0UTO"}}
			second := func() *mrz.Result {
				if c.second == "" {
					return nil
				}
				return &mrz.Result{DocumentNumber: c.second}
			}
			f := compareNumber(m, c.zone, second)
			if f.Status != c.status || m.DocumentNumber != c.want {
				t.Fatalf("%+v, number %q; want %s, %q", f, m.DocumentNumber, c.status, c.want)
			}
		})
	}
	births := []struct{ zone, status string }{
		{"Date of birth 12 AUG 1974", VIZMatch},
		{"12.08.1974", VIZMatch},
		{"12/08/74", VIZMatch},
		{"12 AOUT/AUG 74", VIZMatch},
		{"BIRTH 740812", VIZMatch},
		{"13.08.1974", VIZAbsent},
	}
	for _, b := range births {
		if f := compareBirth(&mrz.Result{BirthDate: "1974-08-12"}, b.zone); f.Status != b.status {
			t.Errorf("%q: %s, want %s", b.zone, f.Status, b.status)
		}
	}
}
