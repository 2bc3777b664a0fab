package seal

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
)

// indexAD binds a wrapped index keyset to its use.
var indexAD = []byte("veridoc blind index")

// Index computes keyed blind indexes: the same document gives the same
// value under one account's key, and nothing about the document can be read
// back or compared across accounts. The keyset (HMAC-SHA256 PRF) is wrapped
// by the master keyring like the column keyset, so rotating the master key
// rewraps it and every stored index stays valid.
type Index struct{ set *prf.Set }

// NewIndexKeyset makes an index keyset wrapped by ring.
func NewIndexKeyset(ring *Keyring) ([]byte, error) {
	h, err := keyset.NewHandle(prf.HMACSHA256PRFKeyTemplate())
	if err != nil {
		return nil, err
	}
	return wrap(h, ring, indexAD)
}

// OpenIndex unwraps an index keyset.
func OpenIndex(wrapped []byte, ring *Keyring) (*Index, error) {
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)), ring, indexAD)
	if err != nil {
		return nil, fmt.Errorf("an index keyset does not open with this master key: %w", err)
	}
	s, err := prf.NewPRFSet(h)
	if err != nil {
		return nil, err
	}
	return &Index{set: s}, nil
}

// RewrapIndexKeyset rewraps an index keyset under the ring's primary key.
func RewrapIndexKeyset(wrapped []byte, ring *Keyring) ([]byte, error) {
	return rewrap(wrapped, ring, indexAD)
}

// Of is the index of the parts (upper-cased, trimmed, joined by a separator
// no part holds): 32 hex digits.
func (x *Index) Of(parts ...string) (string, error) {
	norm := make([]string, len(parts))
	for i, p := range parts {
		norm[i] = strings.ToUpper(strings.TrimSpace(p))
	}
	out, err := x.set.ComputePrimaryPRF([]byte(strings.Join(norm, "\x1f")), 16)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(out), nil
}
