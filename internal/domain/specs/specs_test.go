package specs

import (
	"strings"
	"testing"
)

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

// icaoMembers are ICAO's 193 member states
// (https://www.icao.int/about-icao/Pages/member-states.aspx): the United
// Nations' members but Liechtenstein, and the Cook Islands.
const icaoMembers = `AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN BG BF BI CV KH CM CA CF TD CL
CN CO KM CG CD CK CR CI HR CU CY CZ KP DK DJ DM DO EC EG SV GQ ER EE SZ ET FJ FI FR GA GM GE DE GH GR GD GT GN GW GY HT
HN HU IS IN ID IR IQ IE IL IT JM JP JO KZ KE KI KW KG LA LV LB LS LR LY LT LU MG MW MY MV ML MT MH MR MU MX FM MD MC MN
ME MA MZ MM NA NR NP NL NZ NI NE NG MK NO OM PK PW PA PG PY PE PH PL PT QA KR RO RU RW KN LC VC WS SM ST SA SN RS SC SL
SG SK SI SB SO ZA SS ES LK SD SR SE CH SY TJ TZ TH TL TG TO TT TN TR TM TV UG UA AE GB US UY UZ VU VE VN YE ZM ZW`

// TestICAOMembers: every ICAO member state has a passport specification;
// where no office's rule was found, the entry says it is ICAO's default.
func TestICAOMembers(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	members := strings.Fields(icaoMembers)
	if len(members) != 193 {
		t.Fatalf("%d members listed, ICAO has 193", len(members))
	}
	defaults := 0
	for _, code := range members {
		var passport *Spec
		for _, s := range c.ForCountry(code) {
			if s.Type == TypePassport {
				passport = s
			}
		}
		switch {
		case passport == nil:
			t.Errorf("%s: no passport specification", code)
		case passport.FrameBasis == FrameICAODefault:
			defaults++
			if passport.HeadBasis != "icao_default" || !strings.Contains(passport.Notes, "ICAO default") {
				t.Errorf("%s: an ICAO-default frame must say so: %+v", code, passport)
			}
		case passport.FrameBasis != FramePublished:
			t.Errorf("%s: frame basis %q", code, passport.FrameBasis)
		}
	}
	t.Logf("193 member states: %d passports from published rules, %d by ICAO's default", 193-defaults, defaults)
}
