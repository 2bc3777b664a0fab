package api_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/rekey"
	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// plainStarts are what a stored image or PDF starts with; plainMarks what
// one carries inside, long enough (4 bytes and more) not to turn up by chance
// in kilobytes of ciphertext (a 3-byte JPEG start would, about once in a
// hundred runs).
var (
	plainStarts = [][]byte{{0xFF, 0xD8, 0xFF}, []byte("\x89PNG"), []byte("%PDF")}
	plainMarks  = [][]byte{[]byte("JFIF"), []byte("Exif\x00"), []byte("\x89PNG\r\n"), []byte("%PDF-1.")}
)

// sealedAtRest reads the raw store and database and fails on any stored
// object that is not sealed or carries image/PDF magic, and on any of the
// plain values found in the database's bytes. control is a value stored in
// the clear (a reference): finding it shows the search reads real rows.
func sealedAtRest(t *testing.T, s *testenv.Server, control string, plain ...string) {
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
func databaseBytes(t *testing.T, s *testenv.Server) []byte {
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

// TestKeyRotation writes personal data under one master key, also some
// stored before encryption existed, rotates, lets the workers rewrap, and
// reads everything back; then the old key is retired. It runs on PostgreSQL
// with the real S3 server, as production does.
func TestKeyRotation(t *testing.T) {
	s := testenv.NewServer(t, testenv.PostgresURL(t), testenv.WithStorageURL(testenv.S3URL(testenv.S3Options(t))),
		testenv.OwnMasterKey(), testenv.WithConfig(func(c *config.Config) { c.Workers = 1 }))
	ctx := context.Background()
	c, _, _, _ := account(t, s, "rotation")
	surname := "SEALTEST" + strings.ToUpper(testenv.RandomHex(4))
	v := c.call("verification.create", map[string]any{"flow": "usps1583", "reference": "rot-1", "expected_surname": surname,
		"expected_address_street": "77 Cipher Lane", "expected_address_zip": "94105"})
	if v.Status != 200 {
		t.Fatalf("verification.create: %s", v.Raw)
	}
	id := v.num("id")
	bill := testdocs.BillPDF(t, []string{"Electric bill", surname, "77 Cipher Lane"})
	d := c.call("document.create", map[string]any{"flow": "usps1583", "verification_id": id, "context_type": "PROOF_OF_ADDRESS",
		"document_type_id": 20, "country": "US", "front_side_data": b64(bill)})
	if d.Status != 200 {
		t.Fatalf("document.create: %s", d.Raw)
	}
	secret := c.call("webhook_secret.rotate", nil).str("secret")
	// Written before encryption existed: a plain object and a plain column.
	legacyKey := fmt.Sprintf("legacy/%d/scan.pdf", id)
	if err := s.Store.Backend().Put(ctx, legacyKey, bytes.NewReader(bill), int64(len(bill)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.SQL.Exec(`UPDATE verifications SET expected_city = 'LEGACYVILLE' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if g := c.call("verification.get", map[string]any{"id": id}); g.str("expected_address_city") != "LEGACYVILLE" {
		t.Fatalf("a legacy plain column does not read: %s", g.Raw)
	}
	old := s.Keys.PrimaryID()

	newID, err := s.RotateKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var st rekey.Status
	testenv.WaitFor(t, 60*time.Second, "the workers to rewrap every object", func() bool {
		st, err = s.Rekeyer.Status(ctx)
		u := st.Keys[fmt.Sprintf("%08x", old)]
		return err == nil && st.Legacy == 0 && u.Objects == 0 && u.Keysets == 0 && st.Keys[newID].Objects >= 2
	})
	if st.Primary != newID || st.Unknown != 0 {
		t.Fatalf("status after the rewrap: %+v", st)
	}
	g := c.call("verification.get", map[string]any{"id": id})
	if g.str("expected_surname") != surname || g.str("expected_address_street") != "77 Cipher Lane" || g.str("expected_address_city") != "LEGACYVILLE" {
		t.Fatalf("after the rewrap: %s", g.Raw)
	}
	if got, err := objectstore.ReadAll(ctx, s.Store, legacyKey); err != nil || !bytes.Equal(got, bill) {
		t.Fatalf("legacy object after the rewrap: %d bytes, %v", len(got), err)
	}
	sealedAtRest(t, s, "rot-1", surname, "77 Cipher Lane", "LEGACYVILLE", strings.TrimPrefix(secret, "whsec_"))

	// Nothing needs the old key now: it goes, and everything still reads.
	gone, err := s.Rekeyer.Retire(ctx)
	if err != nil || len(gone) != 1 || s.Keys.Has(old) {
		t.Fatalf("retire: %v %v, ring %s", gone, err, s.Keys.Describe())
	}
	if r := c.call("document.get", map[string]any{"id": d.num("id")}); r.Status != 200 {
		t.Fatalf("document.get: %s", r.Raw)
	}
	if got, err := objectstore.ReadAll(ctx, s.Store, legacyKey); err != nil || !bytes.Equal(got, bill) {
		t.Fatalf("after retiring the old key: %v", err)
	}
	if g := c.call("verification.get", map[string]any{"id": id}); g.str("expected_surname") != surname {
		t.Fatalf("after retiring the old key: %s", g.Raw)
	}
}
