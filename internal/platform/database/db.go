// Package models holds Veridoc's GORM models and every query on them. The same
// code runs on SQLite (the embedded default) and PostgreSQL.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/seal"
)

// DB is an open database: GORM for queries and the handles the job queue needs.
type DB struct {
	g    *gorm.DB      // private: every query is a named method of this package
	Kind string        // config.DatabaseSQLite or config.DatabasePostgres
	SQL  *sql.DB       // shared pool under GORM
	Pool *pgxpool.Pool // PostgreSQL only: the pool under SQL, for River
	cols *seal.Columns // the sealed columns' keys (UseSealer), for hot's reads
	hot  *hotReads     // PostgreSQL only
}

// Open connects to the database described by a DATABASE_URL.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	dbc, err := config.ParseDatabaseURL(rawURL)
	if err != nil {
		return nil, err
	}
	gcfg := &gorm.Config{
		TranslateError: true, // unique violations become gorm.ErrDuplicatedKey on both databases
		Logger:         logger.Discard,
		NowFunc:        func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	db := &DB{Kind: dbc.Kind}
	switch dbc.Kind {
	case config.DatabasePostgres:
		pcfg, err := pgxpool.ParseConfig(dbc.DSN)
		if err != nil {
			return nil, fmt.Errorf("database: %w", err)
		}
		if !strings.Contains(dbc.DSN, "pool_max_conns") {
			// pgxpool's default (4 on two cores) queued concurrent requests.
			pcfg.MaxConns = max(pcfg.MaxConns, 24)
		}
		pool, err := pgxpool.NewWithConfig(ctx, pcfg)
		if err != nil {
			return nil, fmt.Errorf("database: %w", err)
		}
		db.Pool = pool
		db.SQL = stdlib.OpenDBFromPool(pool)
		// database/sql's connections each hold one of the pool's, and idle ones
		// keep theirs: stay below the pool's size so the job queue, which uses
		// the pool directly, always finds one, and queries queue rather than
		// wait on a pool that idle connections have emptied.
		db.SQL.SetMaxOpenConns(int(pcfg.MaxConns) - 4)
		db.g, err = gorm.Open(postgres.New(postgres.Config{Conn: db.SQL}), gcfg)
		if err == nil {
			db.hot, err = newHotReads(db.g)
		}
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("database: %w", err)
		}
	case config.DatabaseSQLite:
		// mattn/go-sqlite3 keeps a database/sql statement compiled, so each
		// query skips SQLite's parser and planner (the pure-Go driver used
		// before parsed every call again; docs/performance.md). On PostgreSQL
		// pgx caches statements itself and GORM's layer only cost throughput.
		gcfg.PrepareStmt = true
		if dir := filepath.Dir(dbc.DSN); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("database: %w", err)
			}
		}
		db.g, err = gorm.Open(sqlite.Open(dbc.DSN), gcfg)
		if err != nil {
			return nil, fmt.Errorf("database: %w", err)
		}
		db.SQL, err = db.g.DB()
		if err != nil {
			return nil, err
		}
		// One writer at a time is SQLite's rule; a small pool keeps readers concurrent.
		db.SQL.SetMaxOpenConns(8)
	}
	// Keep the connections open: database/sql's default of 2 idle ones closed
	// and reopened connections (and their prepared statements) under load.
	db.SQL.SetMaxIdleConns(8)
	db.SQL.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.SQL.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	return db, nil
}

// Close releases the pool.
func (db *DB) Close() error {
	err := db.SQL.Close()
	if db.Pool != nil {
		db.Pool.Close()
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.SQL.PingContext(ctx) }

// Models is every model, in creation order. The schema is made by the
// migrations (migrate.go); a test checks they give what these models expect.
var Models = []any{&Account{}, &APIKey{}, &IdempotencyKey{}, &Transaction{}, &BillingHold{}, &RateCounter{}, &PhotoTask{},
	&Session{}, &SessionUpload{}, &SessionEvent{}, &Callback{}, &CallbackAttempt{},
	&Verification{}, &Document{}, &ExtractedField{}, &ExtractedChange{}, &Decision{}, &WebhookEndpoint{}, &AuditEvent{}, &EncryptionKey{}, &ConsoleUser{}, &ConsoleSession{}, &AccountSpec{}, &DocumentBlock{}, &Face{}, &LiveFrame{}}

// ErrNotFound is returned by queries that find no row for the account.
var ErrNotFound = errors.New("not found")

// notFound maps GORM's miss to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// QueueCount is how many jobs of a kind wait or run in a state.
type QueueCount struct {
	State, Kind string
	Jobs        int64
}

// QueueDepth counts the job queue's live jobs by state and kind (for /metrics).
func (db *DB) QueueDepth(ctx context.Context) ([]QueueCount, error) {
	var rows []QueueCount
	err := db.g.WithContext(ctx).Raw(`SELECT state, kind, COUNT(*) AS jobs FROM river_job
		WHERE state IN ('available', 'running', 'retryable', 'scheduled') GROUP BY state, kind`).Scan(&rows).Error
	return rows, err
}

// BulkInsert inserts a slice of models in batches (tools/seed); the
// rows' IDs are set.
func (db *DB) BulkInsert(ctx context.Context, rows any, batch int) error {
	return db.g.WithContext(ctx).CreateInBatches(rows, batch).Error
}
