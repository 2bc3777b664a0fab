// Package accounts holds the rules of an account and of what it owns besides
// its verifications: API keys and how far each reaches, console users and
// their passwords, the webhook secret and endpoints, money and limits. The
// API, the console and the command line all change these through Service.
package accounts

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/veridoc/veridoc/internal/domain/billing"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
)

// The rules of accounts.
var (
	ErrNotFound            = fault.Declare("AccountNotFound", fault.NotFound)
	ErrKeyNotFound         = fault.Declare("ApiKeyNotFound", fault.NotFound)
	ErrUserNotFound        = fault.Declare("UserNotFound", fault.NotFound)
	ErrEndpointNotFound    = fault.Declare("WebhookEndpointNotFound", fault.NotFound)
	ErrTransactionNotFound = fault.Declare("TransactionNotFound", fault.NotFound)
	ErrUserExists          = fault.Declare("UserExists", fault.Conflict) // the email signs in to this account already
	ErrSandboxOnly         = fault.Declare("SandboxOnly", fault.Forbidden)
	// ErrSandboxValue: a sandbox account's magic value that names no outcome.
	ErrSandboxValue        = fault.Declare("SandboxValueUnknown", fault.Invalid)
	ErrPermissionDenied    = fault.Declare("PermissionDenied", fault.Forbidden) // beyond the credential's reach
	ErrInsufficientBalance = fault.Declare("InsufficientBalance", fault.PaymentRequired)
)

// Limits on what people type.
const (
	MaxNameLength        = 200 // account and key names
	MaxRetentionDays     = 36500
	MaxDescriptionLength = 200
)

// Service changes accounts and what they own.
type Service struct {
	DB *database.DB
	// Keys remembers authenticated keys; a key revoked through this service
	// is forgotten at once.
	Keys  *KeyCache
	Tiers billing.Tiers
	// Hashes bounds the password hashes computed at once.
	Hashes *Hasher
	Logger *slog.Logger
	Now    func() time.Time

	dummyOnce sync.Once
	dummy     string // a hash unknown emails are checked against
}

// Create opens an account with its first API key (full reach, no expiry).
func (s *Service) Create(ctx context.Context, name string, sandbox bool) (*database.Account, *NewKey, error) {
	if name == "" || len(name) > MaxNameLength {
		return nil, nil, fault.ErrInvalidRequest.New("name: must be 1 to %d characters", MaxNameLength)
	}
	acc, err := s.DB.CreateAccount(ctx, name, sandbox)
	if err != nil {
		return nil, nil, err
	}
	k, err := s.CreateKey(ctx, acc.ID, Full, KeyRequest{Name: "first key"})
	if err != nil {
		return nil, nil, err
	}
	return acc, k, nil
}

// Count tells whether an install has accounts yet.
func (s *Service) Count(ctx context.Context) (int64, error) { return s.DB.CountAccounts(ctx) }

// Get loads an account.
func (s *Service) Get(ctx context.Context, id int64) (*database.Account, error) {
	a, err := s.DB.GetAccount(ctx, id)
	return a, notFound(err, ErrNotFound, "account", id)
}

// SetRetention sets how many days finished objects keep their images and
// personal fields (0: kept until deleted).
func (s *Service) SetRetention(ctx context.Context, id int64, days int) error {
	if days < 0 || days > MaxRetentionDays {
		return fault.ErrInvalidRequest.New("retention_days: must be 0–%d", MaxRetentionDays)
	}
	return notFound(s.DB.SetRetention(ctx, id, &days), ErrNotFound, "account", id)
}

// SetRateLimit sets the account's requests per hour (0: the server default).
func (s *Service) SetRateLimit(ctx context.Context, id int64, perHour int) error {
	if perHour < 0 {
		return fault.ErrInvalidRequest.New("per_hour: must be 0 or more")
	}
	return notFound(s.DB.SetRateLimit(ctx, id, perHour), ErrNotFound, "account", id)
}

// notFound turns the database's miss into rule's error for the object.
func notFound(err error, rule *fault.Rule, what string, id int64) error {
	if errors.Is(err, database.ErrNotFound) {
		return rule.New("No %s found with id: %d", what, id)
	}
	return err
}
