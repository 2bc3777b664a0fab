package database

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/veridoc/veridoc/internal/platform/config"
)

// The schema's history: one file per change and database kind,
// migrations/NNNN_name.{postgres,sqlite}.sql, applied in order and recorded in
// schema_migrations. A migration, once released, is never edited: a change
// is a new file (Status reports an edited one).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.(postgres|sqlite)\.sql$`)

// Migration is one change of the schema.
type Migration struct {
	Version  int
	Name     string
	Checksum string // SHA-256 of the SQL for this database's kind
	sql      string
}

// MigrationState is a migration and what the database records of it.
type MigrationState struct {
	Migration
	AppliedAt *time.Time
	// Edited: applied with another checksum; the file changed after it ran.
	Edited bool
}

// Migrations lists the schema's history for a database kind, in order.
func Migrations(kind string) ([]Migration, error) {
	dialect := map[string]string{config.DatabasePostgres: "postgres", config.DatabaseSQLite: "sqlite"}[kind]
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migrations: %s is not named NNNN_name.{postgres,sqlite}.sql", e.Name())
		}
		if m[3] != dialect {
			continue
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		v, _ := strconv.Atoi(m[1])
		sum := sha256.Sum256(b)
		out = append(out, Migration{Version: v, Name: m[2], Checksum: hex.EncodeToString(sum[:]), sql: string(b)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations: version %d where %d was expected (versions run 1, 2, 3, … without gaps)", m.Version, i+1)
		}
	}
	return out, nil
}

const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version integer PRIMARY KEY,
	name text NOT NULL,
	checksum text NOT NULL,
	applied_at text NOT NULL
)`

// baselineTable is a table of the baseline: a database that has it but no
// history was made by AutoMigrate (release 8f9c40d or before) and is adopted.
const baselineTable = "accounts"

// Migrate applies the pending migrations in order, each in its own
// transaction. On PostgreSQL an advisory lock keeps processes that start
// together from migrating at once; on SQLite each transaction takes the
// write lock first and looks again at what is applied.
func (db *DB) Migrate(ctx context.Context) error {
	list, err := Migrations(db.Kind)
	if err != nil {
		return err
	}
	return db.withMigrationLock(ctx, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, migrationsTable); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, m := range list {
			if err := db.apply(ctx, conn, m); err != nil {
				return fmt.Errorf("migrate %04d_%s: %w", m.Version, m.Name, err)
			}
		}
		return nil
	})
}

// apply runs one migration unless it is recorded already.
func (db *DB) apply(ctx context.Context, conn *sql.Conn, m Migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	var n int
	if err := tx.QueryRowContext(ctx, db.rebind("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), m.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	adopt := false
	if m.Version == 1 {
		if adopt, err = db.hasTable(ctx, tx, baselineTable); err != nil {
			return err
		}
	}
	if !adopt {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, db.rebind("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)"),
		m.Version, m.Name, m.Checksum, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	return tx.Commit()
}

func (db *DB) hasTable(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	if db.Kind == config.DatabasePostgres {
		q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
	}
	var n int
	err := tx.QueryRowContext(ctx, q, name).Scan(&n)
	return n > 0, err
}

// MigrationStatus lists every migration with when it was applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	list, err := Migrations(db.Kind)
	if err != nil {
		return nil, err
	}
	if _, err := db.SQL.ExecContext(ctx, migrationsTable); err != nil {
		return nil, err
	}
	rows, err := db.SQL.QueryContext(ctx, "SELECT version, checksum, applied_at FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type applied struct {
		sum string
		at  time.Time
	}
	done := map[int]applied{}
	for rows.Next() {
		var v int
		var a applied
		var at string
		if err := rows.Scan(&v, &a.sum, &at); err != nil {
			return nil, err
		}
		a.at, _ = time.Parse(time.RFC3339, at)
		done[v] = a
	}
	out := make([]MigrationState, len(list))
	for i, m := range list {
		out[i].Migration = m
		if a, ok := done[m.Version]; ok {
			out[i].AppliedAt, out[i].Edited = &a.at, a.sum != m.Checksum
		}
	}
	return out, rows.Err()
}

// withMigrationLock runs fn on one connection, holding PostgreSQL's
// migration advisory lock.
func (db *DB) withMigrationLock(ctx context.Context, fn func(*sql.Conn) error) error {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if db.Kind == config.DatabasePostgres {
		h := fnv.New64a()
		_, _ = h.Write([]byte("veridoc.migrate"))
		lock := int64(h.Sum64() >> 1)
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lock); err != nil {
			return fmt.Errorf("migrate lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lock) //nolint:errcheck
	}
	return fn(conn)
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, ….
func (db *DB) rebind(q string) string {
	if db.Kind != config.DatabasePostgres {
		return q
	}
	out, n := make([]byte, 0, len(q)+8), 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = append(out, '$')
			out = strconv.AppendInt(out, int64(n), 10)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}
