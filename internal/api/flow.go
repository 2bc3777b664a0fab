package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/country"
	"github.com/veridoc/veridoc/internal/domain/flows"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Flow is a verification flow's configuration.
type Flow struct {
	Name          string   `json:"name"`
	Label         string   `json:"label"`
	ContextTypes  []string `json:"context_types"`
	Required      []string `json:"required_context_types"`
	DocumentTypes []int64  `json:"document_type_ids"`
}

// FlowListRequest has no properties.
type FlowListRequest struct{}

// FlowList is every flow.
type FlowList struct {
	Data []Flow `json:"data"`
}

// FlowGetRequest names a flow.
type FlowGetRequest struct {
	Name string `json:"name" rpc:"required"`
}

// DocumentTypeListRequest asks what a flow accepts in a country.
type DocumentTypeListRequest struct {
	Flow        string      `json:"flow" rpc:"required"`
	Country     string      `json:"country"` // ISO alpha-2 or alpha-3; empty: every country
	ContextType contextType `json:"context_type"`
}

// DocumentType is one accepted type, as it applies in the asked country.
type DocumentType struct {
	ID          int64       `json:"id"`
	Name        string      `json:"name"`
	ContextType contextType `json:"context_type"`
	TypeLabel   string      `json:"type_label"`
	CountryISO2 string      `json:"country_iso2"`
	CountryISO3 string      `json:"country_iso3"`
	CountryName string      `json:"country_name"`
	DoubleSided bool        `json:"double_sided"`
	AcceptsPDF  bool        `json:"accepts_pdf"`
	HasMRZ      bool        `json:"has_mrz"`
}

// DocumentTypeList lists document types.
type DocumentTypeList struct {
	Data []DocumentType `json:"data"`
}

// flowStatuses are the statuses of the verification flow methods
// where they differ from the catalogue's: a validation error is a 422, and
// image data that is not an acceptable image a 400, keeping the error_name.
var flowStatuses = map[string]int{
	rpc.InvalidRequest.Name():        http.StatusUnprocessableEntity,
	raster.ErrUnsupportedType.Name(): http.StatusBadRequest,
	raster.ErrTooLarge.Name():        http.StatusBadRequest,
}

func (h *Handlers) registerFlow(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "flow.list", Summary: "List the verification flows (usps1583, identity).",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.flowList)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "flow.get", Summary: "Get one flow: its context types, the ones required to submit, its document types.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.flowGet)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "document_type.list", Summary: "List the document types a flow accepts in a country, with their sides.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.documentTypeList)
}

func (h *Handlers) flowOf(f *flows.Flow) Flow {
	return Flow{Name: f.Name, Label: f.Label, ContextTypes: f.Contexts(h.Flows), Required: f.Required, DocumentTypes: f.TypeIDs}
}

func (h *Handlers) flowList(context.Context, *rpc.Call, *FlowListRequest) (*FlowList, error) {
	out := &FlowList{Data: []Flow{}}
	for _, f := range h.Flows.Flows() {
		out.Data = append(out.Data, h.flowOf(f))
	}
	return out, nil
}

func (h *Handlers) flowGet(_ context.Context, _ *rpc.Call, req *FlowGetRequest) (*Flow, error) {
	f, err := h.flow(req.Name)
	if err != nil {
		return nil, err
	}
	out := h.flowOf(f)
	return &out, nil
}

// flow finds a flow by name or answers FlowNotFound.
func (h *Handlers) flow(name string) (*flows.Flow, error) {
	f, ok := h.Flows.Flow(strings.ToLower(strings.TrimSpace(name)))
	if !ok {
		return nil, flows.ErrNotFound.New("No flow named %q (see flow.list)", name)
	}
	return f, nil
}

// lookupCountry accepts ISO alpha-2 or alpha-3 (integrators of the document product send alpha-3).
func lookupCountry(field, code string) (country.Country, error) {
	c, ok := country.Lookup(code)
	if !ok {
		return c, rpc.ErrInvalidRequest("%s: %q is not an ISO 3166 alpha-2 or alpha-3 country code", field, code)
	}
	return c, nil
}

func (h *Handlers) documentTypeList(_ context.Context, _ *rpc.Call, req *DocumentTypeListRequest) (*DocumentTypeList, error) {
	f, err := h.flow(req.Flow)
	if err != nil {
		return nil, err
	}
	var c country.Country
	if req.Country != "" {
		if c, err = lookupCountry("country", req.Country); err != nil {
			return nil, err
		}
	}
	out := &DocumentTypeList{Data: []DocumentType{}}
	for _, t := range h.Flows.Types(f, c.Alpha2) {
		if req.ContextType != "" && t.ContextType != string(req.ContextType) {
			continue
		}
		out.Data = append(out.Data, DocumentType{ID: t.ID, Name: t.Name, ContextType: contextType(t.ContextType), TypeLabel: flows.ContextLabel(t.ContextType),
			CountryISO2: c.Alpha2, CountryISO3: c.Alpha3, CountryName: c.Name, DoubleSided: t.DoubleSided(c.Alpha2), AcceptsPDF: t.PDF, HasMRZ: t.MRZ})
	}
	return out, nil
}
