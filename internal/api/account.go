package api

import (
	"context"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// Account is the account object. retention_days is the one in force (the
// account's own, else the server default; 0: kept until deleted).
type Account struct {
	ID                 int64  `json:"id"`
	Name               string `json:"name"`
	Sandbox            bool   `json:"sandbox"`
	RetentionDays      int    `json:"retention_days"`
	RetentionIsDefault bool   `json:"retention_is_default"`
	// Policy is what each session check does: decline (the default),
	// review (the session waits in REVIEW for session.decide) or ignore
	// (listed in checks, approved otherwise). A verification follows the
	// checks it names (decline rejects, review is DOUBLE_CHECK).
	Policy map[string]string `json:"policy"`
	// DocumentVelocity: more sessions than this with one document in 24 h
	// is DOCUMENT_VELOCITY (0: no limit).
	DocumentVelocity int `json:"document_velocity"`
	// MinAge is what session.create asks for when it names no min_age.
	MinAge int `json:"min_age"`
	// LivenessDefault is what session.create asks for when it names no liveness.
	LivenessDefault livenessMode  `json:"liveness_default"`
	Created         rpc.Timestamp `json:"created"`
}

func (h *Handlers) accountOf(a *database.Account) *Account {
	out := &Account{ID: a.ID, Name: a.Name, Sandbox: a.Sandbox, Created: rpc.NewTimestamp(a.CreatedAt),
		RetentionDays: h.RetentionDays, RetentionIsDefault: true, Policy: sessions.PolicyOf(a).Full(), DocumentVelocity: a.DocumentVelocity, MinAge: a.MinAge,
		LivenessDefault: livenessMode(a.LivenessDefault)}
	if a.RetentionDays != nil {
		out.RetentionDays, out.RetentionIsDefault = *a.RetentionDays, false
	}
	return out
}

// AccountUpdateRequest sets the account's retention: finished sessions,
// verifications and photos older than retention_days lose their images and
// personal fields (0: kept until deleted). It overrides the server default.
// Policy replaces what each session check does (checks not named
// decline), and what the checks it names do to verifications; at least
// one of the two is given.
type AccountUpdateRequest struct {
	RetentionDays    *int              `json:"retention_days"`
	Policy           map[string]string `json:"policy"`
	DocumentVelocity *int              `json:"document_velocity"` // 0–1000; 0: no limit
	MinAge           *int              `json:"min_age"`           // 0–125; 0: no check
	LivenessDefault  livenessMode      `json:"liveness_default"`  // none, passive or active
}

// AccountGetRequest has no properties: it is always the caller's account.
type AccountGetRequest struct{}

func (h *Handlers) registerAccount(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "account.get", Summary: "Get the account the credentials belong to.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermBilling, MaxBody: smallBody}, h.accountGet)
	rpc.Register(reg, rpc.Spec{Name: "account.update", Summary: "Set the account's retention_days (finished objects older than that lose their images and personal fields; 0: keep) and its policy (what each session check does, and each named check to verifications).",
		Scope: rpc.ScopeAccount, Permission: rpc.PermKeys, MaxBody: smallBody, SideEffects: true}, h.accountUpdate)
}

func (h *Handlers) accountUpdate(ctx context.Context, call *rpc.Call, req *AccountUpdateRequest) (*Account, error) {
	if req.RetentionDays == nil && req.Policy == nil && req.DocumentVelocity == nil && req.MinAge == nil && req.LivenessDefault == "" {
		return nil, rpc.ErrInvalidRequest("retention_days, policy, document_velocity, min_age or liveness_default: give at least one")
	}
	if req.LivenessDefault != "" {
		if err := h.DB.SetLivenessDefault(ctx, call.AccountID(), string(req.LivenessDefault)); err != nil {
			return nil, err
		}
	}
	if v := req.MinAge; v != nil {
		if *v < 0 || *v > 125 {
			return nil, rpc.ErrInvalidRequest("min_age: 0 to 125 years")
		}
		if err := h.DB.SetMinAge(ctx, call.AccountID(), *v); err != nil {
			return nil, err
		}
	}
	if v := req.DocumentVelocity; v != nil {
		if *v < 0 || *v > 1000 {
			return nil, rpc.ErrInvalidRequest("document_velocity: 0 to 1000 sessions in 24 h")
		}
		if err := h.DB.SetDocumentVelocity(ctx, call.AccountID(), *v); err != nil {
			return nil, err
		}
	}
	if req.RetentionDays != nil {
		if err := h.Accounts.SetRetention(ctx, call.AccountID(), *req.RetentionDays); err != nil {
			return nil, err
		}
	}
	if req.Policy != nil {
		if err := h.Sessions.SetPolicy(ctx, call.AccountID(), req.Policy); err != nil {
			return nil, err
		}
	}
	return h.accountGet(ctx, call, nil)
}

func (h *Handlers) accountGet(ctx context.Context, call *rpc.Call, _ *AccountGetRequest) (*Account, error) {
	a, err := h.Accounts.Get(ctx, call.AccountID())
	if err != nil {
		return nil, err
	}
	return h.accountOf(a), nil
}
