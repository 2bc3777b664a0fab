package models

import (
	"context"
	"time"
)

// Account owns every other object; ids of one account are invisible to others.
type Account struct {
	ID      int64  `gorm:"primaryKey"`
	Name    string `gorm:"size:200;not null"`
	Sandbox bool   `gorm:"not null;default:false"`
	// RateLimitPerHour is requests per hour per API key; 0 means the server default.
	RateLimitPerHour int `gorm:"not null;default:0"`
	// WebhookSecret signs callbacks (Standard Webhooks, "whsec_" + base64).
	// It is kept as is because signing needs it; the API shows it only once.
	WebhookSecret string `gorm:"size:100;not null;default:''"`
	CreatedAt     time.Time
}

// SetWebhookSecret replaces the account's callback signing secret.
func (db *DB) SetWebhookSecret(ctx context.Context, accountID int64, secret string) error {
	return db.g.WithContext(ctx).Model(&Account{}).Where("id = ?", accountID).Update("webhook_secret", secret).Error
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
