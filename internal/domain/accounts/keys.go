package accounts

import (
	"context"
	"crypto/subtle"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
)

// KeyRequest asks for a new API key.
type KeyRequest struct {
	Name    string
	Scopes  []string   // nil: the grantor's own
	Expires *time.Time // nil: the grantor's expiry (never, for a full grantor)
}

// NewKey is a key just made, with its secret: the only time it is known.
type NewKey struct {
	*database.APIKey
	Secret string
}

// CreateKey makes a key that reaches no further than by, the reach of who asks.
func (s *Service) CreateKey(ctx context.Context, accountID int64, by Reach, req KeyRequest) (*NewKey, error) {
	name := strings.TrimSpace(req.Name)
	if len(name) > MaxNameLength {
		return nil, fault.ErrInvalidRequest.New("name: must be at most %d characters", MaxNameLength)
	}
	want, err := s.reachOf(by, req)
	if err != nil {
		return nil, err
	}
	if !by.Covers(want) {
		return nil, ErrPermissionDenied.New("scopes: a key may not grant more than the credential that makes it has (%s)", describe(by))
	}
	k, secret, err := s.DB.CreateScopedAPIKey(ctx, accountID, name, want.Scopes, want.Expires)
	if err != nil {
		return nil, err
	}
	return &NewKey{APIKey: k, Secret: secret}, nil
}

// reachOf is the reach a request asks for, with the grantor's own scopes and
// expiry where it names none.
func (s *Service) reachOf(by Reach, req KeyRequest) (Reach, error) {
	want := Reach{Scopes: slices.Compact(slices.Sorted(slices.Values(req.Scopes))), Expires: req.Expires}
	for _, sc := range want.Scopes {
		if !slices.Contains(Scopes, sc) {
			return want, fault.ErrInvalidRequest.New("scopes: %q is not a scope; use %s", sc, strings.Join(Scopes, ", "))
		}
	}
	if len(want.Scopes) == 0 {
		want.Scopes = slices.Clone(by.Scopes)
	}
	if want.Expires == nil {
		want.Expires = by.Expires
	} else if !want.Expires.After(s.Now()) {
		return want, fault.ErrInvalidRequest.New("expires: must be in the future")
	}
	return want, nil
}

func describe(r Reach) string {
	out := "every scope"
	if len(r.Scopes) > 0 {
		out = "scopes " + strings.Join(r.Scopes, ", ")
	}
	if r.Expires != nil {
		out += ", until " + r.Expires.UTC().Format(time.RFC3339)
	}
	return out
}

// KeyReach is the reach of a stored key.
func KeyReach(k *database.APIKey) Reach { return Reach{Scopes: k.ScopeList(), Expires: k.ExpiresAt} }

// GetKey loads a live key of the account.
func (s *Service) GetKey(ctx context.Context, accountID, id int64) (*database.APIKey, error) {
	k, err := s.DB.GetAPIKey(ctx, accountID, id)
	return k, notFound(err, ErrKeyNotFound, "api key", id)
}

// ListKeys pages through the account's live keys, newest first.
func (s *Service) ListKeys(ctx context.Context, accountID, beforeID int64, limit int) ([]database.APIKey, error) {
	return s.DB.ListAPIKeys(ctx, accountID, beforeID, limit)
}

// RevokeKey stops a key at once: in this process now, in the others within
// the key cache's lifetime.
func (s *Service) RevokeKey(ctx context.Context, accountID, id int64) (*database.APIKey, error) {
	k, err := s.DB.RevokeAPIKey(ctx, accountID, id, s.Now())
	if err != nil {
		return nil, notFound(err, ErrKeyNotFound, "api key", id)
	}
	s.Keys.Forget(k.ID)
	return k, nil
}

// ErrBadCredentials is a secret (or public key) that opens no live key.
var ErrBadCredentials = errors.New("accounts: no live key has these credentials")

// Authenticate finds the live, unexpired key a secret opens (and, for Basic
// auth, its public key too), from the cache when it is there, and records its
// use at most once a minute.
func (s *Service) Authenticate(ctx context.Context, public, secret string, checkPublic bool) (*database.APIKey, error) {
	now := s.Now()
	hash := database.HashSecret(secret)
	key := s.Keys.get(hash, now)
	if key == nil || (checkPublic && subtle.ConstantTimeCompare([]byte(key.PublicKey), []byte(public)) != 1) {
		var err error
		key, err = s.DB.Authenticate(ctx, public, secret, checkPublic)
		if errors.Is(err, database.ErrNotFound) {
			return nil, ErrBadCredentials
		}
		if err != nil {
			return nil, err
		}
		s.Keys.put(hash, key, now)
	}
	if key.Expired(now) {
		return nil, ErrBadCredentials
	}
	if s.Keys.shouldTouch(key.ID, now) {
		if err := s.DB.TouchAPIKey(ctx, key.ID, now); err != nil {
			s.Logger.Warn("record key use", "key_id", key.ID, "err", err) // the request goes on
		}
	}
	return key, nil
}
