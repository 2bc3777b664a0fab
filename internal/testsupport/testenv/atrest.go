package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/seal"
)

// plainStarts are what a stored image or PDF starts with; plainMarks what
// one carries inside, long enough (4 bytes and more) not to turn up by chance
// in kilobytes of ciphertext (a 3-byte JPEG start would, about once in a
// hundred runs).
var (
	plainStarts = [][]byte{{0xFF, 0xD8, 0xFF}, []byte("\x89PNG"), []byte("%PDF")}
	plainMarks  = [][]byte{[]byte("JFIF"), []byte("Exif\x00"), []byte("\x89PNG\r\n"), []byte("%PDF-1.")}
)

// SealedAtRest reads the raw store and database and fails on any stored
// object that is not sealed or carries image/PDF magic, and on any of the
// plain values found in the database's bytes. control is a value stored in
// the clear (a reference): finding it shows the search reads real rows.
func SealedAtRest(t *testing.T, s *Server, control string, plain ...string) {
	t.Helper()
	ctx := context.Background()
	backend := s.Store.Backend()
	n := 0
	err := backend.List(ctx, "", func(key string) error {
		raw, err := objectstore.ReadAll(ctx, backend, key)
		if err != nil {
			return err
		}
		n++
		if _, _, err := seal.ReadHeader(bytes.NewReader(raw)); err != nil {
			t.Errorf("object %s is not sealed: %v", key, err)
		}
		for _, m := range plainStarts {
			if bytes.HasPrefix(raw, m) {
				t.Errorf("object %s starts with %q", key, m)
			}
		}
		for _, m := range plainMarks {
			if bytes.Contains(raw, m) {
				t.Errorf("object %s holds %q", key, m)
			}
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("listing the store: %d objects, %v", n, err)
	}
	dump := databaseBytes(t, s)
	if !bytes.Contains(dump, []byte(control)) {
		t.Fatalf("the database dump lacks %q: it does not show the rows", control)
	}
	for _, p := range plain {
		if p == "" || bytes.Contains(dump, []byte(p)) {
			t.Errorf("the database holds %q in the clear", p)
		}
	}
}

// databaseBytes is the SQLite file (and its write-ahead log) as stored, or
// every row of every PostgreSQL table as text.
func databaseBytes(t *testing.T, s *Server) []byte {
	t.Helper()
	dbc, err := config.ParseDatabaseURL(s.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	if dbc.Kind == config.DatabaseSQLite {
		path := strings.SplitN(dbc.DSN, "?", 2)[0]
		for _, p := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil && p == path {
				t.Fatal(err)
			}
			out = append(out, b...)
		}
		if len(out) < 4096 {
			t.Fatalf("database file %s: %d bytes", path, len(out))
		}
		return out
	}
	rows, err := s.DB.SQL.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		_ = rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	for _, tbl := range tables {
		var text *string
		if err := s.DB.SQL.QueryRow(fmt.Sprintf(`SELECT string_agg(t::text, ' ') FROM %q t`, tbl)).Scan(&text); err != nil {
			t.Fatal(err)
		}
		if text != nil {
			out = append(out, *text...)
		}
	}
	if len(tables) < 10 {
		t.Fatalf("only %d tables", len(tables))
	}
	return out
}
