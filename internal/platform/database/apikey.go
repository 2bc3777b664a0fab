package database

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Key prefixes: they are part of the credentials, so a secret is never
// mistaken for a public key or a session token.
const (
	PublicKeyPrefix = "public-key-"
	SecretPrefix    = "secret-"
)

// APIKey is a credential pair. Only a SHA-256 of the secret is stored: the secret
// is 32 random bytes, so a fast hash is enough and lookups stay one index probe.
type APIKey struct {
	ID         int64     `gorm:"primaryKey"`
	AccountID  int64     `gorm:"not null;index"`
	Account    *Account  `gorm:"constraint:OnDelete:CASCADE"`
	Name       string    `gorm:"size:200;not null;default:''"`
	PublicKey  string    `gorm:"size:64;not null;uniqueIndex"`
	SecretHash string    `gorm:"size:64;not null;uniqueIndex"`
	SecretTail string    `gorm:"size:8;not null"` // last characters, to tell keys apart in lists
	CreatedAt  time.Time `gorm:"not null"`
	LastUsedAt *time.Time
	RevokedAt  *time.Time `gorm:"index"`
	Scopes     string     `gorm:"size:200;not null;default:''"` // comma-separated; empty: everything
	ExpiresAt  *time.Time // nil: never
}

// ScopeList splits Scopes (nil: everything).
func (k *APIKey) ScopeList() []string {
	if k.Scopes == "" {
		return nil
	}
	return strings.Split(k.Scopes, ",")
}

// Expired tells whether the key has passed its expiry.
func (k *APIKey) Expired(now time.Time) bool { return k.ExpiresAt != nil && !now.Before(*k.ExpiresAt) }

// NewCredentials makes a public key and a secret (32 random bytes each way).
func NewCredentials() (publicKey, secret string) {
	return PublicKeyPrefix + randomToken(18), SecretPrefix + randomToken(32)
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is the stored form of a secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateAPIKey stores a new key and returns it with its secret, which is never stored.
func (db *DB) CreateAPIKey(ctx context.Context, accountID int64, name string) (*APIKey, string, error) {
	return db.CreateScopedAPIKey(ctx, accountID, name, nil, nil)
}

// CreateScopedAPIKey stores a key limited to scopes (nil: everything) until
// expires (nil: never).
func (db *DB) CreateScopedAPIKey(ctx context.Context, accountID int64, name string, scopes []string, expires *time.Time) (*APIKey, string, error) {
	pub, secret := NewCredentials()
	k := &APIKey{AccountID: accountID, Name: name, PublicKey: pub, SecretHash: HashSecret(secret), SecretTail: secret[len(secret)-4:],
		Scopes: strings.Join(scopes, ","), ExpiresAt: expires}
	if err := db.g.WithContext(ctx).Create(k).Error; err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// dummyHash is compared against when no key matches, so a miss does the same work as a hit.
var dummyHash = HashSecret("secret-no-such-key")

// Authenticate finds the live key for a secret and, for Basic auth, checks the
// public key too. Both comparisons always run, in constant time.
func (db *DB) Authenticate(ctx context.Context, publicKey, secret string, checkPublic bool) (*APIKey, error) {
	hash := HashSecret(secret)
	var k APIKey
	// The account comes along (one joined query): its rate limit applies to the request.
	err := db.g.WithContext(ctx).Joins("Account").Where("api_keys.secret_hash = ? AND api_keys.revoked_at IS NULL", hash).Take(&k).Error
	found := err == nil
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	storedHash, storedPub := k.SecretHash, k.PublicKey
	if !found {
		storedHash, storedPub = dummyHash, PublicKeyPrefix+"no-such-key"
	}
	okSecret := subtle.ConstantTimeCompare([]byte(storedHash), []byte(hash))
	okPublic := 1
	if checkPublic {
		okPublic = subtle.ConstantTimeCompare([]byte(storedPub), []byte(publicKey))
	}
	if !found || okSecret&okPublic != 1 {
		return nil, ErrNotFound
	}
	return &k, nil
}

// TouchAPIKey records use, at most once a minute per key to spare the database a write per request.
func (db *DB) TouchAPIKey(ctx context.Context, id int64, now time.Time) error {
	return db.g.WithContext(ctx).Model(&APIKey{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, now.Add(-time.Minute)).
		Update("last_used_at", now).Error
}

// GetAPIKey loads a live key of the account.
func (db *DB) GetAPIKey(ctx context.Context, accountID, id int64) (*APIKey, error) {
	var k APIKey
	err := db.g.WithContext(ctx).Where("id = ? AND account_id = ? AND revoked_at IS NULL", id, accountID).Take(&k).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &k, nil
}

// ListAPIKeys pages through the account's live keys, newest first.
func (db *DB) ListAPIKeys(ctx context.Context, accountID int64, beforeID int64, limit int) ([]APIKey, error) {
	var keys []APIKey
	q := db.g.WithContext(ctx).Where("account_id = ? AND revoked_at IS NULL", accountID)
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	err := q.Order("id DESC").Limit(limit).Find(&keys).Error
	return keys, err
}

// RevokeAPIKey stops a key from working; the row stays for the audit trail.
func (db *DB) RevokeAPIKey(ctx context.Context, accountID, id int64, now time.Time) (*APIKey, error) {
	res := db.g.WithContext(ctx).Model(&APIKey{}).
		Where("id = ? AND account_id = ? AND revoked_at IS NULL", id, accountID).
		Update("revoked_at", now)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, ErrNotFound
	}
	var k APIKey
	err := db.g.WithContext(ctx).Take(&k, id).Error
	return &k, err
}
