package rekey_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/rekey"
	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// After a rotation every keyset and object moves under the new key, reads
// still work, and only then can the old key be retired.
func TestRotateRewrapRetire(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ring, _, err := seal.OpenKeyring(seal.Source{DefaultFile: filepath.Join(dir, "master-key.json")})
	if err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(ctx, testenv.SQLiteURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cols, err := db.ColumnKeys(ctx, ring)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UseSealer(cols); err != nil {
		t.Fatal(err)
	}
	backend, err := objectstore.NewDisk(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := objectstore.NewSigner([]byte("k"), nil)
	store := objectstore.NewSealed(backend, ring, signer, "http://localhost")
	if err := store.Put(ctx, "a/b", bytes.NewReader([]byte("personal")), 8, "text/plain"); err != nil {
		t.Fatal(err)
	}
	r := &rekey.Rekeyer{DB: db, Store: store, Ring: ring, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	old := ring.PrimaryID()
	if _, err := ring.Rotate(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Retire(ctx); err == nil {
		t.Fatal("the old key was retired while it still wrapped data")
	}
	rep, err := r.Run(ctx)
	if err != nil || rep.ObjectsRewrapped != 1 || rep.KeysetsRewrapped == 0 || rep.Failed != 0 {
		t.Fatalf("rewrap: %+v %v", rep, err)
	}
	st, err := r.Status(ctx)
	if err != nil || len(st.Keys) != 2 || st.Unknown != 0 || st.Legacy != 0 {
		t.Fatalf("status: %+v %v", st, err)
	}
	gone, err := r.Retire(ctx)
	if err != nil || len(gone) != 1 || ring.Has(old) {
		t.Fatalf("retire: %v %v", gone, err)
	}
	rc, _, err := store.Get(ctx, "a/b")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); string(b) != "personal" {
		t.Errorf("read back %q", b)
	}
}
