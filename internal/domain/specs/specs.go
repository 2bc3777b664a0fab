// Package specs is the catalogue of document photo specifications (frame,
// resolution, head and eye bands, background), shipped in catalog.json and
// loaded once with stable ids. Regenerate it with tools/speccatalog.
package specs

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/veridoc/veridoc/internal/platform/fault"
)

// ErrNotFound: no specification with the id.
var ErrNotFound = fault.Declare("SpecificationNotFound", fault.NotFound)

//go:embed catalog.json
var catalogJSON []byte

// Document types of a specification.
const (
	TypePassport        = "passport"
	TypeVisa            = "visa"
	TypeIDCard          = "id_card"
	TypeResidencePermit = "residence_permit"
	TypeDrivingLicence  = "driving_licence"
	TypeOther           = "other"
)

// Expression and glasses rules of a specification.
const (
	ExpressionNeutral = "neutral"
	ExpressionSmile   = "natural_smile"
	GlassesAllowed    = "allowed"
	GlassesNotAllowed = "not_allowed"
	// BackgroundEdit: whether the office takes a photo whose background
	// software replaced or cleaned.
	EditsAllowed   = "allowed"
	EditsForbidden = "forbidden"
	// FrameBasis: a frame from an office's rule, or ICAO's default.
	FramePublished   = "published"
	FrameICAODefault = "icao_default"
	FrameAccount     = "account" // an account's own specification
)

// Types lists the document types.
var Types = []string{TypePassport, TypeVisa, TypeIDCard, TypeResidencePermit, TypeDrivingLicence, TypeOther}

// Spec is one document's photo requirements. Band bases say where a number
// comes from: "official", "secondary" or "icao_default" (no published band).
type Spec struct {
	ID            int64   `json:"id"`
	Key           string  `json:"key"`
	Name          string  `json:"name"`
	Type          string  `json:"type"`
	CountryCode   string  `json:"country_code"`
	CountryName   string  `json:"country_name"`
	WidthMm       float64 `json:"width_mm"`
	HeightMm      float64 `json:"height_mm"`
	DPI           int     `json:"dpi"`
	WidthPx       int     `json:"width_px"`
	HeightPx      int     `json:"height_px"`
	HeadMinMm     float64 `json:"head_min_mm"`
	HeadMaxMm     float64 `json:"head_max_mm"`
	EyeLineMinMm  float64 `json:"eye_line_min_mm"`
	EyeLineMaxMm  float64 `json:"eye_line_max_mm"`
	HeadBasis     string  `json:"head_basis"`
	EyeBasis      string  `json:"eye_basis"`
	Background    string  `json:"background"`
	BackgroundHex string  `json:"background_hex"`
	// Expression is "neutral" (mouth closed, ICAO 9303) or "natural_smile";
	// Glasses "allowed" or "not_allowed"; AppearanceSource cites both.
	Expression       string `json:"expression"`
	Glasses          string `json:"glasses"`
	AppearanceSource string `json:"appearance_source"`
	// BackgroundEdit is "forbidden" where the office refuses software-edited
	// photos (photo.process then keeps the photo's own background, as it
	// is), "allowed" otherwise; EditSource cites a refusal.
	BackgroundEdit string `json:"background_edit"`
	EditSource     string `json:"edit_source,omitempty"`
	MinPx          int    `json:"min_px,omitempty"`
	// MaxPx (the shorter side, as MinPx) and MinKB bound a digital upload, where
	// the office sets them (DigitalSource cites them).
	MaxPx         int    `json:"max_px,omitempty"`
	MinKB         int    `json:"min_kb,omitempty"`
	DigitalSource string `json:"digital_source,omitempty"`
	MaxKB         int    `json:"max_kb,omitempty"`
	SourceURL     string `json:"source_url"`
	FrameSource   string `json:"frame_source"`
	// FrameBasis is "published" where an office or a dataset of offices'
	// rules gives the frame, "icao_default" where none was found and ICAO
	// 9303's recommendations stand in (FrameSource says so); "account" for
	// an account's own.
	FrameBasis string `json:"frame_basis"`
	Notes      string `json:"notes,omitempty"`
}

// Catalog is the loaded catalogue.
type Catalog struct {
	byID      map[int64]*Spec
	byCountry map[string][]*Spec
}

// Load parses the embedded catalogue and checks every entry.
func Load() (*Catalog, error) {
	var all []Spec
	if err := json.Unmarshal(catalogJSON, &all); err != nil {
		return nil, fmt.Errorf("specs: %w", err)
	}
	c := &Catalog{byID: map[int64]*Spec{}, byCountry: map[string][]*Spec{}}
	for i := range all {
		s := &all[i]
		if err := s.validate(); err != nil {
			return nil, err
		}
		if _, dup := c.byID[s.ID]; dup {
			return nil, fmt.Errorf("specs: duplicate id %d", s.ID)
		}
		c.byID[s.ID] = s
		c.byCountry[s.CountryCode] = append(c.byCountry[s.CountryCode], s)
	}
	for _, list := range c.byCountry {
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	}
	return c, nil
}

func (s *Spec) validate() error {
	switch {
	case s.ID <= 0 || s.Name == "" || len(s.CountryCode) != 2 || s.SourceURL == "":
		return fmt.Errorf("specs: %q: missing id, name, country or source", s.Key)
	case s.WidthMm <= 0 || s.HeightMm <= 0 || s.DPI <= 0 || s.WidthPx <= 0 || s.HeightPx <= 0:
		return fmt.Errorf("specs: %q: bad frame", s.Key)
	case s.HeadMinMm <= 0 || s.HeadMinMm > s.HeadMaxMm || s.HeadMaxMm > s.HeightMm:
		return fmt.Errorf("specs: %q: bad head band", s.Key)
	case s.EyeLineMinMm <= 0 || s.EyeLineMinMm > s.EyeLineMaxMm || s.EyeLineMaxMm > s.HeightMm:
		return fmt.Errorf("specs: %q: bad eye band", s.Key)
	case (s.Expression != ExpressionNeutral && s.Expression != ExpressionSmile) || (s.Glasses != GlassesAllowed && s.Glasses != GlassesNotAllowed) || s.AppearanceSource == "":
		return fmt.Errorf("specs: %q: expression and glasses rules need a value and a source", s.Key)
	case s.FrameBasis != FramePublished && s.FrameBasis != FrameICAODefault && s.FrameBasis != FrameAccount:
		return fmt.Errorf("specs: %q: frame_basis is published, icao_default or account", s.Key)
	case s.BackgroundEdit != EditsAllowed && (s.BackgroundEdit != EditsForbidden || s.EditSource == ""):
		return fmt.Errorf("specs: %q: background_edit is allowed, or forbidden with a source", s.Key)
	}
	return nil
}

// Get finds a spec by id.
func (c *Catalog) Get(id int64) (*Spec, bool) {
	s, ok := c.byID[id]
	return s, ok
}

// ForCountry lists a country's specs (alpha-2, any case).
func (c *Catalog) ForCountry(code string) []*Spec { return c.byCountry[strings.ToUpper(code)] }

// All lists every spec by id.
func (c *Catalog) All() []*Spec {
	out := make([]*Spec, 0, len(c.byID))
	for _, s := range c.byID {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Len is the number of specs.
func (c *Catalog) Len() int { return len(c.byID) }

// Countries is the number of countries covered.
func (c *Catalog) Countries() int { return len(c.byCountry) }
