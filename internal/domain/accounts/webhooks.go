package accounts

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/domain/callbacks"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
)

// RotatedSecret is a new webhook secret, shown once, and until when the
// secret it replaced keeps signing (nil for a first secret).
type RotatedSecret struct {
	Secret        string
	PreviousUntil *time.Time
}

// RotateWebhookSecret makes a new signing secret.
func (s *Service) RotateWebhookSecret(ctx context.Context, accountID int64) (*RotatedSecret, error) {
	acct, err := s.Get(ctx, accountID)
	if err != nil {
		return nil, err
	}
	secret := callbacks.NewSecret()
	until := s.Now().Add(callbacks.SecretOverlap)
	if err := s.DB.RotateWebhookSecret(ctx, accountID, secret, until); err != nil {
		return nil, err
	}
	out := &RotatedSecret{Secret: secret}
	if acct.WebhookSecret != "" {
		out.PreviousUntil = &until
	}
	return out, nil
}

// FirstWebhookSecret gives an account without a webhook secret its first one,
// inside the transaction that makes the session or endpoint that needs it,
// and returns it to be shown once: an integrator's first callback works
// without a separate call (as a new endpoint's secret is shown by payment
// APIs). It returns "" when the account had a secret already.
func FirstWebhookSecret(tx *database.Tx, accountID int64) (string, error) {
	secret := callbacks.NewSecret()
	set, err := tx.SetFirstWebhookSecret(accountID, secret)
	if err != nil || !set {
		return "", err
	}
	return secret, nil
}

// MaxURLLength bounds callback and endpoint URLs.
const MaxURLLength = 2048

// CheckCallbackURL is the rule for every URL we send callbacks to: absolute
// http or https, without credentials, at most MaxURLLength long. Where it
// may point is checked again at dial time (package callbacks).
func CheckCallbackURL(field, raw string) error {
	u, err := url.Parse(raw)
	switch {
	case len(raw) > MaxURLLength:
		return fault.ErrInvalidRequest.New("%s: must be at most %d characters", field, MaxURLLength)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fault.ErrInvalidRequest.New("%s: must be an absolute http or https URL", field)
	case u.User != nil:
		return fault.ErrInvalidRequest.New("%s: must not contain credentials", field)
	}
	return nil
}

// EndpointChange is what webhook_endpoint.create and update set; nil leaves a field.
type EndpointChange struct {
	URL      *string
	Events   *[]string
	Disabled *bool
}

// CreateEndpoint adds a webhook endpoint; events must be among known. It
// returns the account's first webhook secret when it made one.
func (s *Service) CreateEndpoint(ctx context.Context, accountID int64, ch EndpointChange, known []string) (*database.WebhookEndpoint, string, error) {
	now := s.Now()
	e := &database.WebhookEndpoint{AccountID: accountID, CreatedAt: now, UpdatedAt: now}
	if err := apply(e, ch, known); err != nil {
		return nil, "", err
	}
	var secret string
	err := s.DB.InTx(ctx, func(tx *database.Tx) error {
		var err error
		if secret, err = FirstWebhookSecret(tx, accountID); err != nil {
			return err
		}
		return tx.CreateEndpoint(e)
	})
	if err != nil {
		return nil, "", err
	}
	return e, secret, nil
}

// UpdateEndpoint changes a webhook endpoint.
func (s *Service) UpdateEndpoint(ctx context.Context, accountID, id int64, ch EndpointChange, known []string) (*database.WebhookEndpoint, error) {
	e, err := s.GetEndpoint(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	if err := apply(e, ch, known); err != nil {
		return nil, err
	}
	e.UpdatedAt = s.Now()
	if err := s.DB.UpdateEndpoint(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

func apply(e *database.WebhookEndpoint, ch EndpointChange, known []string) error {
	if ch.URL != nil {
		if err := CheckCallbackURL("url", *ch.URL); err != nil {
			return err
		}
		e.URL = *ch.URL
	}
	if ch.Events != nil {
		for _, ev := range *ch.Events {
			if !slices.Contains(known, ev) {
				return fault.ErrInvalidRequest.New("events: %q is not an event; use %s", ev, strings.Join(known, ", "))
			}
		}
		e.Events = strings.Join(*ch.Events, ",")
	}
	if ch.Disabled != nil {
		e.Disabled = *ch.Disabled
	}
	return nil
}

// GetEndpoint loads a live endpoint of the account.
func (s *Service) GetEndpoint(ctx context.Context, accountID, id int64) (*database.WebhookEndpoint, error) {
	e, err := s.DB.GetEndpoint(ctx, accountID, id)
	return e, notFound(err, ErrEndpointNotFound, "webhook endpoint", id)
}

// ListEndpoints lists the account's live endpoints.
func (s *Service) ListEndpoints(ctx context.Context, accountID int64) ([]database.WebhookEndpoint, error) {
	return s.DB.ListEndpoints(ctx, accountID)
}

// DeleteEndpoint deletes an endpoint; it returns the endpoint as it was.
func (s *Service) DeleteEndpoint(ctx context.Context, accountID, id int64) (*database.WebhookEndpoint, error) {
	e, err := s.GetEndpoint(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	return e, s.DB.DeleteEndpoint(ctx, accountID, e.ID, s.Now())
}
