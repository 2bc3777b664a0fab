package api

import (
	"context"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// APIKey is the api_key object. The secret appears only in api_key.create's answer.
type APIKey struct {
	ID         int64          `json:"id"`
	AccountID  int64          `json:"account_id"`
	Name       string         `json:"name"`
	PublicKey  string         `json:"public_key"`
	SecretHint string         `json:"secret_hint"` // "secret-…abcd"
	Scopes     []string       `json:"scopes"`      // empty: every method
	Expires    *rpc.Timestamp `json:"expires"`
	Created    rpc.Timestamp  `json:"created"`
	LastUsed   *rpc.Timestamp `json:"last_used"`
	Revoked    *rpc.Timestamp `json:"revoked"`
}

func apiKeyOf(k *database.APIKey) APIKey {
	return APIKey{
		ID: k.ID, AccountID: k.AccountID, Name: k.Name, PublicKey: k.PublicKey,
		SecretHint: database.SecretPrefix + "…" + k.SecretTail, Scopes: append([]string{}, k.ScopeList()...), Expires: rpc.TimestampPtr(k.ExpiresAt),
		Created: rpc.NewTimestamp(k.CreatedAt), LastUsed: rpc.TimestampPtr(k.LastUsedAt), Revoked: rpc.TimestampPtr(k.RevokedAt),
	}
}

// APIKeyCreateRequest names the new key and may limit it.
type APIKeyCreateRequest struct {
	Name string `json:"name"`
	// Scopes limit the methods the key may call: photos, sessions, documents,
	// billing, keys, read_only (methods without side effects). Empty: all.
	Scopes []keyScope `json:"scopes"`
	// Expires is when the key stops working (401); empty: never.
	Expires *rpc.Timestamp `json:"expires"`
}

// APIKeyCreated is a new key with its secret, shown this once.
type APIKeyCreated struct {
	APIKey
	Secret string `json:"secret"`
}

// APIKeyIDRequest addresses one key.
type APIKeyIDRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

// APIKeyListRequest pages through the account's keys.
type APIKeyListRequest struct {
	rpc.ListRequest
}

func (h *Handlers) registerAPIKey(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "api_key.create", Summary: "Create an API key; its secret is returned once.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermKeys, MaxBody: smallBody, SideEffects: true}, h.apiKeyCreate)
	rpc.Register(reg, rpc.Spec{Name: "api_key.get", Summary: "Get an API key (without its secret).",
		Scope: rpc.ScopeAccount, Permission: rpc.PermKeys, MaxBody: smallBody}, h.apiKeyGet)
	rpc.Register(reg, rpc.Spec{Name: "api_key.list", Summary: "List the account's live API keys, newest first.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermKeys, MaxBody: smallBody}, h.apiKeyList)
	rpc.Register(reg, rpc.Spec{Name: "api_key.delete", Summary: "Revoke an API key; it stops working at once.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermKeys, MaxBody: smallBody, SideEffects: true}, h.apiKeyDelete)
}

func (h *Handlers) apiKeyCreate(ctx context.Context, call *rpc.Call, req *APIKeyCreateRequest) (*APIKeyCreated, error) {
	kr := accounts.KeyRequest{Name: req.Name, Scopes: strs(req.Scopes)}
	if req.Expires != nil {
		kr.Expires = &req.Expires.Time
	}
	k, err := h.Accounts.CreateKey(ctx, call.AccountID(), call.Principal.Reach(), kr)
	if err != nil {
		return nil, err
	}
	return &APIKeyCreated{APIKey: apiKeyOf(k.APIKey), Secret: k.Secret}, nil
}

func (h *Handlers) apiKeyGet(ctx context.Context, call *rpc.Call, req *APIKeyIDRequest) (*APIKey, error) {
	k, err := h.Accounts.GetKey(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, err
	}
	out := apiKeyOf(k)
	return &out, nil
}

func (h *Handlers) apiKeyList(ctx context.Context, call *rpc.Call, req *APIKeyListRequest) (*rpc.ListResponse[APIKey], error) {
	page, err := req.Page()
	if err != nil {
		return nil, err
	}
	keys, err := h.Accounts.ListKeys(ctx, call.AccountID(), page.BeforeID, page.Limit+1)
	if err != nil {
		return nil, err
	}
	out := make([]APIKey, len(keys))
	for i := range keys {
		out[i] = apiKeyOf(&keys[i])
	}
	return rpc.NewList(out, page, func(k APIKey) int64 { return k.ID }), nil
}

func (h *Handlers) apiKeyDelete(ctx context.Context, call *rpc.Call, req *APIKeyIDRequest) (*APIKey, error) {
	k, err := h.Accounts.RevokeKey(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, err
	}
	out := apiKeyOf(k)
	return &out, nil
}
