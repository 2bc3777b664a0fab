package api

import (
	"context"
	"regexp"
	"strings"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/specs"
)

// SpecificationSummary is a row of specification.list.
type SpecificationSummary struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	Type        specType `json:"type"`
	CountryCode string   `json:"country_code"`
}

// SpecificationListRequest names a country (ISO 3166 alpha-2, any case).
type SpecificationListRequest struct {
	CountryCode string `json:"country_code" rpc:"required"`
}

// SpecificationGetRequest addresses one spec.
type SpecificationGetRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

var alpha2 = regexp.MustCompile(`^[A-Za-z]{2}$`)

func (h *Handlers) registerSpecification(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "specification.list", Summary: "List a country's document photo specifications.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermPhotos, MaxBody: smallBody}, h.specificationList)
	rpc.Register(reg, rpc.Spec{Name: "specification.get", Summary: "Get a document photo specification: frame, resolution, head and eye bands, background, source.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermPhotos, MaxBody: smallBody}, h.specificationGet)
}

func (h *Handlers) specificationList(_ context.Context, _ *rpc.Call, req *SpecificationListRequest) (*rpc.ListResponse[SpecificationSummary], error) {
	if !alpha2.MatchString(req.CountryCode) {
		return nil, rpc.ErrInvalidRequest("country_code: want an ISO 3166 alpha-2 code such as \"US\"")
	}
	list := h.Specs.ForCountry(strings.ToUpper(req.CountryCode))
	out := &rpc.ListResponse[SpecificationSummary]{Data: make([]SpecificationSummary, len(list))}
	for i, s := range list {
		out.Data[i] = SpecificationSummary{ID: s.ID, Name: s.Name, Type: specType(s.Type), CountryCode: s.CountryCode}
	}
	return out, nil
}

func (h *Handlers) specificationGet(_ context.Context, _ *rpc.Call, req *SpecificationGetRequest) (*specs.Spec, error) {
	s, ok := h.Specs.Get(req.ID)
	if !ok {
		return nil, rpc.ErrNotFound(specs.ErrNotFound, req.ID)
	}
	return s, nil
}
