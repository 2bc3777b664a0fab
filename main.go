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
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/veridoc/veridoc/app"
	"github.com/veridoc/veridoc/config"
)

const usage = `Veridoc: self-hosted identity verification and ID photo API.

Usage:
  veridoc serve                     run the API and in-process workers
  veridoc worker                    run job workers only
  veridoc migrate                   apply database migrations and exit
  veridoc account create --name N   create an account and print its first API key
  veridoc account bootstrap         create a first account if none exists; print a curl
  veridoc <command> --help          help for one command

Configuration comes from the environment (see README): VERIDOC_ADDR,
VERIDOC_DATA_DIR, DATABASE_URL, STORAGE_URL, VERIDOC_PUBLIC_URL, VERIDOC_WORKERS, …
`

func main() {
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

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	if cmd == "account" {
		if len(rest) == 0 {
			return errors.New("account: want a subcommand: create or bootstrap")
		}
		cmd, rest = "account "+rest[0], rest[1:]
	}
	fs := flag.NewFlagSet("veridoc "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var name string
	var sandbox bool
	switch cmd {
	case "serve", "worker", "migrate", "account bootstrap":
	case "account create":
		fs.StringVar(&name, "name", "", "account name (required)")
		fs.BoolVar(&sandbox, "sandbox", false, "a sandbox account (may call test-only methods)")
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
		none := 0
		a, err := app.New(ctx, cfg, app.Options{Workers: &none})
		if err != nil {
			return err
		}
		a.Close()
		fmt.Fprintln(stderr, "migrations applied")
		return nil
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
	}
	return nil
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
	return a.Serve(ctx, ln)
}

// Credentials is what account create prints: the bootstrap of a new install.
type Credentials struct {
	AccountID int64  `json:"account_id"`
	PublicKey string `json:"public_key"`
	Secret    string `json:"secret"`
}

func createAccount(ctx context.Context, cfg *config.Config, name string, sandbox bool) (*Credentials, error) {
	none := 0
	a, err := app.New(ctx, cfg, app.Options{Workers: &none})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	acc, err := a.DB.CreateAccount(ctx, name, sandbox)
	if err != nil {
		return nil, err
	}
	key, secret, err := a.DB.CreateAPIKey(ctx, acc.ID, "first key")
	if err != nil {
		return nil, err
	}
	return &Credentials{AccountID: acc.ID, PublicKey: key.PublicKey, Secret: secret}, nil
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
		none := 0
		a, err := app.New(ctx, cfg, app.Options{Workers: &none})
		if err != nil {
			return err
		}
		n, err := a.DB.CountAccounts(ctx)
		a.Close()
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
	fmt.Fprintf(stdout, "Veridoc account %d (credentials in %s). Try:\n\n  curl -u %s:%s -X POST %s/api/v1/account.get\n\n",
		creds.AccountID, path, creds.PublicKey, creds.Secret, cfg.PublicURL)
	return nil
}
