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
	Own         bool     `json:"own"` // defined by the account (specification.create)
}

// SpecificationCreateRequest defines a specification of the account's own:
// the frame in mm at a DPI (its pixels follow unless given), the head's
// height (chin to crown) and the eye line's height from the bottom edge in
// mm, the background colour, and optionally a file-size target, the
// expression and glasses rules (ICAO's by default) and whether the office
// takes a photo whose background was replaced (background_edit, allowed by
// default).
type SpecificationCreateRequest struct {
	Name          string         `json:"name" rpc:"required"`
	CountryCode   string         `json:"country_code" rpc:"required"`
	Type          specType       `json:"type"`
	WidthMm       float64        `json:"width_mm" rpc:"required"`
	HeightMm      float64        `json:"height_mm" rpc:"required"`
	DPI           int            `json:"dpi" rpc:"required"`
	WidthPx       int            `json:"width_px"`
	HeightPx      int            `json:"height_px"`
	HeadMinMm     float64        `json:"head_min_mm" rpc:"required"`
	HeadMaxMm     float64        `json:"head_max_mm" rpc:"required"`
	EyeLineMinMm  float64        `json:"eye_line_min_mm" rpc:"required"`
	EyeLineMaxMm  float64        `json:"eye_line_max_mm" rpc:"required"`
	BackgroundHex string         `json:"background_hex" rpc:"required"`
	MaxKB         int            `json:"max_kb"`
	MinKB         int            `json:"min_kb"`
	MinPx         int            `json:"min_px"` // the shorter side of a digital upload
	MaxPx         int            `json:"max_px"`
	Expression    specExpression `json:"expression"`
	Glasses       specGlasses    `json:"glasses"`
	// BackgroundEdit "forbidden": photo.process keeps the photo's own
	// background, as it is (BACKGROUND_EDIT_NOT_ALLOWED when another was asked).
	BackgroundEdit specBackgroundEdit `json:"background_edit"`
}

// SpecificationDeleteResponse confirms a deletion.
type SpecificationDeleteResponse struct {
	ID      int64 `json:"id"`
	Deleted bool  `json:"deleted"`
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
	rpc.Register(reg, rpc.Spec{Name: "specification.create", Summary: "Define a photo specification of the account's own (listed and usable by this account only).",
		Scope: rpc.ScopeAccount, Permission: rpc.PermPhotos, MaxBody: smallBody, SideEffects: true}, h.specificationCreate)
	rpc.Register(reg, rpc.Spec{Name: "specification.delete", Summary: "Delete one of the account's own specifications (tasks made with it keep their results).",
		Scope: rpc.ScopeAccount, Permission: rpc.PermPhotos, MaxBody: smallBody, SideEffects: true}, h.specificationDelete)
}

func (h *Handlers) specificationList(ctx context.Context, call *rpc.Call, req *SpecificationListRequest) (*rpc.ListResponse[SpecificationSummary], error) {
	if !alpha2.MatchString(req.CountryCode) {
		return nil, rpc.ErrInvalidRequest("country_code: want an ISO 3166 alpha-2 code such as \"US\"")
	}
	list := h.Specs.ForCountry(strings.ToUpper(req.CountryCode))
	own, err := h.Specs.Own(ctx, call.AccountID(), req.CountryCode)
	if err != nil {
		return nil, err
	}
	out := &rpc.ListResponse[SpecificationSummary]{Data: make([]SpecificationSummary, 0, len(list)+len(own))}
	for _, s := range list {
		out.Data = append(out.Data, SpecificationSummary{ID: s.ID, Name: s.Name, Type: specType(s.Type), CountryCode: s.CountryCode})
	}
	for _, s := range own {
		out.Data = append(out.Data, SpecificationSummary{ID: s.ID, Name: s.Name, Type: specType(s.Type), CountryCode: s.CountryCode, Own: true})
	}
	return out, nil
}

func (h *Handlers) specificationGet(ctx context.Context, call *rpc.Call, req *SpecificationGetRequest) (*specs.Spec, error) {
	return h.Specs.Lookup(ctx, call.AccountID(), req.ID)
}

func (h *Handlers) specificationCreate(ctx context.Context, call *rpc.Call, req *SpecificationCreateRequest) (*specs.Spec, error) {
	return h.Specs.Create(ctx, call.AccountID(), specs.Spec{Name: req.Name, CountryCode: req.CountryCode, Type: string(req.Type),
		WidthMm: req.WidthMm, HeightMm: req.HeightMm, DPI: req.DPI, WidthPx: req.WidthPx, HeightPx: req.HeightPx,
		HeadMinMm: req.HeadMinMm, HeadMaxMm: req.HeadMaxMm, EyeLineMinMm: req.EyeLineMinMm, EyeLineMaxMm: req.EyeLineMaxMm,
		BackgroundHex: req.BackgroundHex, MaxKB: req.MaxKB, MinKB: req.MinKB, MinPx: req.MinPx, MaxPx: req.MaxPx, Expression: string(req.Expression), Glasses: string(req.Glasses),
		BackgroundEdit: string(req.BackgroundEdit)})
}

func (h *Handlers) specificationDelete(ctx context.Context, call *rpc.Call, req *SpecificationGetRequest) (*SpecificationDeleteResponse, error) {
	if err := h.Specs.Delete(ctx, call.AccountID(), req.ID); err != nil {
		return nil, err
	}
	return &SpecificationDeleteResponse{ID: req.ID, Deleted: true}, nil
}
