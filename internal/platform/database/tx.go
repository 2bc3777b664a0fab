package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// Tx is a transaction that GORM queries and the job queue share, so a row and
// the job that processes it commit together or not at all.
type Tx struct {
	g     *gorm.DB
	conn  *sql.Conn
	sqlTx *sql.Tx
}

// InTx runs fn in a transaction, committing if it returns nil.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	// A dedicated connection: on PostgreSQL the job queue reaches the same
	// session through it (see Pgx).
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	g := db.g.Session(&gorm.Session{Context: ctx, NewDB: true})
	g.Statement.ConnPool = sqlTx
	tx := &Tx{g: g, conn: conn, sqlTx: sqlTx}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
			return
		}
		err = sqlTx.Commit()
	}()
	return fn(tx)
}

// SQLTx is the database/sql transaction (River's SQLite driver takes it).
func (tx *Tx) SQLTx() *sql.Tx { return tx.sqlTx }

// Pgx runs fn with a pgx.Tx over the same PostgreSQL session, for River's pgx
// driver. The transaction stays owned by InTx: Commit and Rollback on it fail.
func (tx *Tx) Pgx(fn func(pgx.Tx) error) error {
	return tx.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("models: not a pgx connection: %T", driverConn)
		}
		return fn(&borrowedTx{conn: c.Conn()})
	})
}

var errBorrowed = errors.New("models: this transaction is committed by InTx")

// borrowedTx presents a connection inside an open transaction as a pgx.Tx.
// Nested Begin uses savepoints, as pgx's own Tx does.
type borrowedTx struct {
	conn      *pgx.Conn
	savepoint string // empty for the outer transaction
}

var savepointSeq atomic.Int64

func (t *borrowedTx) Begin(ctx context.Context) (pgx.Tx, error) {
	name := fmt.Sprintf("veridoc_sp_%d", savepointSeq.Add(1))
	if _, err := t.conn.Exec(ctx, "SAVEPOINT "+name); err != nil {
		return nil, err
	}
	return &borrowedTx{conn: t.conn, savepoint: name}, nil
}

func (t *borrowedTx) Commit(ctx context.Context) error {
	if t.savepoint == "" {
		return errBorrowed
	}
	_, err := t.conn.Exec(ctx, "RELEASE SAVEPOINT "+t.savepoint)
	return err
}

func (t *borrowedTx) Rollback(ctx context.Context) error {
	if t.savepoint == "" {
		return errBorrowed
	}
	_, err := t.conn.Exec(ctx, "ROLLBACK TO SAVEPOINT "+t.savepoint)
	return err
}

func (t *borrowedTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return t.conn.CopyFrom(ctx, table, cols, src)
}

func (t *borrowedTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.conn.SendBatch(ctx, b)
}

// LargeObjects is not used by the job queue.
func (t *borrowedTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

func (t *borrowedTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.conn.Prepare(ctx, name, sql)
}

func (t *borrowedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.conn.Exec(ctx, sql, args...)
}

func (t *borrowedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.conn.Query(ctx, sql, args...)
}

func (t *borrowedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.conn.QueryRow(ctx, sql, args...)
}

func (t *borrowedTx) Conn() *pgx.Conn { return t.conn }
