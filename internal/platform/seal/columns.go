package seal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/tink"
	"google.golang.org/protobuf/proto"
)

// columnsAD binds a wrapped column keyset to its use.
var columnsAD = []byte("veridoc personal columns")

// Columns encrypts personal column values with one data keyset (AES-256-GCM)
// that the master keyring wraps; the wrapped keyset lives in the database.
// Rotating the master key rewraps that one keyset, not every row.
type Columns struct{ aead tink.AEAD }

// NewColumnKeyset makes a data keyset for columns, wrapped by ring.
func NewColumnKeyset(ring *Keyring) ([]byte, error) {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, err
	}
	return wrap(h, ring, columnsAD)
}

// OpenColumns unwraps a column keyset.
func OpenColumns(wrapped []byte, ring *Keyring) (*Columns, error) {
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)), ring, columnsAD)
	if err != nil {
		return nil, fmt.Errorf("the database's data keys do not open with this master key (every process needs the same VERIDOC_MASTER_KEY or VERIDOC_MASTER_KEY_FILE): %w", err)
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, err
	}
	return &Columns{aead: a}, nil
}

// RewrapColumnKeyset rewraps a column keyset under the ring's primary key.
func RewrapColumnKeyset(wrapped []byte, ring *Keyring) ([]byte, error) {
	return rewrap(wrapped, ring, columnsAD)
}

func wrap(h *keyset.Handle, ring *Keyring, ad []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), ring, ad); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func rewrap(wrapped []byte, ring *Keyring, ad []byte) ([]byte, error) {
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)), ring, ad)
	if err != nil {
		return nil, err
	}
	return wrap(h, ring, ad)
}

// WrappedBy is the id of the master key that wrapped a keyset.
func WrappedBy(wrapped []byte) uint32 {
	var ek tinkpb.EncryptedKeyset
	if proto.Unmarshal(wrapped, &ek) != nil {
		return 0
	}
	return KeyID(ek.GetEncryptedKeyset())
}

// textPrefix marks a sealed text value; a value without it was written
// before encryption and reads as it is.
const textPrefix = "enc1:"

// bytesMagic marks a sealed binary value.
var bytesMagic = []byte("VDC1")

// SealString encrypts a text value; "" stays "" so erased and unset fields
// need no key.
func (c *Columns) SealString(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	ct, err := c.aead.Encrypt([]byte(s), nil)
	if err != nil {
		return "", err
	}
	return textPrefix + base64.RawStdEncoding.EncodeToString(ct), nil
}

// OpenString decrypts a text value.
func (c *Columns) OpenString(s string) (string, error) {
	if !strings.HasPrefix(s, textPrefix) {
		return s, nil
	}
	ct, err := base64.RawStdEncoding.DecodeString(s[len(textPrefix):])
	if err != nil {
		return "", errors.New("seal: damaged column value")
	}
	pt, err := c.aead.Decrypt(ct, nil)
	if err != nil {
		return "", fmt.Errorf("seal: column value does not decrypt: %w", err)
	}
	return string(pt), nil
}

// SealBytes encrypts a binary value; nil stays nil.
func (c *Columns) SealBytes(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return b, nil
	}
	ct, err := c.aead.Encrypt(b, nil)
	if err != nil {
		return nil, err
	}
	return append(append([]byte{}, bytesMagic...), ct...), nil
}

// OpenBytes decrypts a binary value.
func (c *Columns) OpenBytes(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, bytesMagic) {
		return b, nil
	}
	pt, err := c.aead.Decrypt(b[len(bytesMagic):], nil)
	if err != nil {
		return nil, fmt.Errorf("seal: column value does not decrypt: %w", err)
	}
	return pt, nil
}

// IsSealedString tells whether a stored text value is encrypted.
func IsSealedString(s string) bool { return strings.HasPrefix(s, textPrefix) }

// IsSealedBytes tells whether a stored binary value is encrypted.
func IsSealedBytes(b []byte) bool { return bytes.HasPrefix(b, bytesMagic) }
