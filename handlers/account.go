package handlers

import (
	"context"

	"github.com/veridoc/veridoc/models"
	"github.com/veridoc/veridoc/rpc"
)

// Account is the account object.
type Account struct {
	ID      int64         `json:"id"`
	Name    string        `json:"name"`
	Sandbox bool          `json:"sandbox"`
	Created rpc.Timestamp `json:"created"`
}

func accountOf(a *models.Account) *Account {
	return &Account{ID: a.ID, Name: a.Name, Sandbox: a.Sandbox, Created: rpc.NewTimestamp(a.CreatedAt)}
}

// AccountGetRequest has no properties: it is always the caller's account.
type AccountGetRequest struct{}

func (h *Handlers) registerAccount(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "account.get", Summary: "Get the account the credentials belong to.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermBilling, MaxBody: smallBody}, h.accountGet)
}

func (h *Handlers) accountGet(ctx context.Context, call *rpc.Call, _ *AccountGetRequest) (*Account, error) {
	a, err := h.DB.GetAccount(ctx, call.AccountID())
	if err != nil {
		return nil, missing(err, rpc.AccountNotFound, call.AccountID())
	}
	return accountOf(a), nil
}
