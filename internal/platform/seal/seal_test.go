package seal_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/seal"
)

func newRing(t *testing.T) *seal.Keyring {
	t.Helper()
	path := filepath.Join(t.TempDir(), "master-key.json")
	ring, generated, err := seal.OpenKeyring(seal.Source{DefaultFile: path})
	if err != nil || !generated {
		t.Fatalf("open: generated=%v err=%v", generated, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	return ring
}

func sealObject(t *testing.T, ring *seal.Keyring, key string, plain []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := seal.Seal(&buf, ring, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func openObject(ring *seal.Keyring, key string, stored []byte) ([]byte, error) {
	r, err := seal.Open(bytes.NewReader(stored), ring, key)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestObjectRoundTripAndRefusals(t *testing.T) {
	ring := newRing(t)
	plain := make([]byte, 300_000)
	_, _ = rand.Read(plain)
	copy(plain, "\xff\xd8\xff\xe0JFIF")
	stored := sealObject(t, ring, "photos/1/in.jpg", plain)
	if bytes.Contains(stored, []byte("JFIF")) || bytes.Contains(stored, plain[1000:1032]) {
		t.Fatal("the sealed object holds plaintext")
	}
	got, err := openObject(ring, "photos/1/in.jpg", stored)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("round trip: %v", err)
	}
	flipped := bytes.Clone(stored)
	flipped[len(flipped)-100] ^= 1
	truncated := stored[:len(stored)-10]
	other := newRing(t)
	for _, tc := range []struct {
		name   string
		ring   *seal.Keyring
		key    string
		stored []byte
	}{
		{"a flipped bit", ring, "photos/1/in.jpg", flipped},
		{"truncated", ring, "photos/1/in.jpg", truncated},
		{"moved to another key", ring, "photos/2/in.jpg", stored},
		{"another master key", other, "photos/1/in.jpg", stored},
	} {
		if _, err := openObject(tc.ring, tc.key, tc.stored); err == nil {
			t.Errorf("%s: opened", tc.name)
		}
	}
	// Objects stored before encryption read as they are.
	if got, err := openObject(ring, "old", []byte("%PDF-1.4 old")); err != nil || string(got) != "%PDF-1.4 old" {
		t.Fatalf("legacy object: %q %v", got, err)
	}
}

func TestColumns(t *testing.T) {
	ring := newRing(t)
	wrapped, err := seal.NewColumnKeyset(ring)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := seal.OpenColumns(wrapped, ring)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"", "MUSTERMANN", "Ünïcødé ✓", "enc1:looks-sealed-but-is-not"} {
		s, err := cols.SealString(v)
		if err != nil {
			t.Fatal(err)
		}
		if v != "" && (s == v || !seal.IsSealedString(s) || bytes.Contains([]byte(s), []byte(v))) {
			t.Errorf("%q stored as %q", v, s)
		}
		if got, err := cols.OpenString(s); err != nil || got != v {
			t.Errorf("%q → %q → %q, %v", v, s, got, err)
		}
	}
	b, _ := cols.SealBytes([]byte{1, 2, 3})
	if got, err := cols.OpenBytes(b); err != nil || !bytes.Equal(got, []byte{1, 2, 3}) {
		t.Fatalf("bytes: %v %v", got, err)
	}
	if got, _ := cols.OpenString("plain before encryption"); got != "plain before encryption" {
		t.Fatal("legacy text value changed")
	}
	if _, err := seal.OpenColumns(wrapped, newRing(t)); err == nil {
		t.Fatal("another master key opened the column keyset")
	}
}

// TestRotation: data wrapped before a rotation opens after it, by this
// process and by another that loaded the ring before the rotation; rewrapping
// moves it to the new primary key.
func TestRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master-key.json")
	ring, _, err := seal.OpenKeyring(seal.Source{DefaultFile: path})
	if err != nil {
		t.Fatal(err)
	}
	stale, _, err := seal.OpenKeyring(seal.Source{File: path}) // another process
	if err != nil {
		t.Fatal(err)
	}
	old := ring.PrimaryID()
	stored := sealObject(t, ring, "k", []byte("before"))
	wrappedCols, _ := seal.NewColumnKeyset(ring)

	time.Sleep(10 * time.Millisecond) // a distinct modification time
	id, err := ring.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if id == old || ring.PrimaryID() != id || len(ring.IDs()) != 2 {
		t.Fatalf("after rotate: primary %x, ids %v", ring.PrimaryID(), ring.IDs())
	}
	if got, err := openObject(ring, "k", stored); err != nil || string(got) != "before" {
		t.Fatalf("old object after rotation: %q %v", got, err)
	}
	h, _, err := seal.ReadHeader(bytes.NewReader(stored))
	if err != nil || h.MasterKeyID() != old {
		t.Fatalf("header: wrapped by %x, want %x (%v)", h.MasterKeyID(), old, err)
	}
	nh, err := h.Rewrap(ring, "k")
	if err != nil || nh.MasterKeyID() != id {
		t.Fatalf("rewrap: %x %v", nh.MasterKeyID(), err)
	}
	moved := append(nh.Bytes(), stored[h.Len():]...)
	if got, err := openObject(ring, "k", moved); err != nil || string(got) != "before" {
		t.Fatalf("rewrapped object: %q %v", got, err)
	}
	// The stale process meets a key it lacks and rereads the file.
	if got, err := openObject(stale, "k", moved); err != nil || string(got) != "before" {
		t.Fatalf("rewrapped object in another process: %q %v", got, err)
	}
	rewrapped, err := seal.RewrapColumnKeyset(wrappedCols, ring)
	if err != nil || seal.WrappedBy(rewrapped) != id || seal.WrappedBy(wrappedCols) != old {
		t.Fatalf("column keyset rewrap: %x→%x %v", seal.WrappedBy(wrappedCols), seal.WrappedBy(rewrapped), err)
	}
	if _, err := seal.OpenColumns(rewrapped, ring); err != nil {
		t.Fatal(err)
	}
}

func TestSources(t *testing.T) {
	ks, err := seal.NewKeyset()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		src  seal.Source
		ok   bool
	}{
		{"env JSON", seal.Source{Key: string(ks)}, true},
		{"env garbage", seal.Source{Key: "not a key"}, false},
		{"missing file", seal.Source{File: filepath.Join(t.TempDir(), "none")}, false},
		{"nothing", seal.Source{}, false},
	} {
		_, _, err := seal.OpenKeyring(tc.src)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err=%v", tc.name, err)
		}
	}
}
