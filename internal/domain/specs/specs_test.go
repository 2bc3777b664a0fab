package specs

import "testing"

func TestCatalog(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() < 150 || c.Countries() < 80 {
		t.Fatalf("%d specs in %d countries; want at least 150 in 80", c.Len(), c.Countries())
	}
	us := c.ForCountry("us")
	if len(us) == 0 {
		t.Fatal("no US specs")
	}
	var passport *Spec
	for _, s := range us {
		if s.Key == "us-passport" {
			passport = s
		}
	}
	// The State Department's numbers, not the dataset's 70–80% note.
	if passport == nil || passport.WidthMm != 51 || passport.HeadMinMm != 25 || passport.HeadMaxMm != 35 ||
		passport.EyeLineMinMm != 28 || passport.EyeLineMaxMm != 35 || passport.HeadBasis != "official" || passport.WidthPx != 600 {
		t.Fatalf("US passport: %+v", passport)
	}
	for _, s := range c.byID {
		if s.HeadBasis == "icao_default" && (s.HeadMinMm != round1(0.7*s.HeightMm) || s.SourceURL == "") {
			t.Errorf("%s: default band not 70%% of the height: %+v", s.Key, s)
		}
	}
	if got, ok := c.Get(passport.ID); !ok || got != passport {
		t.Fatal("Get by id")
	}
	if len(c.ForCountry("XX")) != 0 {
		t.Fatal("unknown country has specs")
	}
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }

// TestAppearanceRules: every spec carries its expression and glasses rules
// with a source; the US takes a natural smile and no glasses, the rest
// follow ICAO 9303 unless the catalogue cites otherwise.
func TestAppearanceRules(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		country, expression, glasses string
	}{
		{"US", ExpressionSmile, GlassesNotAllowed},
		{"GB", ExpressionNeutral, GlassesAllowed},
		{"DE", ExpressionNeutral, GlassesAllowed},
	}
	for _, tc := range cases {
		list := c.ForCountry(tc.country)
		if len(list) == 0 {
			t.Fatalf("no %s specs", tc.country)
		}
		for _, s := range list {
			if s.Expression != tc.expression || s.Glasses != tc.glasses || s.AppearanceSource == "" {
				t.Errorf("%s: expression %q, glasses %q, source %q", s.Key, s.Expression, s.Glasses, s.AppearanceSource)
			}
		}
	}
}
