package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/veridoc/veridoc/internal/app"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/vision/engines"
)

// commands lists the CLI, in the order the usage text shows it.
func commands() []command {
	return []command{
		{"serve", "run the API and in-process workers", noFlags(serve)},
		{"worker", "run job workers only", noFlags(worker)},
		{"migrate", "apply database migrations and exit", noFlags(migrate)},
		{"migrate status", "list the schema's migrations and which are applied", noFlags(migrateStatus)},
		{"account create", "--name N [--sandbox]: create an account and print its first API key", accountCreate},
		{"account bootstrap", "create a first account if none exists; print a curl", noFlags(bootstrap)},
		{"account deposit", "--account ID --amount 100.00: record a deposit (prints the transaction)", accountDeposit},
		{"account rate-limit", "--account ID --per-hour N: set an account's requests per hour (0: default)", accountRateLimit},
		{"retention sweep", "[--as-of 2026-12-31T00:00:00Z]: erase what is past its account's retention\nnow (or as if at that time); prints the counts", retentionSweep},
		{"user create", "--account ID --email E --role owner|reviewer|viewer [--password-stdin]:\nadd a console user; prints its password (generated unless read from stdin)", userCreate},
		{"keys rotate", "add a new master key (the key file's primary), rewrap the database's data\nkeys and queue the rewrap of every stored object for the workers", noFlags(keysRotate)},
		{"keys rewrap", "rewrap now, in this process (prints what it did)", noFlags(keysRewrap)},
		{"keys status", "each master key and what it still wraps", noFlags(keysStatus)},
		{"keys retire", "drop master keys that wrap nothing any more", noFlags(keysRetire)},
		{"models", "list the model files with SHA-256, source, licence and use, and whether\nVERIDOC_MODELS_DIR holds them", noFlags(models)},
	}
}

// noFlags adapts a command that takes no flags.
func noFlags(run func(ctx context.Context, e env) error) func(*flag.FlagSet) func(context.Context, env) error {
	return func(*flag.FlagSet) func(context.Context, env) error { return run }
}

func serve(ctx context.Context, e env) error {
	a, err := app.New(ctx, e.cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return err
	}
	a.Logger.Info("veridoc listening", "addr", ln.Addr().String(), "tls", e.cfg.TLSCertFile != "",
		"database", strings.SplitN(e.cfg.DatabaseURL, ":", 2)[0], "workers", e.cfg.Workers)
	if e.cfg.TLSCertFile != "" {
		go reloadOnHangup(ctx, a)
	}
	if e.cfg.PprofAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		go func() {
			srv := &http.Server{Addr: e.cfg.PprofAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
			a.Logger.Warn("profiler listening", "addr", e.cfg.PprofAddr, "err", srv.ListenAndServe())
		}()
	}
	return a.Serve(ctx, ln)
}

func worker(ctx context.Context, e env) error {
	a, err := app.New(ctx, e.cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	return a.RunWorker(ctx)
}

func migrate(ctx context.Context, e env) error {
	return withApp(ctx, e.cfg, func(*app.App) error {
		fmt.Fprintln(e.stderr, "migrations applied")
		return nil
	})
}

// migrateStatus reads the history without applying anything.
func migrateStatus(ctx context.Context, e env) error {
	db, err := database.Open(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tNAME\tAPPLIED\tSTATE")
	pending := 0
	for _, m := range list {
		at, state := "-", "pending"
		switch {
		case m.AppliedAt != nil && m.Edited:
			at, state = m.AppliedAt.Format(time.RFC3339), "applied, but the file changed since"
		case m.AppliedAt != nil:
			at, state = m.AppliedAt.Format(time.RFC3339), "applied"
		default:
			pending++
		}
		fmt.Fprintf(w, "%04d\t%s\t%s\t%s\n", m.Version, m.Name, at, state)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%d of %d migrations applied\n", len(list)-pending, len(list))
	return nil
}

func models(_ context.Context, e env) error {
	list, err := engines.Inspect(e.cfg.ModelsDir)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(list)
}

func keysRotate(ctx context.Context, e env) error {
	return withApp(ctx, e.cfg, func(a *app.App) error {
		id, err := a.RotateKeys(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "new primary master key %s in %s; the workers rewrap the stored objects (veridoc keys status shows the progress). Back up the key file now.\n", id, a.Keys.Path())
		return nil
	})
}

func keysRewrap(ctx context.Context, e env) error {
	return withApp(ctx, e.cfg, func(a *app.App) error {
		rep, err := a.Rekeyer.Run(ctx)
		if err != nil {
			return err
		}
		return json.NewEncoder(e.stdout).Encode(rep)
	})
}

func keysStatus(ctx context.Context, e env) error {
	return withApp(ctx, e.cfg, func(a *app.App) error {
		st, err := a.Rekeyer.Status(ctx)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	})
}

func keysRetire(ctx context.Context, e env) error {
	return withApp(ctx, e.cfg, func(a *app.App) error {
		gone, err := a.Rekeyer.Retire(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "retired %d master keys %v; the key file holds %s\n", len(gone), gone, a.Keys.Describe())
		return nil
	})
}

// reloadOnHangup reads the TLS certificate again on each SIGHUP, as a
// certificate manager asks after a renewal.
func reloadOnHangup(ctx context.Context, a *app.App) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := a.ReloadTLS(); err != nil {
				a.Logger.Error("TLS certificate not reloaded; the one in use stays", "err", err)
			} else {
				a.Logger.Info("TLS certificate reloaded")
			}
		}
	}
}
