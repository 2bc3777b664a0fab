// Package flows is the catalogue of verification flows (usps1583, identity)
// and the document types each accepts, per context and country. It is data
// (flows.json), loaded once; ids are stable.
package flows

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/veridoc/veridoc/internal/platform/fault"
)

// ErrNotFound: no flow with the name.
var ErrNotFound = fault.Declare("FlowNotFound", fault.NotFound)

// Context types: what a document is for in a flow.
const (
	PhotoID        = "PHOTO_ID"
	ProofOfAddress = "PROOF_OF_ADDRESS"
	Selfie         = "SELFIE"
)

// ContextTypes lists the context types.
var ContextTypes = []string{PhotoID, ProofOfAddress, Selfie}

// ContextLabel is the API's label of a context type.
func ContextLabel(c string) string {
	switch c {
	case PhotoID:
		return "Photo ID"
	case ProofOfAddress:
		return "Proof of Address"
	case Selfie:
		return "Selfie"
	}
	return c
}

// DocumentType is one kind of document a flow may accept.
type DocumentType struct {
	ID           int64          `json:"id"`
	Name         string         `json:"name"`
	ContextType  string         `json:"context_type"`
	Sides        map[string]int `json:"sides"`         // per ISO alpha-2 country, "*" for the rest
	Countries    []string       `json:"countries"`     // only these countries (empty: all)
	NotCountries []string       `json:"not_countries"` // never these
	MRZ          bool           `json:"mrz"`           // carries a machine-readable zone
	PDF          bool           `json:"pdf"`           // a PDF is accepted as well as images
}

// AvailableIn tells whether the type is issued in a country (ISO alpha-2).
func (t *DocumentType) AvailableIn(country string) bool {
	if len(t.Countries) > 0 && !slices.Contains(t.Countries, country) {
		return false
	}
	return !slices.Contains(t.NotCountries, country)
}

// DoubleSided tells whether the type has a back side in a country.
func (t *DocumentType) DoubleSided(country string) bool {
	if n, ok := t.Sides[country]; ok {
		return n == 2
	}
	return t.Sides["*"] == 2
}

// Flow is a named configuration of accepted documents.
type Flow struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Required []string `json:"required"` // contexts that must be present to submit
	TypeIDs  []int64  `json:"types"`
}

// Contexts lists the context types the flow accepts, in a fixed order.
func (f *Flow) Contexts(c *Catalog) []string {
	var out []string
	for _, ctx := range []string{PhotoID, ProofOfAddress, Selfie} {
		for _, id := range f.TypeIDs {
			if t := c.types[id]; t != nil && t.ContextType == ctx && !slices.Contains(out, ctx) {
				out = append(out, ctx)
			}
		}
	}
	return out
}

// Allows tells whether the flow accepts a document type.
func (f *Flow) Allows(typeID int64) bool { return slices.Contains(f.TypeIDs, typeID) }

// Catalog holds every flow and type.
type Catalog struct {
	flows map[string]*Flow
	types map[int64]*DocumentType
	names []string
}

//go:embed flows.json
var data []byte

// Load parses the embedded catalogue and checks it.
func Load() (*Catalog, error) {
	var raw struct {
		Types []*DocumentType `json:"document_types"`
		Flows []*Flow         `json:"flows"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("flows: %w", err)
	}
	c := &Catalog{flows: map[string]*Flow{}, types: map[int64]*DocumentType{}}
	for _, t := range raw.Types {
		if c.types[t.ID] != nil || t.Sides["*"] == 0 {
			return nil, fmt.Errorf("flows: document type %d duplicated or without default sides", t.ID)
		}
		c.types[t.ID] = t
	}
	for _, f := range raw.Flows {
		for _, id := range f.TypeIDs {
			if c.types[id] == nil {
				return nil, fmt.Errorf("flows: flow %s names unknown type %d", f.Name, id)
			}
		}
		c.flows[f.Name] = f
		c.names = append(c.names, f.Name)
	}
	sort.Strings(c.names)
	return c, nil
}

// Flow finds a flow by name.
func (c *Catalog) Flow(name string) (*Flow, bool) { f, ok := c.flows[name]; return f, ok }

// Flows lists every flow by name.
func (c *Catalog) Flows() []*Flow {
	out := make([]*Flow, 0, len(c.names))
	for _, n := range c.names {
		out = append(out, c.flows[n])
	}
	return out
}

// Type finds a document type by id.
func (c *Catalog) Type(id int64) (*DocumentType, bool) { t, ok := c.types[id]; return t, ok }

// Types lists a flow's types available in a country ("" = any), by id.
func (c *Catalog) Types(f *Flow, country string) []*DocumentType {
	var out []*DocumentType
	for _, id := range f.TypeIDs {
		if t := c.types[id]; country == "" || t.AvailableIn(country) {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
