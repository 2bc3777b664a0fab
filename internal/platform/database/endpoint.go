package database

import (
	"context"
	"time"
)

// WebhookEndpoint receives an account's verification events.
type WebhookEndpoint struct {
	ID        int64  `gorm:"primaryKey"`
	AccountID int64  `gorm:"not null;index"`
	URL       string `gorm:"size:2048;not null"`
	Events    string `gorm:"size:500;not null;default:''"` // comma-separated; empty: all
	Disabled  bool   `gorm:"not null;default:false"`       // answered 410 Gone
	DeletedAt *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// LiveEndpoints lists an account's endpoints that take deliveries.
func (tx *Tx) LiveEndpoints(accountID int64) ([]WebhookEndpoint, error) {
	var out []WebhookEndpoint
	return out, tx.g.Where("account_id = ? AND deleted_at IS NULL AND disabled = ?", accountID, false).Order("id").Find(&out).Error
}

// CreateEndpoint adds a webhook endpoint inside the caller's transaction.
func (tx *Tx) CreateEndpoint(e *WebhookEndpoint) error { return tx.g.Create(e).Error }

// ListEndpoints lists an account's endpoints that were not deleted.
func (db *DB) ListEndpoints(ctx context.Context, accountID int64) ([]WebhookEndpoint, error) {
	var out []WebhookEndpoint
	return out, db.g.WithContext(ctx).Where("account_id = ? AND deleted_at IS NULL", accountID).Order("id").Find(&out).Error
}

// DeleteEndpoint marks an endpoint of the account deleted.
func (db *DB) DeleteEndpoint(ctx context.Context, accountID, id int64, at time.Time) error {
	return db.g.WithContext(ctx).Model(&WebhookEndpoint{}).Where("id = ? AND account_id = ?", id, accountID).
		Updates(map[string]any{"deleted_at": at, "updated_at": at}).Error
}

// UpdateEndpoint saves an endpoint's URL, events and disabled flag.
func (db *DB) UpdateEndpoint(ctx context.Context, e *WebhookEndpoint) error {
	return db.g.WithContext(ctx).Model(&WebhookEndpoint{}).Where("id = ? AND account_id = ? AND deleted_at IS NULL", e.ID, e.AccountID).
		Updates(map[string]any{"url": e.URL, "events": e.Events, "disabled": e.Disabled, "updated_at": e.UpdatedAt}).Error
}

// DisableEndpoint stops deliveries to an endpoint (410 Gone).
func (db *DB) DisableEndpoint(ctx context.Context, id int64) error {
	return db.g.WithContext(ctx).Model(&WebhookEndpoint{}).Where("id = ?", id).Update("disabled", true).Error
}

// GetEndpoint loads a live endpoint of the account.
func (db *DB) GetEndpoint(ctx context.Context, accountID, id int64) (*WebhookEndpoint, error) {
	var e WebhookEndpoint
	if err := db.g.WithContext(ctx).Where("id = ? AND account_id = ? AND deleted_at IS NULL", id, accountID).Take(&e).Error; err != nil {
		return nil, notFound(err)
	}
	return &e, nil
}
