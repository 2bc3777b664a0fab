// Command seed fills an account of a Veridoc database with decided
// sessions by bulk inserts, not the API: sealed personal fields, document
// blind index, a face, an audit event and a delivered callback each (see
// tools/internal/seed). It reads the server's configuration from the
// environment (DATABASE_URL, the master key) like `veridoc serve`.
//
//	DATABASE_URL=postgres://… go run ./tools/seed -account 1 -sessions 1000000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/veridoc/veridoc/internal/app"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/vision/facesearch"
	"github.com/veridoc/veridoc/tools/internal/seed"
)

func main() {
	account := flag.Int64("account", 0, "the account to fill (required)")
	n := flag.Int("sessions", 100000, "how many sessions")
	flag.Parse()
	if *account == 0 {
		fmt.Fprintln(os.Stderr, "usage: seed -account ID [-sessions N]")
		os.Exit(2)
	}
	if err := run(context.Background(), *account, *n); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, accountID int64, n int) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	zero := 0
	a, err := app.New(ctx, cfg, app.Options{Workers: &zero})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.DB.GetAccount(ctx, accountID); err != nil {
		return fmt.Errorf("account %d: %w", accountID, err)
	}
	x, err := a.DB.IndexKeys(ctx, a.Keys, accountID)
	if err != nil {
		return err
	}
	basis, err := facesearch.LoadBasis()
	if err != nil {
		return err
	}
	start := time.Now()
	err = seed.Sessions(ctx, seed.Options{DB: a.DB, Index: x, Basis: basis, AccountID: accountID, Sessions: n,
		Now: time.Now().UTC(), Seed: uint64(start.UnixNano()), Progress: func(done int) {
			if done%100000 == 0 {
				fmt.Printf("seed: %d of %d\n", done, n)
			}
		}})
	if err == nil {
		fmt.Printf("seed: %d sessions in %.0f s\n", n, time.Since(start).Seconds())
	}
	return err
}
