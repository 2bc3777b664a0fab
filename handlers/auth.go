package handlers

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/veridoc/veridoc/models"
	"github.com/veridoc/veridoc/rpc"
	"github.com/veridoc/veridoc/sessions"
)

// Authenticate implements rpc.Authenticator: HTTP Basic with public key and
// secret (001_*), or Bearer with the secret alone. A client IP that fails too
// often is refused before its credentials are even looked at.
func (h *Handlers) Authenticate(ctx context.Context, r *http.Request, scope rpc.Scope) (rpc.Principal, error) {
	if scope != rpc.ScopeAccount && scope != rpc.ScopeSession {
		return rpc.Principal{}, rpc.ErrUnauthorized()
	}
	now := h.Now()
	window := now.Truncate(time.Hour)
	failBucket := "authfail:" + rpc.ClientIP(ctx)
	if n, err := h.DB.PeekRate(ctx, failBucket, window); err != nil {
		return rpc.Principal{}, err
	} else if n >= int64(h.AuthFailuresPerHour) {
		e := rpc.RateLimited.New("Too many failed authentication attempts from this address; retry later")
		e.RetryAfter = int64(window.Add(time.Hour).Sub(now).Seconds()) + 1
		return rpc.Principal{}, e
	}
	fail := func() (rpc.Principal, error) {
		if _, err := h.DB.HitRate(ctx, failBucket, window); err != nil {
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
		if errors.Is(err, models.ErrNotFound) {
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
	key, err := h.DB.Authenticate(ctx, pub, secret, checkPublic)
	if errors.Is(err, models.ErrNotFound) {
		return fail()
	}
	if err != nil {
		return rpc.Principal{}, err
	}
	if err := h.DB.TouchAPIKey(ctx, key.ID, now); err != nil {
		h.Logger.Warn("record key use", "err", err)
	}
	p := rpc.Principal{AccountID: key.AccountID, APIKeyID: key.ID}
	if key.Account != nil {
		p.RateLimit = key.Account.RateLimitPerHour
	}
	return p, nil
}

// Limit implements rpc.Limiter: a fixed hourly window per API key, counted in
// the database so every API process shares it.
func (h *Handlers) Limit(ctx context.Context, p rpc.Principal) (rpc.Quota, error) {
	limit := int64(h.RateLimitPerHour)
	if p.RateLimit > 0 {
		limit = int64(p.RateLimit)
	}
	now := h.Now()
	window := now.Truncate(time.Hour)
	bucket := "key:" + itoa(p.APIKeyID)
	if p.SessionID != 0 {
		bucket = "session:" + itoa(p.SessionID)
	}
	n, err := h.DB.HitRate(ctx, bucket, window)
	if err != nil {
		return rpc.Quota{}, err
	}
	return rpc.Quota{Limit: limit, Remaining: limit - n, Reset: window.Add(time.Hour).Sub(now)}, nil
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
		if !found || !strings.HasPrefix(pub, models.PublicKeyPrefix) || !strings.HasPrefix(secret, models.SecretPrefix) {
			return "", "", false, false
		}
		return pub, secret, true, true
	case "bearer":
		if !strings.HasPrefix(value, models.SecretPrefix) {
			return "", "", false, false
		}
		return "", value, false, true
	}
	return "", "", false, false
}
