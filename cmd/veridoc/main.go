// Command veridoc is the Veridoc server and its operator CLI.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/veridoc/veridoc/internal/app"
	"github.com/veridoc/veridoc/internal/domain/billing"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/vision/engines"
	"github.com/veridoc/veridoc/internal/web/console"
)

const usage = `Veridoc: self-hosted identity verification and ID photo API.

Usage:
  veridoc serve                     run the API and in-process workers
  veridoc worker                    run job workers only
  veridoc migrate                   apply database migrations and exit
  veridoc account create --name N   create an account and print its first API key
  veridoc account bootstrap         create a first account if none exists; print a curl
  veridoc account deposit --account ID --amount 100.00
                                    record a deposit (prints the transaction)
  veridoc account rate-limit --account ID --per-hour N
                                    set an account's requests per hour per key (0: default)
  veridoc retention sweep [--as-of 2026-12-31T00:00:00Z]
                                    erase what is past its account's retention now
                                    (or as if at that time); prints the counts
  veridoc user create --account ID --email E --role owner|reviewer|viewer [--password-stdin]
                                    add a console user; prints {"user_id", "email", "role",
                                    "password"} (generated unless read from stdin)
  veridoc keys rotate               add a new master key (the key file's primary), rewrap
                                    the database's data keys and queue the rewrap of
                                    every stored object for the workers
  veridoc keys rewrap               rewrap now, in this process (prints what it did)
  veridoc keys status               each master key and what it still wraps
  veridoc keys retire               drop master keys that wrap nothing any more
  veridoc models                    list the model files with SHA-256, source, licence
                                    and use, and whether VERIDOC_MODELS_DIR holds them
  veridoc <command> --help          help for one command

Configuration comes from the environment (see README): VERIDOC_ADDR,
VERIDOC_DATA_DIR, DATABASE_URL, STORAGE_URL, VERIDOC_PUBLIC_URL, VERIDOC_WORKERS, …
`

func main() {
	singleThreadedOCR()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "veridoc:", err)
		os.Exit(1)
	}
}

// singleThreadedOCR restarts the process with OMP_THREAD_LIMIT=1 unless it is
// set. Tesseract's OpenMP threads spin on the other cores while they wait:
// an MRZ read took twice the CPU and time with them (measured with
// TestMRZReadRate). libgomp reads the variable when it loads, before main
// runs, so setting it here takes an exec of the same binary.
func singleThreadedOCR() {
	if os.Getenv("OMP_THREAD_LIMIT") != "" {
		return
	}
	if err := os.Setenv("OMP_THREAD_LIMIT", "1"); err != nil {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	_ = syscall.Exec(exe, os.Args, os.Environ()) // on failure, run as we are
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	if cmd == "account" {
		if len(rest) == 0 {
			return errors.New("account: want a subcommand: create, bootstrap, deposit or rate-limit")
		}
		cmd, rest = "account "+rest[0], rest[1:]
	}
	if cmd == "retention" {
		if len(rest) == 0 {
			return errors.New("retention: want a subcommand: sweep")
		}
		cmd, rest = "retention "+rest[0], rest[1:]
	}
	if cmd == "user" {
		if len(rest) == 0 {
			return errors.New("user: want a subcommand: create")
		}
		cmd, rest = "user "+rest[0], rest[1:]
	}
	if cmd == "keys" {
		if len(rest) == 0 {
			return errors.New("keys: want a subcommand: rotate, rewrap, status or retire")
		}
		cmd, rest = "keys "+rest[0], rest[1:]
	}
	fs := flag.NewFlagSet("veridoc "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var name, amount, desc string
	var sandbox bool
	var accountID int64
	var perHour int
	var asOf string
	var email, role string
	var passwordStdin bool
	switch cmd {
	case "serve", "worker", "migrate", "account bootstrap", "models", "keys rotate", "keys rewrap", "keys status", "keys retire":
	case "account create":
		fs.StringVar(&name, "name", "", "account name (required)")
		fs.BoolVar(&sandbox, "sandbox", false, "a sandbox account (may call test-only methods)")
	case "account deposit":
		fs.Int64Var(&accountID, "account", 0, "account id (required)")
		fs.StringVar(&amount, "amount", "", "amount in USD, e.g. 100.00 (required)")
		fs.StringVar(&desc, "description", "deposit", "note shown on the transaction")
	case "account rate-limit":
		fs.Int64Var(&accountID, "account", 0, "account id (required)")
		fs.IntVar(&perHour, "per-hour", -1, "requests per hour per API key; 0 restores the server default (required)")
	case "user create":
		fs.Int64Var(&accountID, "account", 0, "account id (required)")
		fs.StringVar(&email, "email", "", "the user's email, their sign-in name (required)")
		fs.StringVar(&role, "role", "", "owner, reviewer or viewer (required)")
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from stdin instead of generating one")
	case "retention sweep":
		fs.StringVar(&asOf, "as-of", "", "erase as if at this time (YYYY-MM-DDTHH:MM:SSZ; default: now)")
	default:
		return fmt.Errorf("unknown command %q (see veridoc --help)", cmd)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: veridoc %s [flags]\n", cmd)
		fs.PrintDefaults()
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, stderr)
	case "worker":
		a, err := app.New(ctx, cfg, app.Options{})
		if err != nil {
			return err
		}
		defer a.Close()
		return a.RunWorker(ctx)
	case "migrate":
		return withDB(ctx, cfg, func(*app.App) error {
			fmt.Fprintln(stderr, "migrations applied")
			return nil
		})
	case "account create":
		if strings.TrimSpace(name) == "" {
			return errors.New("account create: --name is required")
		}
		creds, err := createAccount(ctx, cfg, name, sandbox)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(creds)
	case "account bootstrap":
		return bootstrap(ctx, cfg, stdout)
	case "account deposit":
		cents, err := billing.ParseUSD(amount)
		if err != nil {
			return fmt.Errorf("--amount: %v", err)
		}
		return withDB(ctx, cfg, func(a *app.App) error {
			t, err := a.DB.Deposit(ctx, accountID, cents, desc)
			if errors.Is(err, database.ErrNotFound) {
				return fmt.Errorf("no account with id %d", accountID)
			}
			if err != nil {
				return err
			}
			return json.NewEncoder(stdout).Encode(map[string]any{"transaction_id": t.ID, "account_id": t.AccountID,
				"amount_usd": billing.Cents(t.AmountCents).String(), "balance_after_usd": billing.Cents(t.BalanceAfterCents).String()})
		})
	case "models":
		list, err := engines.Inspect(cfg.ModelsDir)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	case "retention sweep":
		at := time.Now().UTC()
		if asOf != "" {
			if at, err = time.Parse(time.RFC3339, asOf); err != nil {
				return fmt.Errorf("--as-of: %v", err)
			}
		}
		return withDB(ctx, cfg, func(a *app.App) error {
			r, err := a.Eraser.Sweep(ctx, at)
			if err != nil {
				return err
			}
			return json.NewEncoder(stdout).Encode(r)
		})
	case "user create":
		password := ""
		if passwordStdin {
			b, err := io.ReadAll(io.LimitReader(os.Stdin, 1024))
			if err != nil {
				return err
			}
			password = strings.TrimRight(string(b), "\r\n")
		}
		return withDB(ctx, cfg, func(a *app.App) error {
			u, pw, err := console.CreateUser(ctx, a.DB, accountID, email, role, password, time.Now().UTC())
			if errors.Is(err, database.ErrNotFound) {
				return fmt.Errorf("no account with id %d", accountID)
			}
			if errors.Is(err, database.ErrDuplicate) {
				return fmt.Errorf("a console user with email %s exists", email)
			}
			if err != nil {
				return fmt.Errorf("user create: %w", err)
			}
			return json.NewEncoder(stdout).Encode(map[string]any{"user_id": u.ID, "email": u.Email, "role": u.Role, "password": pw})
		})
	case "keys rotate":
		return withDB(ctx, cfg, func(a *app.App) error {
			id, err := a.RotateKeys(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "new primary master key %s in %s; the workers rewrap the stored objects (veridoc keys status shows the progress). Back up the key file now.\n", id, a.Keys.Path())
			return nil
		})
	case "keys rewrap":
		return withDB(ctx, cfg, func(a *app.App) error {
			rep, err := a.Rekeyer.Run(ctx)
			if err != nil {
				return err
			}
			return json.NewEncoder(stdout).Encode(rep)
		})
	case "keys status":
		return withDB(ctx, cfg, func(a *app.App) error {
			st, err := a.Rekeyer.Status(ctx)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(st)
		})
	case "keys retire":
		return withDB(ctx, cfg, func(a *app.App) error {
			gone, err := a.Rekeyer.Retire(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "retired %d master keys %v; the key file holds %s\n", len(gone), gone, a.Keys.Describe())
			return nil
		})
	case "account rate-limit":
		if perHour < 0 {
			return errors.New("account rate-limit: --per-hour is required")
		}
		return withDB(ctx, cfg, func(a *app.App) error {
			if err := a.DB.SetRateLimit(ctx, accountID, perHour); errors.Is(err, database.ErrNotFound) {
				return fmt.Errorf("no account with id %d", accountID)
			} else if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "account %d: %d requests per hour per key\n", accountID, perHour)
			return nil
		})
	}
	return nil
}

// withDB runs an operator command against the database, without workers.
func withDB(ctx context.Context, cfg *config.Config, fn func(a *app.App) error) error {
	none := 0
	a, err := app.New(ctx, cfg, app.Options{Workers: &none})
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func serve(ctx context.Context, cfg *config.Config, stderr io.Writer) error {
	a, err := app.New(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	a.Logger.Info("veridoc listening", "addr", ln.Addr().String(), "database", strings.SplitN(cfg.DatabaseURL, ":", 2)[0], "workers", cfg.Workers)
	if cfg.PprofAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		go func() {
			srv := &http.Server{Addr: cfg.PprofAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
			a.Logger.Warn("profiler listening", "addr", cfg.PprofAddr, "err", srv.ListenAndServe())
		}()
	}
	return a.Serve(ctx, ln)
}

// Credentials is what account create prints: the bootstrap of a new install.
type Credentials struct {
	AccountID int64  `json:"account_id"`
	PublicKey string `json:"public_key"`
	Secret    string `json:"secret"`
}

func createAccount(ctx context.Context, cfg *config.Config, name string, sandbox bool) (*Credentials, error) {
	var creds *Credentials
	err := withDB(ctx, cfg, func(a *app.App) error {
		acc, err := a.DB.CreateAccount(ctx, name, sandbox)
		if err != nil {
			return err
		}
		key, secret, err := a.DB.CreateAPIKey(ctx, acc.ID, "first key")
		if err != nil {
			return err
		}
		creds = &Credentials{AccountID: acc.ID, PublicKey: key.PublicKey, Secret: secret}
		return nil
	})
	return creds, err
}

// bootstrap makes sure a fresh install has an account, keeps its first
// credentials in the data dir (mode 0600) and prints a curl that works.
func bootstrap(ctx context.Context, cfg *config.Config, stdout io.Writer) error {
	path := filepath.Join(cfg.DataDir, "first-account.json")
	var creds Credentials
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &creds); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	} else {
		var n int64
		err := withDB(ctx, cfg, func(a *app.App) (err error) {
			n, err = a.DB.CountAccounts(ctx)
			return err
		})
		if err != nil {
			return err
		}
		if n > 0 {
			fmt.Fprintf(stdout, "Accounts exist already; create credentials with: bin/veridoc account create --name NAME\n")
			return nil
		}
		c, err := createAccount(ctx, cfg, "First account", true)
		if err != nil {
			return err
		}
		creds = *c
		b, _ := json.MarshalIndent(creds, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "Veridoc account %d (credentials in %s). Try:\n\n  curl -u %s:%s -X POST %s/api/v1/account.get\n\nAPI reference: %s/docs (OpenAPI 3.1: %s/api/v1/openapi.json)\n\n",
		creds.AccountID, path, creds.PublicKey, creds.Secret, cfg.PublicURL, cfg.PublicURL, cfg.PublicURL)
	return nil
}
