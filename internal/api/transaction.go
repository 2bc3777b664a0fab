package api

import (
	"context"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/billing"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// Transaction is one ledger row.
type Transaction struct {
	ID              int64           `json:"id"`
	AccountID       int64           `json:"account_id"`
	Type            transactionType `json:"type"`
	AmountUSD       string          `json:"amount_usd"`
	BalanceAfterUSD string          `json:"balance_after_usd"`
	Currency        string          `json:"currency"`
	TaskID          *int64          `json:"task_id"`
	Description     string          `json:"description"`
	Created         rpc.Timestamp   `json:"created"`
}

func transactionOf(t *database.Transaction) *Transaction {
	return &Transaction{
		ID: t.ID, AccountID: t.AccountID, Type: transactionType(t.Type),
		AmountUSD: billing.Cents(t.AmountCents).String(), BalanceAfterUSD: billing.Cents(t.BalanceAfterCents).String(),
		Currency: billing.Currency, TaskID: t.TaskID, Description: t.Description, Created: rpc.NewTimestamp(t.CreatedAt),
	}
}

// TransactionListRequest filters the ledger.
type TransactionListRequest struct {
	rpc.ListRequest
	Type          transactionType `json:"type"`
	CreatedAfter  *rpc.Timestamp  `json:"created_after"`
	CreatedBefore *rpc.Timestamp  `json:"created_before"`
}

// TransactionGetRequest addresses one transaction.
type TransactionGetRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

func (h *Handlers) registerTransaction(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "transaction.list", Summary: "List ledger transactions, newest first; filter by type and creation time.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermBilling, MaxBody: smallBody}, h.transactionList)
	rpc.Register(reg, rpc.Spec{Name: "transaction.get", Summary: "Get one ledger transaction.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermBilling, MaxBody: smallBody}, h.transactionGet)
}

func (h *Handlers) transactionList(ctx context.Context, call *rpc.Call, req *TransactionListRequest) (*rpc.ListResponse[Transaction], error) {
	page, err := req.Page()
	if err != nil {
		return nil, err
	}
	f := database.TransactionFilter{Type: string(req.Type)}
	if req.CreatedAfter != nil {
		f.CreatedAfter = &req.CreatedAfter.Time
	}
	if req.CreatedBefore != nil {
		f.CreatedBefore = &req.CreatedBefore.Time
	}
	rows, err := h.DB.ListTransactions(ctx, call.AccountID(), f, page.BeforeID, page.Limit+1)
	if err != nil {
		return nil, err
	}
	out := make([]Transaction, len(rows))
	for i := range rows {
		out[i] = *transactionOf(&rows[i])
	}
	return rpc.NewList(out, page, func(t Transaction) int64 { return t.ID }), nil
}

func (h *Handlers) transactionGet(ctx context.Context, call *rpc.Call, req *TransactionGetRequest) (*Transaction, error) {
	t, err := h.Accounts.Transaction(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, err
	}
	return transactionOf(t), nil
}
