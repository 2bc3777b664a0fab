package api

import (
	"context"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/billing"
)

// Balance is billing.balance's answer.
type Balance struct {
	BalanceUSD          string `json:"balance_usd"`
	HeldUSD             string `json:"held_usd"` // reserved by tasks still running
	PhotosAvailable     int64  `json:"photos_available"`
	Tier                string `json:"tier"`
	RatePerPhoto        string `json:"rate_per_photo"`
	LifetimeDepositsUSD string `json:"lifetime_deposits_usd"`
	PhotosProcessed     int64  `json:"photos_processed"`
	Currency            string `json:"currency"`
}

// BalanceRequest has no properties.
type BalanceRequest struct{}

// DepositRequest adds test money to a sandbox account.
type DepositRequest struct {
	AmountUSD   string `json:"amount_usd" rpc:"required"` // "100.00"
	Description string `json:"description"`
}

func (h *Handlers) registerBilling(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "billing.balance", Summary: "Get the balance, tier, price per photo and photos available.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermBilling, MaxBody: smallBody}, h.billingBalance)
	rpc.Register(reg, rpc.Spec{Name: "billing.deposit", Summary: "Add test money to a sandbox account (real deposits come from the operator or a payment provider).",
		Scope: rpc.ScopeAccount, Permission: rpc.PermBilling, MaxBody: smallBody, SideEffects: true}, h.billingDeposit)
}

func (h *Handlers) billingBalance(ctx context.Context, call *rpc.Call, _ *BalanceRequest) (*Balance, error) {
	b, err := h.Accounts.Balance(ctx, call.AccountID())
	if err != nil {
		return nil, err
	}
	return &Balance{
		BalanceUSD: b.Balance.String(), HeldUSD: b.Held.String(), PhotosAvailable: b.PhotosAvailable,
		Tier: b.Tier.Name, RatePerPhoto: b.Tier.Rate.String(),
		LifetimeDepositsUSD: b.LifetimeDeposits.String(), PhotosProcessed: b.PhotosProcessed,
		Currency: billing.Currency,
	}, nil
}

func (h *Handlers) billingDeposit(ctx context.Context, call *rpc.Call, req *DepositRequest) (*Transaction, error) {
	amount, err := billing.ParseUSD(req.AmountUSD)
	if err != nil {
		return nil, rpc.ErrInvalidRequest("amount_usd: %v", err)
	}
	t, err := h.Accounts.SandboxDeposit(ctx, call.AccountID(), amount, req.Description)
	if err != nil {
		return nil, err
	}
	return transactionOf(t), nil
}
