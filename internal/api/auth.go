package api

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/platform/clientip"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/ratelimit"
)

// Authenticate implements rpc.Authenticator: HTTP Basic with public key and
// secret, or Bearer with the secret alone. A client IP that fails too
// often is refused before its credentials are even looked at.
func (h *Handlers) Authenticate(ctx context.Context, r *http.Request, scope rpc.Scope) (rpc.Principal, error) {
	if scope != rpc.ScopeAccount && scope != rpc.ScopeSession {
		return rpc.Principal{}, rpc.ErrUnauthorized()
	}
	now := h.Now()
	failBucket := "authfail:" + clientip.From(ctx)
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
	key, err := h.Accounts.Authenticate(ctx, pub, secret, checkPublic)
	if errors.Is(err, accounts.ErrBadCredentials) {
		return fail()
	}
	if err != nil {
		return rpc.Principal{}, err
	}
	p := rpc.Principal{AccountID: key.AccountID, APIKeyID: key.ID, Scopes: key.ScopeList(), Expires: key.ExpiresAt}
	if key.Account != nil {
		p.RateLimit = key.Account.RateLimitPerHour
	}
	return p, nil
}

// Limit implements rpc.Limiter: a fixed hourly window per account or per API
// key (RateLimitScope), shared by every API process through ratelimit. A
// session token has its own budget: end users on capture pages must not
// spend the integrator's.
func (h *Handlers) Limit(ctx context.Context, p rpc.Principal) (rpc.Quota, error) {
	limit := int64(h.RateLimitPerHour)
	if p.RateLimit > 0 {
		limit = int64(p.RateLimit)
	}
	scope, id := rpc.LimitAccount, p.AccountID
	switch {
	case p.SessionID != 0:
		scope, id = rpc.LimitSession, p.SessionID
	case h.RateLimitScope == "key":
		scope, id = rpc.LimitKey, p.APIKeyID
	}
	n, window, err := h.Limits.Hit(ctx, string(scope)+":"+itoa(id))
	if err != nil {
		return rpc.Quota{}, err
	}
	return rpc.Quota{Limit: limit, Remaining: limit - n, Reset: window.Add(ratelimit.Window).Sub(h.Now()), Scope: scope}, nil
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
