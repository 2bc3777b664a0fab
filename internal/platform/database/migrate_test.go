package database_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// open connects without migrating.
func open(t *testing.T, url string) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrationFiles(t *testing.T) {
	pg, err := database.Migrations(config.DatabasePostgres)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := database.Migrations(config.DatabaseSQLite)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) == 0 || len(pg) != len(lite) {
		t.Fatalf("%d PostgreSQL and %d SQLite migrations: every change needs both", len(pg), len(lite))
	}
	for i := range pg {
		if pg[i].Version != lite[i].Version || pg[i].Name != lite[i].Name {
			t.Errorf("migration %d: %s (PostgreSQL) and %s (SQLite)", i+1, pg[i].Name, lite[i].Name)
		}
	}
}

// An empty database migrated to the head has the schema AutoMigrate makes
// from the models: the migrations and the models cannot drift apart.
func TestMigratedSchemaIsTheModels(t *testing.T) {
	for _, kind := range testenv.Databases() {
		t.Run(kind.Name, func(t *testing.T) {
			migrated := open(t, kind.URL(t))
			if err := migrated.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			auto := open(t, kind.URL(t))
			autoMigrate(t, kind.Name, auto)
			if got, want := schemaOf(t, migrated), schemaOf(t, auto); !slices.Equal(got, want) {
				t.Errorf("the migrations and the models differ:\n%s", diff(got, want))
			}
		})
	}
}

// A database made by release 8f9c40d (the last without a history), with a
// row in every table, migrates to the head with nothing lost.
func TestMigrateFromRelease(t *testing.T) {
	for _, kind := range testenv.Databases() {
		t.Run(kind.Name, func(t *testing.T) {
			ctx := context.Background()
			url := kind.URL(t)
			db := open(t, url)
			fixture, err := os.ReadFile("testdata/release-8f9c40d." + map[string]string{"sqlite": "sqlite", "postgres": "postgres"}[kind.Name] + ".sql")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.SQL.ExecContext(ctx, string(fixture)); err != nil {
				t.Fatal(err)
			}
			tables := fillEveryTable(t, db)
			before := dataOf(t, db, tables)
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			// A new connection: the old one's cached statements expect the old columns.
			after := dataOf(t, open(t, url), tables)
			for key, v := range before {
				if after[key] != v {
					t.Errorf("%s: %q before, %q after", key, v, after[key])
				}
			}
			fresh := open(t, kind.URL(t))
			if err := fresh.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if got, want := schemaOf(t, db), schemaOf(t, fresh); !slices.Equal(got, want) {
				t.Errorf("the upgraded schema differs from a new one:\n%s", diff(got, want))
			}
			st, err := db.MigrationStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range st {
				if m.AppliedAt == nil || m.Edited {
					t.Errorf("%04d_%s: applied %v, edited %v", m.Version, m.Name, m.AppliedAt, m.Edited)
				}
			}
		})
	}
}

// Processes that start together migrate once, and a second run changes nothing.
func TestMigrateConcurrently(t *testing.T) {
	for _, kind := range testenv.Databases() {
		t.Run(kind.Name, func(t *testing.T) {
			url := kind.URL(t)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				db := open(t, url)
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = db.Migrate(context.Background())
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			db := open(t, url)
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.SQL.QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if list, _ := database.Migrations(db.Kind); n != len(list) {
				t.Errorf("%d rows in schema_migrations, want %d", n, len(list))
			}
		})
	}
}

func TestMigrationStatusSeesAnEditedFile(t *testing.T) {
	db := open(t, testenv.SQLiteURL(t))
	ctx := context.Background()
	before, err := db.MigrationStatus(ctx)
	if err != nil || before[0].AppliedAt != nil {
		t.Fatalf("before: %+v %v", before, err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.Exec("UPDATE schema_migrations SET checksum = 'other' WHERE version = 1"); err != nil {
		t.Fatal(err)
	}
	st, err := db.MigrationStatus(ctx)
	if err != nil || st[0].AppliedAt == nil || !st[0].Edited || (len(st) > 1 && st[1].Edited) {
		t.Fatalf("after: %+v %v", st, err)
	}
}

// autoMigrate makes the models' schema with GORM on db's database.
func autoMigrate(t *testing.T, kind string, db *database.DB) {
	t.Helper()
	var dialect gorm.Dialector = postgres.New(postgres.Config{Conn: db.SQL})
	if kind == "sqlite" {
		dialect = &sqlite.Dialector{Conn: db.SQL}
	}
	g, err := gorm.Open(dialect, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.AutoMigrate(database.Models...); err != nil {
		t.Fatal(err)
	}
}

// ours tells whether a table is the application's (not River's, not the history).
func ours(table string) bool {
	return !strings.HasPrefix(table, "river_") && !strings.HasPrefix(table, "sqlite_") && table != "schema_migrations"
}

func tablesOf(t *testing.T, db *database.DB) []string {
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if db.Kind == config.DatabasePostgres {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	}
	var out []string
	for _, row := range rowsOf(t, db.SQL, q) {
		if ours(row[0]) {
			out = append(out, row[0])
		}
	}
	slices.Sort(out)
	return out
}

// schemaOf describes every table's columns, indexes and constraints, one line
// each, sorted: column order and index names given by SQLite to inline
// constraints do not count.
func schemaOf(t *testing.T, db *database.DB) []string {
	t.Helper()
	var out []string
	add := func(table, what string, rows [][]string) {
		for _, r := range rows {
			out = append(out, table+" "+what+" "+strings.Join(r, " | "))
		}
	}
	for _, table := range tablesOf(t, db) {
		if db.Kind == config.DatabasePostgres {
			add(table, "column", rowsOf(t, db.SQL, `SELECT column_name, data_type, COALESCE(character_maximum_length, 0)::text,
				is_nullable, COALESCE(column_default, '') FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, table))
			add(table, "index", rowsOf(t, db.SQL, `SELECT indexname, replace(indexdef, 'public.', '') FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`, table))
			add(table, "constraint", rowsOf(t, db.SQL, `SELECT conname, contype::text, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass`, table))
			continue
		}
		add(table, "column", rowsOf(t, db.SQL, `SELECT name, lower(type), "notnull", COALESCE(dflt_value, ''), pk FROM pragma_table_info(?)`, table))
		add(table, "foreign key", rowsOf(t, db.SQL, `SELECT "from", "table", "to", on_delete FROM pragma_foreign_key_list(?)`, table))
		for _, idx := range rowsOf(t, db.SQL, `SELECT name, "unique", origin FROM pragma_index_list(?)`, table) {
			cols := rowsOf(t, db.SQL, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, idx[0])
			name := idx[0]
			if idx[2] != "c" {
				name = idx[2] // SQLite names the indexes of inline constraints itself
			}
			add(table, "index", [][]string{{name, "unique=" + idx[1], fmt.Sprint(cols)}})
		}
	}
	slices.Sort(out)
	return out
}

// fillEveryTable inserts one row into every table, with a value of its type
// in every column, and returns the tables.
func fillEveryTable(t *testing.T, db *database.DB) []string {
	t.Helper()
	tables := tablesOf(t, db)
	// The accounts row first: api_keys refers to it.
	slices.SortStableFunc(tables, func(a, b string) int { return boolInt(b == "accounts") - boolInt(a == "accounts") })
	for _, table := range tables {
		cols := columnTypes(t, db, table)
		names, values := make([]string, 0, len(cols)), make([]string, 0, len(cols))
		for _, c := range cols {
			names = append(names, c[0])
			values = append(values, valueFor(db.Kind, c[0], c[1]))
		}
		q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(quoted(db.Kind, names), ", "), strings.Join(values, ", "))
		if _, err := db.SQL.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return tables
}

func columnTypes(t *testing.T, db *database.DB, table string) [][]string {
	if db.Kind == config.DatabasePostgres {
		return rowsOf(t, db.SQL, `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, table)
	}
	return rowsOf(t, db.SQL, `SELECT name, lower(type) FROM pragma_table_info(?)`, table)
}

// valueFor is a literal of a column's type: ids and counts 1, text "v", and so on.
func valueFor(kind, name, typ string) string {
	switch {
	case strings.Contains(typ, "int") || typ == "numeric" && name != "sandbox" && name != "disabled" && !strings.HasPrefix(name, "face_") && !strings.HasPrefix(name, "passport_"):
		return "1"
	case strings.Contains(typ, "bool") || typ == "numeric":
		return map[bool]string{true: "true", false: "1"}[kind == config.DatabasePostgres]
	case strings.Contains(typ, "time"):
		return "'2026-01-02 03:04:05+00:00'"
	case typ == "bytea":
		return `'\x0102'`
	case typ == "blob":
		return "X'0102'"
	case strings.Contains(typ, "double") || strings.Contains(typ, "real"):
		return "1.5"
	}
	return "'v'"
}

func quoted(kind string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = `"` + n + `"`
	}
	return out
}

// dataOf is every value of every table, keyed by table.column.
func dataOf(t *testing.T, db *database.DB, tables []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range tables {
		rows, err := db.SQL.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, c := range cols {
				out[fmt.Sprintf("%s[%d].%s", table, n, c)] = fmt.Sprintf("%v", vals[i])
			}
			n++
		}
		rows.Close()
		out[table+" rows"] = fmt.Sprint(n)
	}
	return out
}

func rowsOf(t *testing.T, db *sql.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	return out
}

func diff(got, want []string) string {
	var b strings.Builder
	for _, l := range got {
		if !slices.Contains(want, l) {
			b.WriteString("  migrations: " + l + "\n")
		}
	}
	for _, l := range want {
		if !slices.Contains(got, l) {
			b.WriteString("  models:     " + l + "\n")
		}
	}
	return b.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
