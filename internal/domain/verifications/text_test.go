package verifications_test

import (
	"context"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/docread"
)

var billLines = []string{"CITY POWER & LIGHT", "Statement date: 2026-10-01", "Account number 4471-2290", "",
	"ANNA MARIA ERIKSSON", "742 Evergreen Terrace", "Springfield, TN 37172", "", "Amount due: $45.20"}

func TestFindAddress(t *testing.T) {
	cases := []struct {
		name, text                       string
		street, city, state, zip, person string
		ok                               bool
	}{
		{"bill", "CITY POWER\nAccount 1234\nANNA MARIA ERIKSSON\n742 Evergreen Terrace\nSpringfield, TN 37172\n", "742 Evergreen Terrace", "Springfield", "TN", "37172", "ANNA MARIA ERIKSSON", true},
		{"state name and zip+4", "Homer J Simpson\n742 Evergreen Ter.\nSpringfield, Tennessee 92026-1234", "742 Evergreen Ter.", "Springfield", "Tennessee", "92026-1234", "Homer J Simpson", true},
		{"apartment", "JOHN DOE\n12 Main St Apt 4B\nAustin TX 78701", "12 Main St Apt 4B", "Austin", "TX", "78701", "JOHN DOE", true},
		{"po box, label above", "Account Number 55\nPO BOX 1200\nDenver, CO 80201", "PO BOX 1200", "Denver", "CO", "80201", "", true},
		{"no city line", "742 Evergreen Terrace\nSomewhere", "", "", "", "", "", false},
		{"no street", "Springfield, TN 37172", "", "", "", "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, name, ok := verifications.FindAddress(c.text)
			if ok != c.ok || a.Street != c.street || a.City != c.city || a.State != c.state || a.Zip != c.zip || name != c.person {
				t.Fatalf("got %+v %q %v", a, name, ok)
			}
		})
	}
}

func TestNamesAndAddresses(t *testing.T) {
	names := []struct {
		found, surname, given string
		want                  bool
	}{
		{"ANNA MARIA ERIKSSON", "ERIKSSON", "ANNA MARIA", true},
		{"Eriksson, Anna", "ERIKSSON", "ANNA MARIA", true},
		{"ANNA SMITH", "ERIKSSON", "ANNA", false},
		{"MARIA ERIKSSON", "ERIKSSON", "ANNA MARIA", false}, // the first given name must be there
		{"KOWALSKA-KWIATKOWSKA JOANNA", "KOWALSKA KWIATKOWSKA", "JOANNA", true},
		{"ANYONE", "", "", false},
	}
	for _, n := range names {
		if got := verifications.SameName(n.found, n.surname, n.given); got != n.want {
			t.Errorf("SameName(%q, %q, %q) = %v", n.found, n.surname, n.given, got)
		}
	}
	a := verifications.Address{Street: "742 Evergreen Terrace", Zip: "37172-0001"}
	for _, c := range []struct {
		street, zip string
		want        bool
	}{{"742 Evergreen Ter", "37172", true}, {"743 Evergreen Terrace", "37172", false}, {"742 Evergreen Terrace", "37173", false}, {"", "37172", true}} {
		if got := verifications.SameAddress(a, c.street, c.zip); got != c.want {
			t.Errorf("SameAddress(%q, %q) = %v", c.street, c.zip, got)
		}
	}
}

// A photographed bill and the same bill as a PDF both read back to the address.
func TestReadBill(t *testing.T) {
	r := docread.New(docread.Options{ModelsDir: testenv.ModelsDir(t), Now: time.Now})
	defer r.Close()
	pdfPage, err := verifications.RenderPDFPage(testdocs.BillPDF(t, billLines))
	if err != nil {
		t.Fatal(err)
	}
	for name, img := range map[string][]byte{"photo": testdocs.Bill(t, billLines, 2.5), "pdf": pdfPage} {
		text, err := r.Text(context.Background(), img)
		if err != nil {
			t.Fatal(err)
		}
		a, person, ok := verifications.FindAddress(text)
		if !ok || a.Zip != "37172" || a.City != "Springfield" || person != "ANNA MARIA ERIKSSON" || a.Street != "742 Evergreen Terrace" {
			t.Errorf("%s: read %+v %q %v from\n%s", name, a, person, ok, text)
		}
	}
}
