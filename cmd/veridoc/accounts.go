package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/app"
	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/domain/billing"
	"github.com/veridoc/veridoc/internal/platform/config"
)

// Credentials is what account create prints: the bootstrap of a new install.
type Credentials struct {
	AccountID int64  `json:"account_id"`
	PublicKey string `json:"public_key"`
	Secret    string `json:"secret"`
}

func accountCreate(fs *flag.FlagSet) func(context.Context, env) error {
	name := fs.String("name", "", "account name (required)")
	sandbox := fs.Bool("sandbox", false, "a sandbox account (may call test-only methods)")
	return func(ctx context.Context, e env) error {
		if strings.TrimSpace(*name) == "" {
			return errors.New("account create: --name is required")
		}
		creds, err := createAccount(ctx, e.cfg, *name, *sandbox)
		if err != nil {
			return err
		}
		return json.NewEncoder(e.stdout).Encode(creds)
	}
}

func createAccount(ctx context.Context, cfg *config.Config, name string, sandbox bool) (*Credentials, error) {
	var creds *Credentials
	err := withApp(ctx, cfg, func(a *app.App) error {
		acc, key, err := a.Accounts.Create(ctx, name, sandbox)
		if err != nil {
			return err
		}
		creds = &Credentials{AccountID: acc.ID, PublicKey: key.PublicKey, Secret: key.Secret}
		return nil
	})
	return creds, err
}

// bootstrap makes sure a fresh install has an account, keeps its first
// credentials in the data dir (mode 0600) and prints a curl that works.
func bootstrap(ctx context.Context, e env) error {
	path := filepath.Join(e.cfg.DataDir, "first-account.json")
	var creds Credentials
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &creds); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	} else {
		var n int64
		if err := withApp(ctx, e.cfg, func(a *app.App) (err error) { n, err = a.Accounts.Count(ctx); return err }); err != nil {
			return err
		}
		if n > 0 {
			fmt.Fprintf(e.stdout, "Accounts exist already; create credentials with: bin/veridoc account create --name NAME\n")
			return nil
		}
		c, err := createAccount(ctx, e.cfg, "First account", true)
		if err != nil {
			return err
		}
		creds = *c
		b, _ := json.MarshalIndent(creds, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
			return err
		}
	}
	u := e.cfg.PublicURL
	fmt.Fprintf(e.stdout, "Veridoc account %d (credentials in %s). Try:\n\n  curl -u %s:%s -X POST %s/api/v1/account.get\n\nAPI reference: %s/docs (OpenAPI 3.1: %s/api/v1/openapi.json)\n\n",
		creds.AccountID, path, creds.PublicKey, creds.Secret, u, u, u)
	return nil
}

func accountDeposit(fs *flag.FlagSet) func(context.Context, env) error {
	id := fs.Int64("account", 0, "account id (required)")
	amount := fs.String("amount", "", "amount in USD, e.g. 100.00 (required)")
	desc := fs.String("description", "deposit", "note shown on the transaction")
	return func(ctx context.Context, e env) error {
		cents, err := billing.ParseUSD(*amount)
		if err != nil {
			return fmt.Errorf("--amount: %v", err)
		}
		return withApp(ctx, e.cfg, func(a *app.App) error {
			t, err := a.Accounts.Deposit(ctx, *id, cents, *desc)
			if errors.Is(err, accounts.ErrNotFound) {
				return fmt.Errorf("no account with id %d", *id)
			}
			if err != nil {
				return err
			}
			return json.NewEncoder(e.stdout).Encode(map[string]any{"transaction_id": t.ID, "account_id": t.AccountID,
				"amount_usd": billing.Cents(t.AmountCents).String(), "balance_after_usd": billing.Cents(t.BalanceAfterCents).String()})
		})
	}
}

func accountRateLimit(fs *flag.FlagSet) func(context.Context, env) error {
	id := fs.Int64("account", 0, "account id (required)")
	perHour := fs.Int("per-hour", -1, "requests per hour; 0 restores the server default (required)")
	return func(ctx context.Context, e env) error {
		if *perHour < 0 {
			return errors.New("account rate-limit: --per-hour is required")
		}
		return withApp(ctx, e.cfg, func(a *app.App) error {
			if err := a.Accounts.SetRateLimit(ctx, *id, *perHour); errors.Is(err, accounts.ErrNotFound) {
				return fmt.Errorf("no account with id %d", *id)
			} else if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "account %d: %d requests per hour\n", *id, *perHour)
			return nil
		})
	}
}

func userCreate(fs *flag.FlagSet) func(context.Context, env) error {
	id := fs.Int64("account", 0, "account id (required)")
	email := fs.String("email", "", "the user's email, their sign-in name (required)")
	role := fs.String("role", "", "owner, reviewer or viewer (required)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from stdin instead of generating one")
	return func(ctx context.Context, e env) error {
		password := ""
		if *fromStdin {
			b, err := io.ReadAll(io.LimitReader(os.Stdin, 1024))
			if err != nil {
				return err
			}
			password = strings.TrimRight(string(b), "\r\n")
		}
		return withApp(ctx, e.cfg, func(a *app.App) error {
			// The operator at the command line has full reach.
			u, pw, err := a.Accounts.CreateUser(ctx, *id, accounts.Full, accounts.UserRequest{Email: *email, Role: *role, Password: password})
			switch {
			case errors.Is(err, accounts.ErrNotFound):
				return fmt.Errorf("no account with id %d", *id)
			case err != nil:
				return fmt.Errorf("user create: %w", err)
			}
			return json.NewEncoder(e.stdout).Encode(map[string]any{"user_id": u.ID, "email": u.Email, "role": u.Role, "password": pw})
		})
	}
}

func retentionSweep(fs *flag.FlagSet) func(context.Context, env) error {
	asOf := fs.String("as-of", "", "erase as if at this time (YYYY-MM-DDTHH:MM:SSZ; default: now)")
	return func(ctx context.Context, e env) error {
		at := time.Now().UTC()
		if *asOf != "" {
			var err error
			if at, err = time.Parse(time.RFC3339, *asOf); err != nil {
				return fmt.Errorf("--as-of: %v", err)
			}
		}
		return withApp(ctx, e.cfg, func(a *app.App) error {
			r, err := a.Eraser.Sweep(ctx, at)
			if err != nil {
				return err
			}
			return json.NewEncoder(e.stdout).Encode(r)
		})
	}
}
