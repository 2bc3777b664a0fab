package database

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ConsoleUser is a person of an account who signs in to the console.
type ConsoleUser struct {
	ID           int64  `gorm:"primaryKey"`
	AccountID    int64  `gorm:"not null;index;uniqueIndex:idx_console_user_account_email"`
	Email        string `gorm:"size:254;not null;index;uniqueIndex:idx_console_user_account_email"` // lower case; unique per account
	Role         string `gorm:"size:10;not null"`                                                   // package accounts says what each may do
	PasswordHash string `gorm:"size:200;not null"`                                                  // argon2id, PHC string
	DisabledAt   *time.Time
	CreatedAt    time.Time
}

// ConsoleSession is one signed-in browser; only a hash of its cookie is kept.
type ConsoleSession struct {
	ID        int64     `gorm:"primaryKey"`
	UserID    int64     `gorm:"not null;index"`
	TokenHash []byte    `gorm:"not null;uniqueIndex"`
	CSRF      string    `gorm:"size:64;not null"` // the forms' token
	ExpiresAt time.Time `gorm:"not null;index"`
	CreatedAt time.Time
}

// CreateConsoleUser adds a user; ErrDuplicate when the email is the
// account's already (another account's users are none of its business).
func (db *DB) CreateConsoleUser(ctx context.Context, u *ConsoleUser) error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	return duplicate(db.g.WithContext(ctx).Create(u).Error)
}

// ConsoleUsersByEmail finds the live users with an email, in any account
// (accountID 0) or in one, at most limit, oldest first.
func (db *DB) ConsoleUsersByEmail(ctx context.Context, email string, accountID int64, limit int) ([]ConsoleUser, error) {
	q := db.g.WithContext(ctx).Where("email = ? AND disabled_at IS NULL", strings.ToLower(strings.TrimSpace(email)))
	if accountID != 0 {
		q = q.Where("account_id = ?", accountID)
	}
	var out []ConsoleUser
	return out, q.Order("id").Limit(limit).Find(&out).Error
}

// ListConsoleUsers lists an account's users.
func (db *DB) ListConsoleUsers(ctx context.Context, accountID int64) ([]ConsoleUser, error) {
	var out []ConsoleUser
	return out, db.g.WithContext(ctx).Where("account_id = ?", accountID).Order("id").Find(&out).Error
}

// DisableConsoleUser signs a user out everywhere and keeps them out; it
// returns the user as disabled.
func (db *DB) DisableConsoleUser(ctx context.Context, accountID, id int64, at time.Time) (*ConsoleUser, error) {
	var u ConsoleUser
	err := db.g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&ConsoleUser{}).Where("id = ? AND account_id = ? AND disabled_at IS NULL", id, accountID).Update("disabled_at", at)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		if err := tx.Where("user_id = ?", id).Delete(&ConsoleSession{}).Error; err != nil {
			return err
		}
		return tx.Take(&u, id).Error
	})
	return &u, err
}

// CreateConsoleSession records a sign-in.
func (db *DB) CreateConsoleSession(ctx context.Context, s *ConsoleSession) error {
	return db.g.WithContext(ctx).Create(s).Error
}

// ConsoleSessionByToken finds the live session a cookie opens, with its user.
func (db *DB) ConsoleSessionByToken(ctx context.Context, token string, now time.Time) (*ConsoleSession, *ConsoleUser, error) {
	var s ConsoleSession
	if err := db.g.WithContext(ctx).Where("token_hash = ? AND expires_at > ?", HashToken(token), now).Take(&s).Error; err != nil {
		return nil, nil, notFound(err)
	}
	var u ConsoleUser
	if err := db.g.WithContext(ctx).Where("id = ? AND disabled_at IS NULL", s.UserID).Take(&u).Error; err != nil {
		return nil, nil, notFound(err)
	}
	return &s, &u, nil
}

// DeleteConsoleSession signs a browser out.
func (db *DB) DeleteConsoleSession(ctx context.Context, id int64) error {
	return db.g.WithContext(ctx).Delete(&ConsoleSession{}, id).Error
}

// SessionReviewQueue is an account's sessions waiting for a person
// (REVIEW), oldest first.
func (db *DB) SessionReviewQueue(ctx context.Context, accountID int64, limit int) ([]Session, error) {
	var out []Session
	return out, db.g.WithContext(ctx).Where("account_id = ? AND state = ? AND deleted_at IS NULL", accountID, SessionReview).
		Order("updated_at, id").Limit(limit).Find(&out).Error
}

// ReviewQueue is an account's verifications waiting for a person
// (DOUBLE_CHECK or HOLD), oldest first.
func (db *DB) ReviewQueue(ctx context.Context, accountID int64, limit int) ([]Verification, error) {
	var out []Verification
	return out, db.g.WithContext(ctx).Where("account_id = ? AND status IN ?", accountID,
		[]string{VerificationDoubleCheck, VerificationHold}).Order("updated_at, id").Limit(limit).Find(&out).Error
}
