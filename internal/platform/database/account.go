package database

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Account owns every other object; ids of one account are invisible to others.
type Account struct {
	ID      int64  `gorm:"primaryKey"`
	Name    string `gorm:"size:200;not null"`
	Sandbox bool   `gorm:"not null;default:false"`
	// RateLimitPerHour is requests per hour (per account or per key, as the server counts); 0 means the server default.
	RateLimitPerHour int `gorm:"not null;default:0"`
	// WebhookSecret signs callbacks (Standard Webhooks, "whsec_" + base64).
	// Signing needs it, so it is encrypted, not hashed; the API shows it only once.
	WebhookSecret string `gorm:"serializer:sealed;type:text;not null;default:''"`
	// PreviousWebhookSecret is the secret a rotation replaced: it keeps
	// signing beside the new one until PreviousSecretUntil, so receivers can
	// switch without missing an event.
	PreviousWebhookSecret string `gorm:"serializer:sealed;type:text;not null;default:''"`
	PreviousSecretUntil   *time.Time
	// RetentionDays: finished sessions, verifications and photos older than
	// this lose their images and personal fields; nil: the server default,
	// 0: kept.
	RetentionDays *int
	// CheckPolicy is what each session check does, as JSON {"CHECK":
	// "decline"|"review"|"ignore"}; a check not named declines.
	CheckPolicy string `gorm:"type:text;not null;default:''"`
	// DocumentVelocity is how many sessions one document may open in 24 h
	// before DOCUMENT_VELOCITY; 0: no limit.
	DocumentVelocity int `gorm:"not null;default:0"`
	// MinAge is the least age a session asks for when session.create names
	// none (0: no check).
	MinAge int `gorm:"not null;default:0"`
	// LivenessDefault is the liveness a session asks for when
	// session.create names none: none, passive or active.
	LivenessDefault string `gorm:"size:8;not null;default:'none'"`
	CreatedAt       time.Time
}

// SetCheckPolicy replaces the account's check policy (JSON).
func (db *DB) SetCheckPolicy(ctx context.Context, accountID int64, policy string) error {
	res := db.g.WithContext(ctx).Model(&Account{}).Where("id = ?", accountID).Update("check_policy", policy)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// SigningSecrets are the secrets that sign a callback sent at now: the
// current one, and the previous one while its overlap lasts.
func (a *Account) SigningSecrets(now time.Time) []string {
	var out []string
	if a.WebhookSecret != "" {
		out = append(out, a.WebhookSecret)
	}
	if a.PreviousWebhookSecret != "" && a.PreviousSecretUntil != nil && now.Before(*a.PreviousSecretUntil) {
		out = append(out, a.PreviousWebhookSecret)
	}
	return out
}

// RotateWebhookSecret makes secret the account's signing secret. The one it
// replaces keeps signing until until (one statement: SQL reads the old row
// on the right of SET, on PostgreSQL and SQLite alike).
func (db *DB) RotateWebhookSecret(ctx context.Context, accountID int64, secret string, until time.Time) error {
	return db.g.WithContext(ctx).Model(&Account{}).Where("id = ?", accountID).Updates(map[string]any{
		"previous_webhook_secret": gorm.Expr("webhook_secret"),
		"previous_secret_until":   until,
		"webhook_secret":          secret,
	}).Error
}

// SetFirstWebhookSecret gives an account that has no webhook secret its
// first, inside the caller's transaction; it tells whether this call set it
// (a concurrent one may have won).
func (tx *Tx) SetFirstWebhookSecret(accountID int64, secret string) (bool, error) {
	res := tx.g.Model(&Account{}).Where("id = ? AND webhook_secret = ''", accountID).
		Updates(map[string]any{"webhook_secret": secret})
	return res.RowsAffected == 1, res.Error
}

// CreateAccount inserts an account.
func (db *DB) CreateAccount(ctx context.Context, name string, sandbox bool) (*Account, error) {
	a := &Account{Name: name, Sandbox: sandbox}
	if err := db.g.WithContext(ctx).Create(a).Error; err != nil {
		return nil, err
	}
	return a, nil
}

// GetAccount loads one account.
func (db *DB) GetAccount(ctx context.Context, id int64) (*Account, error) {
	if db.hot != nil {
		return db.hot.accounts.take(ctx, db.Pool, db.cols, "id = $1", id)
	}
	var a Account
	if err := db.g.WithContext(ctx).First(&a, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &a, nil
}

// CountAccounts tells whether an install has been bootstrapped.
func (db *DB) CountAccounts(ctx context.Context) (int64, error) {
	var n int64
	err := db.g.WithContext(ctx).Model(&Account{}).Count(&n).Error
	return n, err
}

// InsertAccount creates an account inside a transaction.
func (tx *Tx) InsertAccount(a *Account) error { return tx.g.Create(a).Error }

// SetDocumentVelocity sets the account's limit (0: none).
func (db *DB) SetDocumentVelocity(ctx context.Context, accountID int64, n int) error {
	res := db.g.WithContext(ctx).Model(&Account{}).Where("id = ?", accountID).Update("document_velocity", n)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// SetLivenessDefault sets the account's default liveness mode.
func (db *DB) SetLivenessDefault(ctx context.Context, accountID int64, mode string) error {
	res := db.g.WithContext(ctx).Model(&Account{}).Where("id = ?", accountID).Update("liveness_default", mode)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// SetMinAge sets the account's default least age (0: none).
func (db *DB) SetMinAge(ctx context.Context, accountID int64, years int) error {
	res := db.g.WithContext(ctx).Model(&Account{}).Where("id = ?", accountID).Update("min_age", years)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}
