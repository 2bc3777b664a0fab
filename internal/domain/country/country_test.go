package country

import "testing"

func TestLookup(t *testing.T) {
	cases := []struct {
		in, a2, a3 string
		ok         bool
	}{
		{"us", "US", "USA", true}, {"USA", "US", "USA", true}, {"D", "DE", "DEU", true}, {"D<<", "DE", "DEU", true},
		{"gbr", "GB", "GBR", true}, {"GBD", "GB", "GBR", true}, {"NLD", "NL", "NLD", true},
		{"UTO", "", "", false}, {"XX", "", "", false}, {"", "", "", false}, {"U1", "", "", false}, {"UNITED STATES", "", "", false},
	}
	for _, c := range cases {
		got, ok := Lookup(c.in)
		if ok != c.ok || got.Alpha2 != c.a2 || got.Alpha3 != c.a3 {
			t.Errorf("Lookup(%q) = %+v, %v; want %s/%s %v", c.in, got, ok, c.a2, c.a3, c.ok)
		}
	}
	if FromMRZ("UTO") != "UTO" || FromMRZ("D<<") != "DE" || FromMRZ("FRA") != "FR" {
		t.Error("FromMRZ")
	}
}
