package handlers

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/veridoc/veridoc/models"
	"github.com/veridoc/veridoc/rpc"
)

// Authenticate implements rpc.Authenticator: HTTP Basic with public key and
// secret (001_*), or Bearer with the secret alone.
func (h *Handlers) Authenticate(ctx context.Context, r *http.Request, scope rpc.Scope) (rpc.Principal, error) {
	if scope != rpc.ScopeAccount {
		return rpc.Principal{}, rpc.ErrUnauthorized()
	}
	pub, secret, checkPublic, ok := credentials(r.Header.Get("Authorization"))
	if !ok {
		return rpc.Principal{}, rpc.ErrUnauthorized()
	}
	key, err := h.DB.Authenticate(ctx, pub, secret, checkPublic)
	if errors.Is(err, models.ErrNotFound) {
		return rpc.Principal{}, rpc.ErrUnauthorized()
	}
	if err != nil {
		return rpc.Principal{}, err
	}
	if err := h.DB.TouchAPIKey(ctx, key.ID, h.Now()); err != nil {
		h.Logger.Warn("record key use", "err", err)
	}
	return rpc.Principal{AccountID: key.AccountID, APIKeyID: key.ID}, nil
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
