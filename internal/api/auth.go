package api

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/ratelimit"
)

// KeyCache remembers authenticated API keys for TTL, so a request costs no
// database read for its key, and records last use at most once a minute per
// key, so it costs no write either. A key revoked in another process stops
// working within TTL; revoked here, at once.
type KeyCache struct {
	TTL time.Duration

	mu      sync.Mutex
	byHash  map[string]cachedKey // SHA-256 of the secret → key
	touched map[int64]time.Time  // key id → last recorded use
}

type cachedKey struct {
	key   *database.APIKey
	until time.Time
}

func (c *KeyCache) get(hash string, now time.Time) *database.APIKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byHash[hash]
	if !ok || now.After(e.until) {
		delete(c.byHash, hash)
		return nil
	}
	return e.key
}

func (c *KeyCache) put(hash string, k *database.APIKey, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byHash == nil {
		c.byHash = map[string]cachedKey{}
	}
	if len(c.byHash) > 100_000 { // bounded: drop everything rather than grow
		c.byHash = map[string]cachedKey{}
	}
	c.byHash[hash] = cachedKey{key: k, until: now.Add(c.TTL)}
}

// Forget drops a key at once (revoked in this process).
func (c *KeyCache) Forget(keyID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.byHash {
		if e.key.ID == keyID {
			delete(c.byHash, h)
		}
	}
}

// shouldTouch tells whether the key's last use is due to be recorded.
func (c *KeyCache) shouldTouch(keyID int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.touched == nil {
		c.touched = map[int64]time.Time{}
	}
	if last, ok := c.touched[keyID]; ok && now.Sub(last) < time.Minute {
		return false
	}
	if len(c.touched) > 100_000 {
		c.touched = map[int64]time.Time{}
	}
	c.touched[keyID] = now
	return true
}

// Authenticate implements rpc.Authenticator: HTTP Basic with public key and
// secret (001_*), or Bearer with the secret alone. A client IP that fails too
// often is refused before its credentials are even looked at.
func (h *Handlers) Authenticate(ctx context.Context, r *http.Request, scope rpc.Scope) (rpc.Principal, error) {
	if scope != rpc.ScopeAccount && scope != rpc.ScopeSession {
		return rpc.Principal{}, rpc.ErrUnauthorized()
	}
	now := h.Now()
	failBucket := "authfail:" + rpc.ClientIP(ctx)
	if n, window, err := h.Limits.Peek(ctx, failBucket); err != nil {
		return rpc.Principal{}, err
	} else if n >= int64(h.AuthFailuresPerHour) {
		e := rpc.RateLimited.New("Too many failed authentication attempts from this address; retry later")
		e.RetryAfter = int64(window.Add(ratelimit.Window).Sub(now).Seconds()) + 1
		return rpc.Principal{}, e
	}
	fail := func() (rpc.Principal, error) {
		if _, _, err := h.Limits.Hit(ctx, failBucket); err != nil {
			h.Logger.Warn("count failed authentication", "err", err)
		}
		return rpc.Principal{}, rpc.ErrUnauthorized()
	}
	if scope == rpc.ScopeSession {
		token, ok := sessionToken(r.Header.Get("Authorization"))
		if !ok {
			return fail()
		}
		s, err := h.DB.SessionByToken(ctx, token)
		if errors.Is(err, database.ErrNotFound) {
			return fail()
		}
		if err != nil {
			return rpc.Principal{}, err
		}
		return rpc.Principal{AccountID: s.AccountID, SessionID: s.ID}, nil
	}
	pub, secret, checkPublic, ok := credentials(r.Header.Get("Authorization"))
	if !ok {
		return fail()
	}
	hash := database.HashSecret(secret)
	key := h.Keys.get(hash, now)
	if key == nil || (checkPublic && subtle.ConstantTimeCompare([]byte(key.PublicKey), []byte(pub)) != 1) {
		var err error
		key, err = h.DB.Authenticate(ctx, pub, secret, checkPublic)
		if errors.Is(err, database.ErrNotFound) {
			return fail()
		}
		if err != nil {
			return rpc.Principal{}, err
		}
		h.Keys.put(hash, key, now)
	}
	if key.Expired(now) {
		return fail()
	}
	if h.Keys.shouldTouch(key.ID, now) {
		if err := h.DB.TouchAPIKey(ctx, key.ID, now); err != nil {
			h.Logger.Warn("record key use", "err", err)
		}
	}
	p := rpc.Principal{AccountID: key.AccountID, APIKeyID: key.ID, Scopes: key.ScopeList()}
	if key.Account != nil {
		p.RateLimit = key.Account.RateLimitPerHour
	}
	return p, nil
}

// Limit implements rpc.Limiter: a fixed hourly window per API key (or
// session), shared by every API process through ratelimit.
func (h *Handlers) Limit(ctx context.Context, p rpc.Principal) (rpc.Quota, error) {
	limit := int64(h.RateLimitPerHour)
	if p.RateLimit > 0 {
		limit = int64(p.RateLimit)
	}
	bucket := "key:" + itoa(p.APIKeyID)
	if p.SessionID != 0 {
		bucket = "session:" + itoa(p.SessionID)
	}
	n, window, err := h.Limits.Hit(ctx, bucket)
	if err != nil {
		return rpc.Quota{}, err
	}
	return rpc.Quota{Limit: limit, Remaining: limit - n, Reset: window.Add(ratelimit.Window).Sub(h.Now())}, nil
}

// sessionToken reads "Bearer <session token>".
func sessionToken(header string) (string, bool) {
	scheme, value, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	value = strings.TrimSpace(value)
	return value, strings.HasPrefix(value, sessions.TokenPrefix) && len(value) < 200
}

// credentials parses an Authorization header. Malformed values are simply not credentials.
func credentials(header string) (pub, secret string, checkPublic, ok bool) {
	scheme, value, found := strings.Cut(header, " ")
	if !found {
		return "", "", false, false
	}
	value = strings.TrimSpace(value)
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return "", "", false, false
		}
		pub, secret, found = strings.Cut(string(raw), ":")
		if !found || !strings.HasPrefix(pub, database.PublicKeyPrefix) || !strings.HasPrefix(secret, database.SecretPrefix) {
			return "", "", false, false
		}
		return pub, secret, true, true
	case "bearer":
		if !strings.HasPrefix(value, database.SecretPrefix) {
			return "", "", false, false
		}
		return "", value, false, true
	}
	return "", "", false, false
}
