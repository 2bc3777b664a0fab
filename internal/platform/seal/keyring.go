// Package seal encrypts personal data at rest, envelope style, with Google
// Tink: a master keyring (AES-256-GCM keys that only wrap other keys), data
// keys it wraps (one per stored object, one keyset for the database's
// personal columns), and the formats of sealed objects and column values.
package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Keyring is the master keyset. Its primary key wraps new data keys; every
// key in it unwraps. Rotation adds a key and makes it primary, so data wrapped
// before keeps opening until it is rewrapped.
type Keyring struct {
	path string // the key file; "" when the key came from the environment

	mu      sync.RWMutex
	h       *keyset.Handle
	aead    tink.AEAD
	modTime time.Time
}

// Source says where the master key comes from, in this order: the keyset
// itself (VERIDOC_MASTER_KEY), a file that must exist
// (VERIDOC_MASTER_KEY_FILE), or a file in the data dir generated when missing.
type Source struct {
	Key         string
	File        string
	DefaultFile string
}

// OpenKeyring loads the master keyring; generated is true when it made a new key file.
func OpenKeyring(src Source) (k *Keyring, generated bool, err error) {
	switch {
	case src.Key != "":
		h, err := parseKeyset([]byte(src.Key))
		if err != nil {
			return nil, false, fmt.Errorf("VERIDOC_MASTER_KEY: %w", err)
		}
		k = &Keyring{}
		return k, false, k.set(h, time.Time{})
	case src.File != "":
		k = &Keyring{path: src.File}
		return k, false, k.load()
	case src.DefaultFile == "":
		return nil, false, errors.New("seal: no master key given")
	}
	generated, err = generate(src.DefaultFile)
	if err != nil {
		return nil, false, err
	}
	k = &Keyring{path: src.DefaultFile}
	return k, generated, k.load()
}

// NewKeyset is a fresh master keyset in Tink's JSON form (what a key file
// holds and VERIDOC_MASTER_KEY takes).
func NewKeyset() ([]byte, error) {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := insecurecleartextkeyset.Write(h, keyset.NewJSONWriter(&buf)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// generate writes a new key file unless one exists. O_EXCL: when processes
// sharing a data dir start together, the first one's key wins.
func generate(path string) (bool, error) {
	if _, err := os.Stat(path); err == nil {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return false, err
	}
	ks, err := NewKeyset()
	if err != nil {
		return false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := f.Write(ks); err != nil {
		f.Close()
		return false, err
	}
	return true, f.Close()
}

// parseKeyset reads a cleartext JSON keyset, or the same base64-encoded (which
// fits an environment variable better).
func parseKeyset(b []byte) (*keyset.Handle, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '{' {
		dec, err := base64.StdEncoding.DecodeString(string(b))
		if err != nil {
			return nil, errors.New("not a Tink JSON keyset nor its base64")
		}
		b = dec
	}
	h, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(b)))
	if err != nil {
		return nil, fmt.Errorf("not a Tink keyset: %w", err)
	}
	return h, nil
}

func (k *Keyring) load() error {
	st, err := os.Stat(k.path)
	if err != nil {
		return fmt.Errorf("master key: %w", err)
	}
	b, err := os.ReadFile(k.path)
	if err != nil {
		return fmt.Errorf("master key: %w", err)
	}
	h, err := parseKeyset(b)
	if err != nil {
		return fmt.Errorf("master key %s: %w", k.path, err)
	}
	return k.set(h, st.ModTime())
}

func (k *Keyring) set(h *keyset.Handle, mod time.Time) error {
	a, err := aead.New(h)
	if err != nil {
		return fmt.Errorf("master key: %w", err)
	}
	k.mu.Lock()
	k.h, k.aead, k.modTime = h, a, mod
	k.mu.Unlock()
	return nil
}

// Reload rereads the key file when it changed (a rotation by another
// process); it tells whether it did.
func (k *Keyring) Reload() (bool, error) {
	if k.path == "" {
		return false, nil
	}
	st, err := os.Stat(k.path)
	if err != nil {
		return false, err
	}
	k.mu.RLock()
	same := st.ModTime().Equal(k.modTime)
	k.mu.RUnlock()
	if same {
		return false, nil
	}
	return true, k.load()
}

// Path is the key file ("" for a key from the environment).
func (k *Keyring) Path() string { return k.path }

// Encrypt wraps with the primary key (tink.AEAD, so Tink can wrap keysets with it).
func (k *Keyring) Encrypt(plaintext, associatedData []byte) ([]byte, error) {
	k.mu.RLock()
	a := k.aead
	k.mu.RUnlock()
	return a.Encrypt(plaintext, associatedData)
}

// Decrypt unwraps with whichever key wrapped. A key id this process does not
// know means another process rotated: reread the file once and retry.
func (k *Keyring) Decrypt(ciphertext, associatedData []byte) ([]byte, error) {
	k.mu.RLock()
	a := k.aead
	k.mu.RUnlock()
	pt, err := a.Decrypt(ciphertext, associatedData)
	if err != nil && !k.Has(KeyID(ciphertext)) {
		if reloaded, rerr := k.Reload(); rerr == nil && reloaded {
			return k.Decrypt(ciphertext, associatedData)
		}
	}
	return pt, err
}

// PrimaryID is the id of the key that wraps now.
func (k *Keyring) PrimaryID() uint32 {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.h.KeysetInfo().GetPrimaryKeyId()
}

// IDs lists the ids of every key in the ring.
func (k *Keyring) IDs() []uint32 {
	k.mu.RLock()
	defer k.mu.RUnlock()
	var out []uint32
	for _, ki := range k.h.KeysetInfo().GetKeyInfo() {
		out = append(out, ki.GetKeyId())
	}
	return out
}

// Has tells whether id is one of the ring's keys.
func (k *Keyring) Has(id uint32) bool {
	for _, x := range k.IDs() {
		if x == id {
			return true
		}
	}
	return false
}

// KeyID is the id of the key that made a Tink ciphertext (its 5-byte prefix:
// version 1, then the id big-endian); 0 when it has no such prefix.
func KeyID(ciphertext []byte) uint32 {
	if len(ciphertext) < 5 || ciphertext[0] != 1 {
		return 0
	}
	return binary.BigEndian.Uint32(ciphertext[1:5])
}

// Rotate adds a new AES-256-GCM key to the key file and makes it primary,
// keeping the old keys for what they wrapped. It returns the new key's id.
func (k *Keyring) Rotate() (uint32, error) {
	var id uint32
	err := k.edit(func(m *keyset.Manager) error {
		var err error
		if id, err = m.Add(aead.AES256GCMKeyTemplate()); err != nil {
			return err
		}
		return m.SetPrimary(id)
	})
	return id, err
}

// Remove deletes keys from the key file (never the primary): once nothing is
// wrapped by them, old keys need not be kept.
func (k *Keyring) Remove(ids []uint32) error {
	if len(ids) == 0 {
		return nil
	}
	return k.edit(func(m *keyset.Manager) error {
		for _, id := range ids {
			if id == k.PrimaryID() {
				return errors.New("seal: the primary key cannot be removed")
			}
			if err := m.Delete(id); err != nil {
				return err
			}
		}
		return nil
	})
}

// edit changes the key file through a keyset manager.
func (k *Keyring) edit(change func(*keyset.Manager) error) error {
	if k.path == "" {
		return errors.New("the master key came from VERIDOC_MASTER_KEY: change the keyset there (veridoc keys works on a key file, VERIDOC_MASTER_KEY_FILE)")
	}
	if _, err := k.Reload(); err != nil {
		return err
	}
	k.mu.RLock()
	m := keyset.NewManagerFromHandle(k.h)
	k.mu.RUnlock()
	if err := change(m); err != nil {
		return err
	}
	h, err := m.Handle()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := insecurecleartextkeyset.Write(h, keyset.NewJSONWriter(&buf)); err != nil {
		return err
	}
	// Write beside and rename: a reader never sees half a key file.
	tmp, err := os.CreateTemp(filepath.Dir(k.path), ".master-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after the rename
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), k.path); err != nil {
		return err
	}
	return k.load()
}

// Describe is the ring for people: key ids (hex, as Tink prints them) and
// which is primary; never key material.
func (k *Keyring) Describe() string {
	var ids []string
	for _, id := range k.IDs() {
		s := fmt.Sprintf("%08x", id)
		if id == k.PrimaryID() {
			s += " (primary)"
		}
		ids = append(ids, s)
	}
	return strings.Join(ids, ", ")
}
