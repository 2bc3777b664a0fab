package database_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

func newAccount(t *testing.T, db *database.DB) int64 {
	t.Helper()
	a, err := db.CreateAccount(context.Background(), "billing", false)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func hold(db *database.DB, accountID, taskID int64, price int64) error {
	return db.InTx(context.Background(), func(tx *database.Tx) error {
		return database.HoldForTask(tx, accountID, taskID, price)
	})
}

// checkLedger asserts the ledger's invariants: rows in id order carry the
// running sum as balance_after, and the balance is that sum.
func checkLedger(t *testing.T, db *database.DB, accountID int64) int64 {
	t.Helper()
	rows, err := db.ListTransactions(context.Background(), accountID, database.TransactionFilter{}, 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(rows) // oldest first
	var sum int64
	for _, r := range rows {
		sum += r.AmountCents
		if r.BalanceAfterCents != sum {
			t.Fatalf("row %d: balance_after %d, running sum %d", r.ID, r.BalanceAfterCents, sum)
		}
		if sum < 0 {
			t.Fatalf("row %d: balance went negative (%d)", r.ID, sum)
		}
	}
	s, err := db.BillingSummary(context.Background(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Balance != sum {
		t.Fatalf("summary balance %d, ledger sum %d", s.Balance, sum)
	}
	return s.Balance
}

func TestLedgerUnderConcurrency(t *testing.T) {
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			db := testenv.OpenDB(t, dbk.URL(t))
			ctx := context.Background()
			acc := newAccount(t, db)
			var nextTask atomic.Int64
			var charged, refused atomic.Int64
			var wg sync.WaitGroup
			for w := 0; w < 8; w++ {
				wg.Add(1)
				go func(seed uint64) {
					defer wg.Done()
					r := rand.New(rand.NewPCG(seed, 7))
					for i := 0; i < 25; i++ {
						switch r.IntN(3) {
						case 0:
							if _, err := db.Deposit(ctx, acc, int64(1+r.IntN(150)), "test"); err != nil {
								t.Error(err)
							}
						default:
							task := nextTask.Add(1)
							err := hold(db, acc, task, 40)
							if errors.Is(err, database.ErrInsufficientBalance) {
								refused.Add(1)
								continue
							}
							if err != nil {
								t.Error(err)
								continue
							}
							if r.IntN(4) == 0 {
								err = db.ReleaseTask(ctx, task) // the photo failed: no charge
							} else {
								_, err = db.ChargeTask(ctx, task)
								charged.Add(1)
							}
							if err != nil {
								t.Error(err)
							}
						}
					}
				}(uint64(w))
			}
			wg.Wait()
			checkLedger(t, db, acc)
			s, _ := db.BillingSummary(ctx, acc)
			if s.PhotosProcessed != charged.Load() || s.Held != 0 {
				t.Fatalf("processed %d, charged %d, held %d", s.PhotosProcessed, charged.Load(), s.Held)
			}
			t.Logf("%d charges, %d refused for balance", charged.Load(), refused.Load())
		})
	}
}

// Concurrent uploads cannot spend the same money: $1.00 buys two photos at $0.50.
func TestHoldsCannotOverdraw(t *testing.T) {
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			db := testenv.OpenDB(t, dbk.URL(t))
			acc := newAccount(t, db)
			if _, err := db.Deposit(context.Background(), acc, 100, "test"); err != nil {
				t.Fatal(err)
			}
			var ok, refused atomic.Int64
			var wg sync.WaitGroup
			for i := int64(1); i <= 10; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					switch err := hold(db, acc, i, 50); {
					case err == nil:
						ok.Add(1)
					case errors.Is(err, database.ErrInsufficientBalance):
						refused.Add(1)
					default:
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if ok.Load() != 2 || refused.Load() != 8 {
				t.Fatalf("%d holds granted, %d refused; want 2 and 8", ok.Load(), refused.Load())
			}
		})
	}
}

// A retried job (or two workers racing) charges a task once.
func TestChargeIsOncePerTask(t *testing.T) {
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			db := testenv.OpenDB(t, dbk.URL(t))
			ctx := context.Background()
			acc := newAccount(t, db)
			if _, err := db.Deposit(ctx, acc, 1000, "test"); err != nil {
				t.Fatal(err)
			}
			if err := hold(db, acc, 77, 40); err != nil {
				t.Fatal(err)
			}
			ids := make([]int64, 6)
			var wg sync.WaitGroup
			for i := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tr, err := db.ChargeTask(ctx, 77)
					if err != nil {
						t.Error(err)
						return
					}
					ids[i] = tr.ID
				}()
			}
			wg.Wait()
			for _, id := range ids {
				if id != ids[0] {
					t.Fatalf("charges returned different transactions: %v", ids)
				}
			}
			if bal := checkLedger(t, db, acc); bal != 960 {
				t.Fatalf("balance %d after one $0.40 charge on $10.00", bal)
			}
			// A second hold for the same task is refused by the unique index.
			if err := hold(db, acc, 77, 40); err == nil {
				t.Fatal("second hold for one task accepted")
			}
			// Released holds are never charged.
			if err := hold(db, acc, 78, 40); err != nil {
				t.Fatal(err)
			}
			if err := db.ReleaseTask(ctx, 78); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ChargeTask(ctx, 78); !errors.Is(err, database.ErrHoldReleased) {
				t.Fatalf("charge after release: %v", err)
			}
			if bal := checkLedger(t, db, acc); bal != 960 {
				t.Fatalf("balance %d", bal)
			}
		})
	}
}
