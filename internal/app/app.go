// Package app wires Veridoc together: configuration, database, object store,
// job queue, the domain services, the method registry and the HTTP server,
// and runs them until stopped. It is the only package that knows them all.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/riverqueue/river"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/domain/faceindex"
	"github.com/veridoc/veridoc/internal/domain/retention"
	"github.com/veridoc/veridoc/internal/platform/certs"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/platform/metrics"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/ratelimit"
	"github.com/veridoc/veridoc/internal/platform/rekey"
	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/web/console"
)

// App is a running Veridoc process: API, workers, or both.
type App struct {
	Config *config.Config
	Logger *slog.Logger
	DB     *database.DB
	Store  *objectstore.Sealed
	// Keys is the master keyring that wraps the data keys of stored objects
	// and personal columns.
	Keys     *seal.Keyring
	Queue    jobs.Queue
	Registry *rpc.Registry
	Metrics  *metrics.Metrics
	Now      func() time.Time
	// Accounts changes accounts, keys, users, webhooks and money: the API,
	// the console and the command line all go through it.
	Accounts *accounts.Service
	// Faces is this process's copy of the accounts' faces (1:N search).
	Faces *faceindex.Index
	// Eraser erases personal data on request and when retention has passed.
	Eraser *retention.Eraser
	// Rekeyer moves data keys under the newest master key after a rotation.
	Rekeyer *rekey.Rekeyer

	connState func(net.Conn, http.ConnState)
	limits    ratelimit.Counter
	stopSync  context.CancelFunc // ends the rate-count sync (Synced)
	syncDone  chan struct{}
	redis     *ratelimit.Redis
	counter   *faces.Counter // the capture page's frame check
	workers   int            // jobs this process runs at once (0: API only)
	console   *console.Console
	echo      *echo.Echo
	formKey   []byte          // signs the console's sign-in form tokens
	tls       *certs.Reloader // nil: plain HTTP (a proxy may end TLS)
}

// Options tune a process beyond the config.
type Options struct {
	// Workers overrides Config.Workers (0 in an API-only process).
	Workers *int
	Logger  *slog.Logger
	// PollInterval for SQLite job polling (tests shorten it).
	PollInterval time.Duration
	// ConnState, when set, sees the HTTP server's connection state changes
	// (tests wait on them instead of sleeping).
	ConnState func(net.Conn, http.ConnState)
}

// New opens everything a process needs and applies migrations.
func New(ctx context.Context, cfg *config.Config, o Options) (*App, error) {
	a := &App{Config: cfg, Logger: o.Logger, Now: func() time.Time { return time.Now().UTC() }, connState: o.ConnState,
		workers: cfg.Workers}
	if a.Logger == nil {
		a.Logger = NewLogger(cfg.LogLevel)
	}
	if o.Workers != nil {
		a.workers = *o.Workers
	}
	if err := a.open(ctx, o); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// open brings the process up, step by step.
func (a *App) open(ctx context.Context, o Options) error {
	var err error
	if a.Config.TLSCertFile != "" {
		// Before anything else: a server that cannot serve its certificate
		// should not start.
		if a.tls, err = certs.New(a.Config.TLSCertFile, a.Config.TLSKeyFile); err != nil {
			return err
		}
	}
	if a.DB, err = database.Open(ctx, a.Config.DatabaseURL); err != nil {
		return err
	}
	if err := a.Migrate(ctx); err != nil {
		return err
	}
	if err := a.openKeys(ctx); err != nil {
		return err
	}
	if err := a.openStore(ctx); err != nil {
		return err
	}
	if err := a.checkModels(); err != nil {
		return err
	}
	if err := a.openLimits(ctx); err != nil {
		return err
	}
	w, err := a.wire(o)
	if err != nil {
		return err
	}
	a.echo = a.newEcho(w.handlers)
	return nil
}

// Migrate applies the application and job-queue schemas.
func (a *App) Migrate(ctx context.Context) error {
	if err := a.DB.Migrate(ctx); err != nil {
		return err
	}
	return jobs.Migrate(ctx, a.DB)
}

// Handler is the HTTP handler of the API process.
func (a *App) Handler() http.Handler { return a.echo }

// Serve runs the HTTP server and the workers until ctx is done, then drains
// in-flight requests and jobs within the shutdown timeout.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.StartJobs(ctx); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second, // a request may take up to 60 s
		WriteTimeout:      75 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
		ConnState:         a.connState,
	}
	errc := make(chan error, 1)
	if a.tls != nil {
		srv.TLSConfig = a.tls.Config()
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	return errors.Join(serveErr, a.shutdown(srv))
}

// ReloadTLS reads the certificate and key files again (on SIGHUP); on an
// error the pair in use stays. Without TLS it does nothing.
func (a *App) ReloadTLS() error {
	if a.tls == nil {
		return nil
	}
	return a.tls.Reload()
}

// StartJobs starts the workers and feeds their outcomes to the metrics. The
// queue outlives ctx: shutdown stops it (Queue.Stop), letting running jobs
// finish first. River cancels running jobs when its start context ends.
func (a *App) StartJobs(ctx context.Context) error {
	qctx := context.WithoutCancel(ctx)
	if a.workers == 0 {
		return a.Queue.Start(qctx) // an insert-only queue has no job events
	}
	events, stop := a.Queue.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled, river.EventKindJobSnoozed)
	if err := a.Queue.Start(qctx); err != nil {
		stop()
		return fmt.Errorf("start jobs: %w", err)
	}
	go a.Metrics.WatchJobs(ctx, events, stop)
	go func() {
		start := time.Now()
		if err := a.Faces.Warm(ctx); err != nil {
			a.Logger.Warn("faces not loaded at start; each account loads at its first search", "error", err)
		} else {
			a.Logger.Info("faces loaded", "seconds", time.Since(start).Seconds(), "bytes", a.Faces.Bytes())
		}
		a.Faces.Run(ctx)
	}()
	return nil
}

// RunWorker runs only the job workers until ctx is done.
func (a *App) RunWorker(ctx context.Context) error {
	if err := a.StartJobs(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return a.shutdown(nil)
}

func (a *App) shutdown(srv *http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	var errs []error
	if srv != nil {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
	}
	if err := a.Queue.Stop(ctx); err != nil {
		errs = append(errs, fmt.Errorf("jobs shutdown: %w", err))
	}
	return errors.Join(errs...)
}

// Close releases the database.
func (a *App) Close() {
	if a.stopSync != nil {
		a.stopSync() // the last counts are flushed before the database closes
		<-a.syncDone
	}
	if a.redis != nil {
		_ = a.redis.Close()
	}
	if a.DB != nil {
		_ = a.DB.Close()
	}
	if a.counter != nil {
		a.counter.Close()
	}
}

// NewLogger is the process logger: JSON lines on stderr.
func NewLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}
