package billing

import "testing"

func TestTierBoundaries(t *testing.T) {
	cases := []struct {
		lifetime string
		tier     string
		rate     string
	}{
		{"0", "Base", "0.50"},
		{"99.99", "Base", "0.50"},
		{"100.00", "Starter", "0.40"},
		{"249.99", "Starter", "0.40"},
		{"250", "Professional", "0.30"},
		{"499.99", "Professional", "0.30"},
		{"500.00", "Enterprise", "0.20"},
		{"100000", "Enterprise", "0.20"},
	}
	for _, tc := range cases {
		var c Cents
		if tc.lifetime != "0" {
			var err error
			if c, err = ParseUSD(tc.lifetime); err != nil {
				t.Fatal(err)
			}
		}
		got := DefaultTiers.For(c)
		if got.Name != tc.tier || got.Rate.String() != tc.rate {
			t.Errorf("lifetime %s: %s at %s, want %s at %s", tc.lifetime, got.Name, got.Rate, tc.tier, tc.rate)
		}
	}
}

func TestParseUSD(t *testing.T) {
	good := map[string]Cents{"100": 10000, "100.5": 10050, "100.05": 10005, "0.01": 1, "1000000.00": 100_000_000}
	for s, want := range good {
		if got, err := ParseUSD(s); err != nil || got != want {
			t.Errorf("%q: %v %v", s, got, err)
		}
	}
	for _, s := range []string{"", "0", "0.00", "-5", "+5", "1.234", "1.", ".5", "abc", "1e3", "1000000.01", "99999999999999999999", "1.-5"} {
		if got, err := ParseUSD(s); err == nil {
			t.Errorf("%q accepted as %v", s, got)
		}
	}
	for c, want := range map[Cents]string{0: "0.00", 5: "0.05", 2550: "25.50", -40: "-0.40", 100_000_000: "1000000.00"} {
		if c.String() != want {
			t.Errorf("%d: %s", c, c.String())
		}
	}
}

func TestParseTiers(t *testing.T) {
	tiers, err := ParseTiers("Gold:1000:0.10, Free:0:1.00")
	if err != nil || len(tiers) != 2 || tiers[0].Name != "Free" || tiers.For(100_000).Name != "Gold" {
		t.Fatalf("%+v %v", tiers, err)
	}
	if tiers, err := ParseTiers(""); err != nil || len(tiers) != len(DefaultTiers) {
		t.Errorf("empty: %v %v, want the default tiers", tiers, err)
	}
	for _, bad := range []string{" ", "A:10:0.5", "A:0", "A:0:free"} {
		if _, err := ParseTiers(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
