package main

import (
	"regexp"
	"strings"

	"github.com/veridoc/veridoc/internal/domain/specs"
)

// icaoMembersSource lists ICAO's 193 member states: the United Nations'
// members but Liechtenstein, and the Cook Islands.
const icaoMembersSource = "https://www.icao.int/about-icao/Pages/member-states.aspx"

// icaoOnly are the member states the dataset has no passport for, by ISO
// 3166-1 alpha-2, with their short names. Their passports get the ICAO
// default (icaoPassport) until an office's own rule is found and added to
// bands.
var icaoOnly = map[string]string{
	"AD": "Andorra", "AG": "Antigua and Barbuda", "AO": "Angola", "BB": "Barbados", "BF": "Burkina Faso",
	"BI": "Burundi", "BJ": "Benin", "BN": "Brunei Darussalam", "BO": "Bolivia", "BS": "Bahamas", "BT": "Bhutan",
	"BW": "Botswana", "BZ": "Belize", "CD": "Democratic Republic of the Congo", "CF": "Central African Republic",
	"CG": "Congo", "CI": "Côte d'Ivoire", "CK": "Cook Islands", "CR": "Costa Rica", "CU": "Cuba", "CV": "Cabo Verde",
	"DJ": "Djibouti", "DM": "Dominica", "EC": "Ecuador", "ER": "Eritrea", "FJ": "Fiji", "FM": "Micronesia",
	"GA": "Gabon", "GD": "Grenada", "GM": "Gambia", "GN": "Guinea", "GQ": "Equatorial Guinea", "GT": "Guatemala",
	"GW": "Guinea-Bissau", "GY": "Guyana", "HN": "Honduras", "HT": "Haiti", "JM": "Jamaica", "KI": "Kiribati",
	"KM": "Comoros", "KN": "Saint Kitts and Nevis", "KP": "Democratic People's Republic of Korea", "LA": "Lao People's Democratic Republic",
	"LC": "Saint Lucia", "LR": "Liberia", "LS": "Lesotho", "LU": "Luxembourg", "LY": "Libya", "MC": "Monaco",
	"MG": "Madagascar", "MH": "Marshall Islands", "ML": "Mali", "MN": "Mongolia", "MR": "Mauritania",
	"MU": "Mauritius", "MV": "Maldives", "MW": "Malawi", "MZ": "Mozambique", "NA": "Namibia", "NE": "Niger",
	"NI": "Nicaragua", "NR": "Nauru", "PA": "Panama", "PG": "Papua New Guinea", "PW": "Palau", "PY": "Paraguay",
	"RW": "Rwanda", "SB": "Solomon Islands", "SC": "Seychelles", "SL": "Sierra Leone", "SM": "San Marino",
	"SO": "Somalia", "SR": "Suriname", "SS": "South Sudan", "ST": "Sao Tome and Principe", "SV": "El Salvador",
	"SY": "Syrian Arab Republic", "SZ": "Eswatini", "TD": "Chad", "TG": "Togo", "TJ": "Tajikistan",
	"TL": "Timor-Leste", "TM": "Turkmenistan", "TO": "Tonga", "TT": "Trinidad and Tobago", "TV": "Tuvalu",
	"UG": "Uganda", "UY": "Uruguay", "VC": "Saint Vincent and the Grenadines", "VU": "Vanuatu", "WS": "Samoa",
	"ZM": "Zambia", "ZW": "Zimbabwe",
}

// icaoFrameSource says where an ICAO-default passport's frame comes from.
const icaoFrameSource = "no national rule in our sources (" + icaoMembersSource + " lists the state): " +
	"35×45 mm, the frame most of the published specifications use, with ICAO Doc 9303 Part 3's head band"

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// icaoPassport is a member state's passport by ICAO's recommendations: a
// 35×45 mm frame at 300 dpi, a plain light background, the head 70–80 % of
// the height (specOf's default bands), a neutral expression.
func icaoPassport(code, name string) Spec {
	slug := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(strings.NewReplacer("ô", "o", "'", "").Replace(name)), "-"), "-")
	d := document{ID: slug + "-passport", Name: name + " Passport", WidthMm: 35, HeightMm: 45, WidthPx: 413, HeightPx: 531, DPI: 300,
		Background: "Plain white or light grey", BgColor: "#ffffff"}
	s := specOf(code, name, d)
	if bands[d.ID].Frame == nil {
		s.FrameSource, s.FrameBasis = icaoFrameSource, specs.FrameICAODefault
	}
	if s.HeadBasis == icaoBasis {
		s.Notes = "ICAO default: check the issuing office's own rule before relying on it"
	}
	return s
}
