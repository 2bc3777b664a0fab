package objectstore

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"time"
)

// Signer makes and checks HMAC-signed, expiring URLs for the disk store.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSigner signs with key (at least 32 bytes).
func NewSigner(key []byte, now func() time.Time) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("storage: signing key must be at least 32 bytes")
	}
	return &Signer{key: key, now: now}, nil
}

func (s *Signer) mac(key string, expires int64) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(key))
	m.Write([]byte{0})
	m.Write([]byte(strconv.FormatInt(expires, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// Query returns the expires and signature parameters for key.
func (s *Signer) Query(key string, ttl time.Duration) url.Values {
	exp := s.now().Add(ttl).Unix()
	return url.Values{"expires": {strconv.FormatInt(exp, 10)}, "signature": {s.mac(key, exp)}}
}

// Errors of Verify.
var (
	ErrBadSignature = errors.New("storage: bad signature")
	ErrExpired      = errors.New("storage: URL expired")
)

// Verify checks a URL's parameters for key.
func (s *Signer) Verify(key string, q url.Values) error {
	exp, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	if !hmac.Equal([]byte(s.mac(key, exp)), []byte(q.Get("signature"))) {
		return ErrBadSignature
	}
	if s.now().Unix() > exp {
		return ErrExpired
	}
	return nil
}
