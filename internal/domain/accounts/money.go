package accounts

import (
	"context"

	"github.com/veridoc/veridoc/internal/domain/billing"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
)

// Balance is an account's money position and what it buys.
type Balance struct {
	Balance, Held, LifetimeDeposits billing.Cents
	PhotosProcessed                 int64
	Tier                            billing.Tier // the tier the lifetime deposits reach
	PhotosAvailable                 int64        // what the available money pays for at the tier's rate
}

// Balance reads an account's position.
func (s *Service) Balance(ctx context.Context, accountID int64) (*Balance, error) {
	sum, err := s.DB.BillingSummary(ctx, accountID)
	if err != nil {
		return nil, err
	}
	b := &Balance{Balance: billing.Cents(sum.Balance), Held: billing.Cents(sum.Held),
		LifetimeDeposits: billing.Cents(sum.LifetimeDeposits), PhotosProcessed: sum.PhotosProcessed}
	b.Tier = s.Tiers.For(b.LifetimeDeposits)
	if b.Tier.Rate > 0 {
		b.PhotosAvailable = max(int64((b.Balance-b.Held)/b.Tier.Rate), 0)
	}
	return b, nil
}

// Price is what a new photo task of the account pays: its tier's rate.
func (s *Service) Price(ctx context.Context, accountID int64) (billing.Tier, error) {
	b, err := s.Balance(ctx, accountID)
	if err != nil {
		return billing.Tier{}, err
	}
	return b.Tier, nil
}

// Deposit records money the operator received (any account).
func (s *Service) Deposit(ctx context.Context, accountID int64, amount billing.Cents, desc string) (*database.Transaction, error) {
	if amount <= 0 {
		return nil, fault.ErrInvalidRequest.New("amount: must be more than 0.00")
	}
	if len(desc) > MaxDescriptionLength {
		return nil, fault.ErrInvalidRequest.New("description: must be at most %d characters", MaxDescriptionLength)
	}
	t, err := s.DB.Deposit(ctx, accountID, int64(amount), desc)
	return t, notFound(err, ErrNotFound, "account", accountID)
}

// SandboxDeposit adds test money, which only a sandbox account may receive
// from the API or the console; real deposits come from the operator.
func (s *Service) SandboxDeposit(ctx context.Context, accountID int64, amount billing.Cents, desc string) (*database.Transaction, error) {
	acc, err := s.Get(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if !acc.Sandbox {
		return nil, ErrSandboxOnly.New("Test deposits are for sandbox accounts; deposits to live accounts are made by the operator")
	}
	if desc == "" {
		desc = "sandbox deposit"
	}
	return s.Deposit(ctx, accountID, amount, desc)
}

// Transaction loads one ledger entry of the account.
func (s *Service) Transaction(ctx context.Context, accountID, id int64) (*database.Transaction, error) {
	t, err := s.DB.GetTransaction(ctx, accountID, id)
	return t, notFound(err, ErrTransactionNotFound, "transaction", id)
}
