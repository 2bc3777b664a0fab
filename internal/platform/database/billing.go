package database

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Transaction types.
const (
	TxDeposit    = "deposit"
	TxCharge     = "charge"
	TxRefund     = "refund"
	TxAdjustment = "adjustment"
)

// TransactionTypes lists the types.
var TransactionTypes = []string{TxDeposit, TxCharge, TxRefund, TxAdjustment}

// Transaction is one ledger row. Rows are only ever inserted; the balance is
// the sum of an account's amounts, and balance_after records it as of the row.
type Transaction struct {
	ID                int64     `gorm:"primaryKey"`
	AccountID         int64     `gorm:"not null;index:idx_tx_account_created,priority:1"`
	Type              string    `gorm:"size:20;not null;uniqueIndex:idx_tx_type_task,priority:1"`
	AmountCents       int64     `gorm:"not null"`
	BalanceAfterCents int64     `gorm:"not null"`
	TaskID            *int64    `gorm:"uniqueIndex:idx_tx_type_task,priority:2"` // a task is charged at most once
	Description       string    `gorm:"size:200;not null;default:''"`
	CreatedAt         time.Time `gorm:"not null;index:idx_tx_account_created,priority:2"`
}

// Hold states.
const (
	HoldOpen     = "open"
	HoldCaptured = "captured"
	HoldReleased = "released"
)

// BillingHold reserves a photo's price while its task runs, so concurrent
// uploads cannot spend the same balance twice. It is not part of the ledger.
type BillingHold struct {
	ID          int64  `gorm:"primaryKey"`
	AccountID   int64  `gorm:"not null;index"`
	TaskID      int64  `gorm:"not null;uniqueIndex"`
	AmountCents int64  `gorm:"not null"`
	State       string `gorm:"size:10;not null;index"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Billing errors.
var (
	ErrInsufficientBalance = errors.New("insufficient balance")
	ErrHoldReleased        = errors.New("hold already released")
)

// BillingSummary is an account's position, in cents.
type BillingSummary struct {
	Balance          int64 // sum of the ledger
	Held             int64 // open holds
	LifetimeDeposits int64
	PhotosProcessed  int64
}

// Available is what new work may spend.
func (s BillingSummary) Available() int64 { return s.Balance - s.Held }

// lockAccount serializes ledger writes per account: a row lock on PostgreSQL;
// on SQLite every write transaction is already exclusive (BEGIN IMMEDIATE).
func lockAccount(tx *gorm.DB, accountID int64) error {
	var a Account
	return tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Take(&a, accountID).Error
}

func summary(tx *gorm.DB, accountID int64) (BillingSummary, error) {
	var row struct {
		Balance, Lifetime int64
		Processed         int64
	}
	err := tx.Model(&Transaction{}).Where("account_id = ?", accountID).
		Select("COALESCE(SUM(amount_cents), 0) AS balance, "+
			"COALESCE(SUM(CASE WHEN type = ? THEN amount_cents ELSE 0 END), 0) AS lifetime, "+
			"COUNT(CASE WHEN type = ? THEN 1 END) AS processed", TxDeposit, TxCharge).
		Scan(&row).Error
	if err != nil {
		return BillingSummary{}, err
	}
	var held int64
	err = tx.Model(&BillingHold{}).Where("account_id = ? AND state = ?", accountID, HoldOpen).
		Select("COALESCE(SUM(amount_cents), 0)").Scan(&held).Error
	return BillingSummary{Balance: row.Balance, Held: held, LifetimeDeposits: row.Lifetime, PhotosProcessed: row.Processed}, err
}

// BillingSummary reads an account's balance, holds and totals.
func (db *DB) BillingSummary(ctx context.Context, accountID int64) (BillingSummary, error) {
	return summary(db.g.WithContext(ctx), accountID)
}

// appendLedger inserts a row after the account is locked.
func appendLedger(tx *gorm.DB, accountID int64, typ string, amountCents int64, taskID *int64, desc string) (*Transaction, error) {
	s, err := summary(tx, accountID)
	if err != nil {
		return nil, err
	}
	t := &Transaction{AccountID: accountID, Type: typ, AmountCents: amountCents,
		BalanceAfterCents: s.Balance + amountCents, TaskID: taskID, Description: desc}
	return t, tx.Create(t).Error
}

// Deposit adds money to an account. It is the one place a payment provider plugs in.
func (db *DB) Deposit(ctx context.Context, accountID int64, amountCents int64, desc string) (*Transaction, error) {
	var t *Transaction
	err := db.InTx(ctx, func(tx *Tx) error {
		if err := lockAccount(tx.g, accountID); err != nil {
			return notFound(err)
		}
		var err error
		t, err = appendLedger(tx.g, accountID, TxDeposit, amountCents, nil, desc)
		return err
	})
	return t, err
}

// HoldForTask reserves the price of a task inside the caller's transaction
// (the one that creates the task). It fails with ErrInsufficientBalance when
// the balance less open holds is below the price.
func HoldForTask(tx *Tx, accountID, taskID int64, priceCents int64) error {
	if err := lockAccount(tx.g, accountID); err != nil {
		return notFound(err)
	}
	s, err := summary(tx.g, accountID)
	if err != nil {
		return err
	}
	if s.Available() < priceCents {
		return ErrInsufficientBalance
	}
	return tx.g.Create(&BillingHold{AccountID: accountID, TaskID: taskID, AmountCents: priceCents, State: HoldOpen}).Error
}

// ChargeTask turns a task's hold into a charge. Running it again (a retried
// job, a second worker) returns the first charge: the unique (type, task_id)
// index makes a second charge row impossible.
func (db *DB) ChargeTask(ctx context.Context, taskID int64) (*Transaction, error) {
	var t *Transaction
	err := db.InTx(ctx, func(tx *Tx) error {
		var h BillingHold
		if err := tx.g.Where("task_id = ?", taskID).Take(&h).Error; err != nil {
			return notFound(err)
		}
		if err := lockAccount(tx.g, h.AccountID); err != nil {
			return err
		}
		// Re-read under the lock: another worker may have finished first.
		if err := tx.g.Where("id = ?", h.ID).Take(&h).Error; err != nil {
			return err
		}
		switch h.State {
		case HoldCaptured:
			t = &Transaction{}
			return tx.g.Where("type = ? AND task_id = ?", TxCharge, taskID).Take(t).Error
		case HoldReleased:
			return ErrHoldReleased
		}
		var err error
		if t, err = appendLedger(tx.g, h.AccountID, TxCharge, -h.AmountCents, &taskID, "photo processed"); err != nil {
			return err
		}
		return tx.g.Model(&h).Update("state", HoldCaptured).Error
	})
	return t, err
}

// ReleaseTask frees a failed task's hold; nothing is charged.
func (db *DB) ReleaseTask(ctx context.Context, taskID int64) error {
	return db.g.WithContext(ctx).Model(&BillingHold{}).Where("task_id = ? AND state = ?", taskID, HoldOpen).
		Update("state", HoldReleased).Error
}

// TransactionFilter narrows transaction.list.
type TransactionFilter struct {
	Type          string
	CreatedAfter  *time.Time
	CreatedBefore *time.Time
}

// ListTransactions pages through an account's ledger, newest first.
func (db *DB) ListTransactions(ctx context.Context, accountID int64, f TransactionFilter, beforeID int64, limit int) ([]Transaction, error) {
	q := db.g.WithContext(ctx).Where("account_id = ?", accountID)
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if f.CreatedAfter != nil {
		q = q.Where("created_at >= ?", *f.CreatedAfter)
	}
	if f.CreatedBefore != nil {
		q = q.Where("created_at < ?", *f.CreatedBefore)
	}
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	var out []Transaction
	return out, q.Order("id DESC").Limit(limit).Find(&out).Error
}

// GetTransaction loads one of the account's transactions.
func (db *DB) GetTransaction(ctx context.Context, accountID, id int64) (*Transaction, error) {
	var t Transaction
	if err := db.g.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&t).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}
