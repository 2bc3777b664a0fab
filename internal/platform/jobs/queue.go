// Package jobs runs Veridoc's background work on River, on whichever database
// the install uses. Jobs are inserted in the same transaction as the rows that
// need them (database.Tx), so nothing is lost between "saved" and "queued".
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// Queue inserts jobs and, when it has workers, runs them.
type Queue interface {
	// InsertTx queues a job inside tx: it exists only if tx commits.
	InsertTx(ctx context.Context, tx *database.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	// Insert queues a job on its own.
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	// Start begins working jobs (no-op for an insert-only queue).
	Start(ctx context.Context) error
	// Stop finishes running jobs and stops fetching new ones, within ctx.
	Stop(ctx context.Context) error
	// Subscribe streams job events (tests and metrics use it).
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
}

// Options configure a Queue.
type Options struct {
	// Workers is how many jobs run at once in this process; 0 makes an
	// insert-only queue (an API process whose jobs run elsewhere).
	Workers      int
	Registry     *river.Workers
	PeriodicJobs []*river.PeriodicJob
	Logger       *slog.Logger
	// PollInterval is how often SQLite is polled (it has no LISTEN/NOTIFY).
	PollInterval time.Duration
}

// Migrate applies River's schema.
func Migrate(ctx context.Context, db *database.DB) error {
	var err error
	switch db.Kind {
	case config.DatabasePostgres:
		err = migrate(ctx, riverpgxv5.New(db.Pool))
	default:
		err = migrate(ctx, riversqlite.New(db.SQL))
	}
	if err != nil {
		return fmt.Errorf("migrate jobs: %w", err)
	}
	return nil
}

func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// Job time limits. Each worker's Timeout must not exceed MaxJobTimeout, or
// a slow job could be rescued while it still runs.
const (
	MaxJobTimeout = 20 * time.Second
	RescueAfter   = 25 * time.Second
)

// New builds the queue for db.
func New(db *database.DB, o Options) (Queue, error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	cfg := &river.Config{
		Logger:      slog.New(quietCancel{logger.Handler()}),
		MaxAttempts: 10,
		// A job whose process died is rescued once it has run this long, so
		// every kind's timeout stays below it (JobTimeout is the default kind
		// timeout). River's rescuer looks every 30 s: a dead process's job runs
		// again within about a minute.
		JobTimeout:           MaxJobTimeout,
		RescueStuckJobsAfter: RescueAfter,
	}
	if o.Workers > 0 {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}}
		cfg.Workers = o.Registry
		cfg.PeriodicJobs = o.PeriodicJobs
	}
	switch db.Kind {
	case config.DatabasePostgres:
		c, err := river.NewClient(riverpgxv5.New(db.Pool), cfg)
		if err != nil {
			return nil, err
		}
		return &queue[pgx.Tx]{Client: c, started: o.Workers > 0, withTx: func(tx *database.Tx, fn func(pgx.Tx) error) error { return tx.Pgx(fn) }}, nil
	default:
		if o.PollInterval > 0 {
			cfg.FetchCooldown = min(o.PollInterval, river.FetchCooldownDefault)
			cfg.FetchPollInterval = o.PollInterval
		}
		cfg.PollOnly = true
		c, err := river.NewClient(riversqlite.New(db.SQL), cfg)
		if err != nil {
			return nil, err
		}
		return &queue[*sql.Tx]{Client: c, started: o.Workers > 0, withTx: func(tx *database.Tx, fn func(*sql.Tx) error) error { return fn(tx.SQLTx()) }}, nil
	}
}

type queue[TTx any] struct {
	*river.Client[TTx]
	started bool
	withTx  func(tx *database.Tx, fn func(TTx) error) error
}

func (q *queue[TTx]) InsertTx(ctx context.Context, tx *database.Tx, args river.JobArgs, opts *river.InsertOpts) (res *rivertype.JobInsertResult, err error) {
	err = q.withTx(tx, func(t TTx) error {
		res, err = q.Client.InsertTx(ctx, t, args, opts)
		return err
	})
	return res, err
}

func (q *queue[TTx]) Start(ctx context.Context) error {
	if !q.started {
		return nil
	}
	return q.Client.Start(ctx)
}

// Stop stops fetching jobs and lets the running ones finish until ctx ends;
// only then are the jobs still running cancelled (they run again later).
func (q *queue[TTx]) Stop(ctx context.Context) error {
	if !q.started {
		return nil
	}
	err := q.Client.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return errors.Join(err, q.Client.StopAndCancel(cctx))
}

// quietCancel demotes River's errors caused by a canceled context, which it
// logs while stopping, to debug: shutdown is not an error.
type quietCancel struct{ slog.Handler }

func (h quietCancel) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		canceled := false
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "error" && strings.Contains(a.Value.String(), context.Canceled.Error()) {
				canceled = true
				return false
			}
			return true
		})
		if canceled {
			if !h.Enabled(ctx, slog.LevelDebug) {
				return nil
			}
			demoted := slog.NewRecord(r.Time, slog.LevelDebug, r.Message, r.PC)
			r.Attrs(func(a slog.Attr) bool { demoted.AddAttrs(a); return true })
			r = demoted
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h quietCancel) WithAttrs(as []slog.Attr) slog.Handler {
	return quietCancel{h.Handler.WithAttrs(as)}
}
func (h quietCancel) WithGroup(g string) slog.Handler { return quietCancel{h.Handler.WithGroup(g)} }
