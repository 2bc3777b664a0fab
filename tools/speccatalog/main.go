// Command speccatalog regenerates internal/domain/specs/catalog.json, the document photo
// specifications Veridoc ships:
//
//	go run ./tools/speccatalog ../shared/data/passport-photo-specs.json internal/domain/specs/catalog.json
//
// Frame sizes, pixels, DPI and backgrounds come from passport-photo-specs (MIT,
// BlondDev-Art/passport-photo-specs; licence in internal/domain/specs/LICENSE.passport-photo-specs).
// Head and eye bands come from the table below (official pages where found,
// secondary reprints otherwise, each with its source); where none is known the
// ICAO default applies and the spec says so. Ids already in the output file are
// kept, so regenerating never renumbers a published spec.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/veridoc/veridoc/internal/domain/specs"
)

// band is what we know beyond the frame, keyed by the dataset's document id.
type band struct {
	HeadMin, HeadMax float64 // mm, chin to crown; 0: ICAO's default on the frame
	EyeMin, EyeMax   float64 // mm from the bottom edge; 0: default
	Basis            string  // "official" or "secondary"
	Source           string
	MinPx            int // digital minimum (shorter side), 0: none
	MaxKB            int // digital maximum file size, 0: none
	Note             string
	// Frame replaces the dataset's frame (or the ICAO default's) where the
	// band's source gives another; nil keeps it.
	Frame *frame
}

// frame is a photo's size as a band's source gives it.
type frame struct {
	WidthMm, HeightMm float64
	Source            string
}

const (
	usPassport = "https://travel.state.gov/content/travel/en/passports/how-apply/photos.html"
	usVisa     = "https://travel.state.gov/content/travel/en/us-visas/visa-information-resources/photos.html"
	gbPassport = "https://www.gov.uk/photos-for-passports"
	dePhoto    = "https://www.der-optiker-rieger.de/ (reprint of the BMI Foto-Mustertafel)"
	frPhoto    = "https://www.service-public.fr/particuliers/vosdroits/F10619"
	nlPhoto    = "https://www.rvig.nl/ (Fotomatrix model 2020)"
	caPhoto    = "https://www.canada.ca/en/immigration-refugees-citizenship/services/canadian-passports/photos.html"
	auPhoto    = "https://www.passports.gov.au/getting-passport-how-it-works/photo-guidelines"
	jpPhoto    = "https://www.mofa.go.jp/ (as quoted by goodwinsonline.com, ivisa.com)"
	cnPhoto    = "https://www.fmcoprc.gov.hk/"
	krPhoto    = "https://overseas.mofa.go.kr/ (MOFA template, reprinted at anhhochieu.vn)"
	sgPhoto    = "https://www.ica.gov.sg/ (as quoted by idphotodiy.com)"
	hkPhoto    = "https://www.immd.gov.hk/eng/useful_information/photo_requirements.html"
	inVisa     = "https://indianvisaonline.gov.in/ (as quoted by indiavisa.org.in)"
	myPhoto    = "https://www.imi.gov.my/ (as quoted by statusin.org)"
	trPhoto    = "https://www.mfa.gov.tr/ (consular notes via fastpassportphotoonline.com)"
	euVisa     = "https://eur-lex.europa.eu/eli/reg/2009/810/oj (EU Visa Code, ICAO photo rules)"
	jmPhoto    = "http://www.pica.gov.jm/passport-servies/general-passport-information/passport-photo-requirements/"
	fiPhoto    = "https://poliisi.fi/en/passport-photo-instructions (as reprinted by timpson.co.uk and 123passportphoto.com)"
	eePhoto    = "https://www.timpson.co.uk/services/passport-photos/international-passport-photo-sizes/estonia.html (chin to top of head 70–80 % of the height)"
	ltPhoto    = "https://www.timpson.co.uk/services/passport-photos/international-passport-photo-sizes/lithuania.html"
	atPhoto    = "https://www.bmi.gv.at/607/Passbild_Kriterien.aspx"
	plPhoto    = "https://kanton.msz.gov.pl/pl/informacje/paszporty/fotografia/fotografia (the passport regulation's 70–80 %: 31–36 mm)"
	chPhoto    = "https://www.schweizerpass.admin.ch/ (fedpol's Fotomustertafel, as reprinted at scribd.com and persofoto.de)"
	byPhoto    = "https://italy.mfa.gov.by/it/consular_issues/passport/foto/"
	aePhoto    = "https://www.khaleejtimes.com/life-and-living/visa-and-immigration-in-uae/uae-updates-personal-photo-criteria-for-issuing-renewing-passports-emirates-ids (ICP's criteria of December 2022: 35 × 40 mm)"
	ngPhoto    = "https://www.timpson.co.uk/services/passport-photos/international-passport-photo-sizes/nigeria.html (the face 70–80 % of the photo)"
	nzPhoto    = "https://www.passports.govt.nz/ (DIA's requirements as reprinted at china2au.com: head at most 80 % of the photo, 36 mm, at least 70 %, 32 mm; online photos as reprinted at 123passportphoto.com)"
	noPhoto    = "https://www.udi.no/en/word-definitions/photopassport-photo/ (the face 70–80 % of the photo; the same rules as for passports and ID cards)"
	sePhoto    = "https://polisen.se/ (PMFS 2021:2, as quoted by fastpassportphotoonline.com: head height 32–36 mm)"
	zaPhoto    = "http://www.dha.gov.za/ (Home Affairs' Passport & ID Photograph Specifications, as reprinted at hitpages.com: the face 70–80 % of the 35 × 45 mm photograph)"
	uaPhoto    = "https://acc.cv.ua/news/ukraine/v-ukrayini-robitimut-foto-na-pasport-za-mizhnarodnimi-standartami-48703 (the Cabinet of Ministers' resolution on ICAO's recommendations as reported: the face 70–80 % of the photograph)"
	icaoSource = "https://www.icao.int/publications/Documents/9303_p3_cons_en.pdf"
)

// appearance is a country's expression and glasses rules; countries not
// listed follow ICAO 9303 Part 3 (and ISO/IEC 19794-5, which it cites): a
// neutral expression with the mouth closed, glasses allowed when the eyes
// show clearly.
type appearance struct{ Expression, Glasses, Source string }

var appearances = map[string]appearance{
	// "Have a neutral facial expression or a natural smile"; "Glasses are not
	// allowed in passport photos" (since 1 November 2016).
	"US": {specs.ExpressionSmile, specs.GlassesNotAllowed, usPassport},
}

var icaoAppearance = appearance{specs.ExpressionNeutral, specs.GlassesAllowed, icaoSource}

// digital is what an office sets for an upload beyond bands' MinPx and
// MaxKB: the largest shorter side in px and the smallest file (../shared/data/PHOTO_SPECS.md).
type digital struct {
	MaxPx, MinKB int
	Source       string
}

var digitals = map[string]digital{
	"us-visa":     {1200, 0, usVisa + " (600×600 to 1200×1200 px, at most 240 KB)"},
	"uk-passport": {0, 50, "https://www.gov.uk/photos-for-passports (online: at least 600×750 px, 50 KB to 10 MB, as reprinted)"},
	"uk-visa":     {0, 50, "https://www.gov.uk/photos-for-passports (online: at least 600×750 px, 50 KB to 10 MB, as reprinted)"},
	"china-visa":  {420, 40, cnPhoto + " (354×472 to 420×560 px, 40–120 KB)"},
	"india-visa":  {1000, 10, inVisa + " (350×350 to 1000×1000 px, 10 KB to 1 MB)"},
	"nz-passport": {4500, 250, nzPhoto + " (online: 3:4, 900×1200 to 4500×6000 px, 250 KB to 10 MB)"},
}

var bands = map[string]band{
	"us-passport":              {25, 35, 28, 35, "official", usPassport, 0, 0, "2×2 in; eye line 1⅛–1⅜ in from the bottom", nil},
	"us-green-card":            {25, 35, 28, 35, "secondary", usPassport, 0, 0, "USCIS follows the State Department photo rules", nil},
	"us-visa":                  {25.5, 35.2, 28.6, 35.2, "official", usVisa, 600, 240, "DS-160 digital: head 50–69% and eyes 56–69% of the image height", nil},
	"uk-passport":              {29, 34, 0, 0, "official", gbPassport, 600, 0, "", nil},
	"uk-visa":                  {29, 34, 0, 0, "official", gbPassport, 600, 0, "", nil},
	"uk-id-card":               {29, 34, 0, 0, "secondary", gbPassport, 0, 0, "", nil},
	"schengen-visa":            {32, 36, 0, 0, "secondary", euVisa, 0, 0, "", nil},
	"germany-passport":         {32, 36, 22, 32, "official", dePhoto, 0, 0, "rejected only below 27 or above 40 mm", nil},
	"germany-id-card":          {32, 36, 22, 32, "official", dePhoto, 0, 0, "", nil},
	"germany-visa":             {32, 36, 22, 32, "secondary", dePhoto, 0, 0, "", nil},
	"germany-residence-permit": {32, 36, 22, 32, "secondary", dePhoto, 0, 0, "", nil},
	"france-passport":          {32, 36, 0, 0, "official", frPhoto, 0, 0, "white backgrounds are refused", nil},
	"france-id-card":           {32, 36, 0, 0, "official", frPhoto, 0, 0, "white backgrounds are refused", nil},
	"netherlands-passport":     {26, 30, 0, 0, "official", nlPhoto, 0, 0, "ages 11 and over", nil},
	"netherlands-residence":    {26, 30, 0, 0, "secondary", nlPhoto, 0, 0, "", nil},
	"canada-passport":          {31, 36, 0, 0, "official", caPhoto, 0, 0, "", nil},
	"canada-pr-card":           {31, 36, 0, 0, "secondary", caPhoto, 0, 0, "", nil},
	"canada-visa":              {31, 36, 0, 0, "official", "https://www.canada.ca/ (IRCC Ci51-193/2006E)", 420, 4096, "", nil},
	"australia-passport":       {32, 36, 0, 0, "official", auPhoto, 0, 0, "", nil},
	"australia-visa":           {32, 36, 0, 0, "secondary", auPhoto, 0, 0, "", nil},
	"japan-passport":           {32, 36, 0, 0, "secondary", jpPhoto, 0, 0, "top margin 2–6 mm", nil},
	"japan-visa":               {32, 36, 0, 0, "secondary", jpPhoto, 0, 0, "", nil},
	"china-visa":               {28, 33, 0, 0, "official", cnPhoto, 354, 120, "head width 15–22 mm; top margin 3–5 mm", nil},
	"china-passport":           {28, 33, 0, 0, "secondary", cnPhoto, 0, 0, "", nil},
	"south-korea-passport":     {32, 36, 0, 0, "secondary", krPhoto, 0, 0, "", nil},
	"singapore-passport":       {25, 35, 0, 0, "secondary", sgPhoto, 400, 0, "", nil},
	"singapore-nric":           {25, 35, 0, 0, "secondary", sgPhoto, 400, 0, "", nil},
	"hk-passport":              {32, 36, 0, 0, "official", hkPhoto, 1200, 5120, "", nil},
	"hk-id-card":               {32, 36, 0, 0, "secondary", hkPhoto, 0, 0, "", nil},
	"india-visa":               {25, 35, 28.6, 35, "secondary", inVisa, 350, 1024, "e-Visa: 350–1000 px square", nil},
	"malaysia-passport":        {25, 30, 0, 0, "secondary", myPhoto, 0, 0, "", nil},
	"turkey-passport":          {32, 36, 0, 0, "secondary", trPhoto, 0, 0, "", nil},
	"turkey-id-card":           {32, 36, 0, 0, "secondary", trPhoto, 0, 0, "", nil},
	// Passports that had the ICAO default, from the searches of 2026-12-07.
	"jamaica-passport": {25, 35, 0, 0, "official", jmPhoto, 0, 0, "the face 25–35 mm, chin to top of head; 3–4 mm from the head to the edge",
		&frame{35, 45, "https://www.timpson.co.uk/services/passport-photos/international-passport-photo-sizes/jamaica (45 × 35 mm)"}},
	"finland-passport": {32, 36, 0, 0, "secondary", fiPhoto, 0, 0, "chin to the top of the head without hair; 4–6 mm above the head, 7–9 mm below the chin", nil},
	"finland-id-card":  {32, 36, 0, 0, "secondary", fiPhoto, 0, 0, "chin to the top of the head without hair; 4–6 mm above the head, 7–9 mm below the chin", nil},
	"estonia-passport": {35, 40, 0, 0, "secondary", eePhoto, 0, 0, "", nil},
	"lithuania-passport": {31, 35, 0, 0, "secondary", ltPhoto, 0, 0, "printed 40 × 60 mm so that the 35 × 45 mm picture can be cut from it: 2–4 mm above the head, 8–10 mm below the chin",
		&frame{35, 45, ltPhoto + " (a 35 × 45 mm rectangle cut from a 40 × 60 mm print)"}},
	"austria-passport":     {30, 36, 0, 0, "official", atPhoto, 0, 0, "chin to crown about two thirds of the height, at most 36 mm; eyes at least 8 mm apart", nil},
	"austria-id-card":      {30, 36, 0, 0, "official", atPhoto, 0, 0, "chin to crown about two thirds of the height, at most 36 mm; eyes at least 8 mm apart", nil},
	"poland-passport":      {31, 36, 20, 30, "official", plPhoto, 0, 0, "the face at least 31 mm; eyes 20–30 mm from the bottom", nil},
	"switzerland-passport": {29, 34, 0, 0, "secondary", chPhoto, 0, 0, "chin to top of the skull; the portrait centred", nil},
	"belarus-passport": {32, 35, 0, 0, "official", byPhoto, 0, 0, "printed 40 × 50 mm and cut to 35 × 45 mm; chin to top of head 32–35 mm, 2–3 mm free above the head",
		&frame{35, 45, byPhoto + " (cut to 35 × 45 mm from a 40 × 50 mm print)"}},
	// ICP gives the frame and no head band: the ICAO default on its frame.
	"uae-passport":     {0, 0, 0, 0, "", "", 0, 0, "", &frame{35, 40, aePhoto}},
	"nigeria-passport": {31.5, 36, 0, 0, "secondary", ngPhoto, 0, 0, "", nil},
	// From the searches of the eighth session of 2026-12-07.
	"nz-passport":           {32, 36, 0, 0, "secondary", nzPhoto, 900, 10240, "head 70–80 % of the 45 mm height", nil},
	"norway-passport":       {31.5, 36, 0, 0, "official", noPhoto, 0, 0, "the police take the photo at the appointment; the face 70–80 % of the photo", nil},
	"norway-visa":           {31.5, 36, 0, 0, "official", noPhoto, 0, 0, "the face 70–80 % of the photo", nil},
	"sweden-passport":       {32, 36, 0, 0, "secondary", sePhoto, 0, 0, "the police take the photo at the office", nil},
	"sweden-id-card":        {32, 36, 0, 0, "secondary", sePhoto, 0, 0, "the police take the photo at the office", nil},
	"south-africa-passport": {31.5, 36, 0, 0, "secondary", zaPhoto, 0, 0, "the face 70–80 % of the photograph; not more than a month old", nil},
	"ukraine-intl-passport": {31.5, 36, 0, 0, "secondary", uaPhoto, 0, 0, "the face 70–80 % of the photograph; the State Migration Service photographs biometric passports at the office", nil},
}

// ISO 3166-1 alpha-2 for the dataset's country slugs. "schengen" is the EU (ISO's exceptional reservation).
var iso = map[string]string{
	"us": "US", "uk": "GB", "canada": "CA", "australia": "AU", "india": "IN", "schengen": "EU", "uae": "AE",
	"germany": "DE", "japan": "JP", "brazil": "BR", "mexico": "MX", "china": "CN", "indonesia": "ID", "finland": "FI",
	"france": "FR", "spain": "ES", "italy": "IT", "poland": "PL", "sweden": "SE", "norway": "NO", "denmark": "DK",
	"switzerland": "CH", "austria": "AT", "belgium": "BE", "portugal": "PT", "netherlands": "NL", "greece": "GR",
	"hungary": "HU", "romania": "RO", "ukraine": "UA", "turkey": "TR", "israel": "IL", "qatar": "QA", "kuwait": "KW",
	"saudi-arabia": "SA", "egypt": "EG", "south-africa": "ZA", "nigeria": "NG", "russia": "RU", "south-korea": "KR",
	"thailand": "TH", "vietnam": "VN", "malaysia": "MY", "philippines": "PH", "singapore": "SG", "hong-kong": "HK",
	"taiwan": "TW", "pakistan": "PK", "bangladesh": "BD", "argentina": "AR", "new-zealand": "NZ", "ireland": "IE",
	"iceland": "IS", "cyprus": "CY", "malta": "MT", "bulgaria": "BG", "croatia": "HR", "czech-republic": "CZ",
	"slovakia": "SK", "slovenia": "SI", "estonia": "EE", "latvia": "LV", "lithuania": "LT", "serbia": "RS",
	"bosnia": "BA", "montenegro": "ME", "north-macedonia": "MK", "albania": "AL", "moldova": "MD", "kazakhstan": "KZ",
	"belarus": "BY", "georgia": "GE", "armenia": "AM", "azerbaijan": "AZ", "uzbekistan": "UZ", "kyrgyzstan": "KG",
	"morocco": "MA", "tunisia": "TN", "algeria": "DZ", "jordan": "JO", "lebanon": "LB", "kenya": "KE", "nepal": "NP",
	"sri-lanka": "LK", "myanmar": "MM", "cambodia": "KH", "colombia": "CO", "peru": "PE", "chile": "CL",
	"ethiopia": "ET", "ghana": "GH", "iran": "IR", "tanzania": "TZ", "yemen": "YE", "iraq": "IQ", "senegal": "SN",
	"cameroon": "CM", "sudan": "SD", "bahrain": "BH", "oman": "OM", "venezuela": "VE", "afghanistan": "AF",
	"dominican-republic": "DO",
}

type source struct {
	Countries []struct {
		ID        string     `json:"id"`
		Name      string     `json:"name"`
		Documents []document `json:"documents"`
	} `json:"countries"`
}

// document is one of the dataset's documents.
type document struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	WidthMm      float64  `json:"widthMm"`
	HeightMm     float64  `json:"heightMm"`
	WidthPx      int      `json:"widthPx"`
	HeightPx     int      `json:"heightPx"`
	DPI          int      `json:"dpi"`
	Background   string   `json:"background"`
	BgColor      string   `json:"bgColor"`
	Requirements []string `json:"requirements"`
}

// Spec is one catalogue entry, the type the server loads.
type Spec = specs.Spec

const frameSource = "https://github.com/BlondDev-Art/passport-photo-specs (MIT)"

// icaoBasis marks a band taken from ICAO 9303's recommendation, not an office's rule.
const icaoBasis = "icao_default"

// editRefused finds, in a document's requirements, that its office refuses
// software-edited photos ("No retouching or AI editing - ICP rejects
// software-modified photos").
var editRefused = regexp.MustCompile(`(?i)no retouching|software-modified|must not be (digitally )?(altered|edited|retouched)`)

// docType classifies by the document id, then by its name ("US Visa & Passport" is us-passport).
func docType(id, name string) string {
	if t := classify(strings.ToLower(id)); t != specs.TypeOther {
		return t
	}
	return classify(strings.ToLower(name))
}

func classify(s string) string {
	switch {
	case strings.Contains(s, "visa"):
		return specs.TypeVisa
	case strings.Contains(s, "passport"):
		return specs.TypePassport
	case strings.Contains(s, "driv"):
		return specs.TypeDrivingLicence
	case strings.Contains(s, "residen"), strings.Contains(s, "permit"), strings.Contains(s, "green-card"), strings.Contains(s, "pr-card"),
		strings.Contains(s, "alien"), strings.Contains(s, "tie"), strings.Contains(s, "pass"):
		return specs.TypeResidencePermit
	case strings.Contains(s, "id"), strings.Contains(s, "card"), strings.Contains(s, "dni"), strings.Contains(s, "nric"):
		return specs.TypeIDCard
	default:
		return specs.TypeOther
	}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// pixels is mm at dpi, as the dataset rounds them (35 mm at 300 dpi: 413).
func pixels(mm float64, dpi int) int { return int(math.Round(mm / 25.4 * float64(dpi))) }

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: speccatalog passport-photo-specs.json catalog.json")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	check(err)
	var src source
	check(json.Unmarshal(raw, &src))

	ids := map[string]int64{}
	var next int64 = 1001
	if old, err := os.ReadFile(os.Args[2]); err == nil {
		var prev []Spec
		check(json.Unmarshal(old, &prev))
		for _, s := range prev {
			ids[s.Key] = s.ID
			next = max(next, s.ID+1)
		}
	}
	var out []Spec
	for _, c := range src.Countries {
		code, ok := iso[c.ID]
		if !ok {
			panic("no ISO code for " + c.ID)
		}
		for _, d := range c.Documents {
			s := specOf(code, c.Name, d)
			if id, ok := ids[s.Key]; ok {
				s.ID = id
			}
			out = append(out, s)
		}
	}
	// ICAO member states the dataset lacks a passport for.
	for code, name := range icaoOnly {
		s := icaoPassport(code, name)
		if id, ok := ids[s.Key]; ok {
			s.ID = id
		}
		out = append(out, s)
	}
	// New keys get ids in a stable (sorted) order after the existing ones.
	sort.Slice(out, func(i, j int) bool { return out[i].CountryCode+out[i].Key < out[j].CountryCode+out[j].Key })
	for i := range out {
		if out[i].ID == 0 {
			out[i].ID = next
			next++
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	b, err := json.MarshalIndent(out, "", "  ")
	check(err)
	check(os.WriteFile(os.Args[2], append(b, '\n'), 0o644))
	defaults := 0
	for _, s := range out {
		if s.Type == specs.TypePassport && s.HeadBasis == icaoBasis {
			defaults++
		}
	}
	fmt.Fprintf(os.Stderr, "%d specs, %d countries (%d passports with the ICAO default head band)\n", len(out), len(src.Countries)+len(icaoOnly), defaults)
}

// specOf builds the catalogue's entry for one of the dataset's documents:
// its frame, then what the tables above know of its bands, digital limits,
// appearance rules and edits.
func specOf(code, countryName string, d document) Spec {
	s := Spec{
		Key: d.ID, Name: d.Name, Type: docType(d.ID, d.Name), CountryCode: code, CountryName: countryName,
		WidthMm: d.WidthMm, HeightMm: d.HeightMm, DPI: d.DPI, WidthPx: d.WidthPx, HeightPx: d.HeightPx,
		Background: d.Background, BackgroundHex: d.BgColor, FrameSource: frameSource, FrameBasis: specs.FramePublished,
	}
	b := bands[d.ID]
	if b.Frame != nil {
		s.WidthMm, s.HeightMm = b.Frame.WidthMm, b.Frame.HeightMm
		s.WidthPx, s.HeightPx = pixels(b.Frame.WidthMm, s.DPI), pixels(b.Frame.HeightMm, s.DPI)
		s.FrameSource, s.FrameBasis = b.Frame.Source, specs.FramePublished
	}
	if b.HeadMin > 0 {
		s.HeadMinMm, s.HeadMaxMm, s.HeadBasis = b.HeadMin, b.HeadMax, b.Basis
		s.SourceURL, s.MinPx, s.MaxKB, s.Notes = b.Source, b.MinPx, b.MaxKB, b.Note
		if b.EyeMin > 0 {
			s.EyeLineMinMm, s.EyeLineMaxMm, s.EyeBasis = b.EyeMin, b.EyeMax, b.Basis
		}
	} else {
		// ICAO 9303 default: head 70–80% of the frame height.
		s.HeadMinMm, s.HeadMaxMm, s.HeadBasis = round1(0.70*s.HeightMm), round1(0.80*s.HeightMm), icaoBasis
		s.SourceURL = icaoSource
	}
	if s.EyeBasis == "" {
		// No published eye band: eyes 50–65% of the height from the bottom, which
		// keeps an ICAO-sized head inside the frame with a small top margin.
		s.EyeLineMinMm, s.EyeLineMaxMm, s.EyeBasis = round1(0.50*s.HeightMm), round1(0.65*s.HeightMm), icaoBasis
	}
	if dg, ok := digitals[d.ID]; ok {
		s.MaxPx, s.MinKB, s.DigitalSource = dg.MaxPx, dg.MinKB, dg.Source
	}
	a, ok := appearances[code]
	if !ok {
		a = icaoAppearance
	}
	s.Expression, s.Glasses, s.AppearanceSource = a.Expression, a.Glasses, a.Source
	s.BackgroundEdit = specs.EditsAllowed
	for _, r := range d.Requirements {
		if editRefused.MatchString(r) {
			s.BackgroundEdit, s.EditSource = specs.EditsForbidden, fmt.Sprintf("%s, %s: %q", frameSource, d.ID, r)
		}
	}
	return s
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "speccatalog:", err)
		os.Exit(1)
	}
}
