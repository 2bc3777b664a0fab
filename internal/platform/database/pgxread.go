package database

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/veridoc/veridoc/internal/platform/seal"
)

// pgxReader reads one model's rows on PostgreSQL through pgx itself, for the
// reads every API call makes (session.get, account.get). database/sql and
// GORM's scan cost more server CPU than the query did (make loadtest;
// docs/performance.md has the numbers). The columns and scan targets come from the GORM schema, so the
// model stays the one place that names them; sealed columns are decrypted
// as GORM's serializer would.
type pgxReader[T any] struct {
	selectFrom string // SELECT "a","b",… FROM "table"
	fields     []*schema.Field
	sealed     []bool
}

func newPgxReader[T any](g *gorm.DB) (*pgxReader[T], error) {
	stmt := &gorm.Statement{DB: g}
	if err := stmt.Parse(new(T)); err != nil {
		return nil, err
	}
	r := &pgxReader[T]{}
	var cols []string
	for _, f := range stmt.Schema.Fields {
		if f.DBName == "" || !f.Readable {
			continue
		}
		sealed := false
		switch f.Serializer.(type) {
		case nil:
		case sealedSerializer:
			sealed = true
		default:
			return nil, fmt.Errorf("models: %s.%s: serializer %T is not read by pgxReader", stmt.Schema.Table, f.DBName, f.Serializer)
		}
		cols = append(cols, pgx.Identifier{f.DBName}.Sanitize())
		r.fields = append(r.fields, f)
		r.sealed = append(r.sealed, sealed)
	}
	r.selectFrom = "SELECT " + strings.Join(cols, ", ") + " FROM " + pgx.Identifier{stmt.Schema.Table}.Sanitize()
	return r, nil
}

// take reads the one row that where ($1, $2, … for args) selects; no row is ErrNotFound.
func (r *pgxReader[T]) take(ctx context.Context, pool *pgxpool.Pool, cols *seal.Columns, where string, args ...any) (*T, error) {
	out := new(T)
	rv := reflect.ValueOf(out).Elem()
	dest := make([]any, len(r.fields))
	raw := make([][]byte, len(r.fields))
	for i, f := range r.fields {
		if r.sealed[i] {
			dest[i] = &raw[i]
		} else {
			dest[i] = f.ReflectValueOf(ctx, rv).Addr().Interface()
		}
	}
	err := pool.QueryRow(ctx, r.selectFrom+" WHERE "+where+" LIMIT 1", args...).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	for i, f := range r.fields {
		if !r.sealed[i] || raw[i] == nil {
			continue
		}
		if cols == nil {
			return nil, errNoSealer
		}
		var v any
		switch f.FieldType.Kind() {
		case reflect.String:
			v, err = cols.OpenString(string(raw[i]))
		case reflect.Slice:
			v, err = cols.OpenBytes(raw[i])
		default:
			err = fmt.Errorf("a sealed field is a %s", f.FieldType)
		}
		if err == nil {
			err = f.Set(ctx, rv, v)
		}
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", f.Schema.Table, f.DBName, err)
		}
	}
	return out, nil
}

// hotReads are the pgx readers of a PostgreSQL database; nil on SQLite,
// where GORM with prepared statements is as quick.
type hotReads struct {
	sessions *pgxReader[Session]
	accounts *pgxReader[Account]
}

func newHotReads(g *gorm.DB) (*hotReads, error) {
	s, err := newPgxReader[Session](g)
	if err != nil {
		return nil, err
	}
	a, err := newPgxReader[Account](g)
	if err != nil {
		return nil, err
	}
	return &hotReads{sessions: s, accounts: a}, nil
}
