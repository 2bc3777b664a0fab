package database

import (
	"context"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/veridoc/veridoc/internal/platform/fault"
)

// Idempotency-Key lifetimes.
const (
	IdempotencyTTL = 24 * time.Hour
	// A claim older than this whose call never finished (the process died) may be taken over.
	idempotencyStaleClaim = 2 * time.Minute
)

// IdempotencyKey stores the first response of a side-effecting call.
type IdempotencyKey struct {
	ID          int64     `gorm:"primaryKey"`
	AccountID   int64     `gorm:"not null;uniqueIndex:idx_idem_account_key"`
	Caller      string    `gorm:"size:40;not null;default:'';uniqueIndex:idx_idem_account_key"` // "key:12", "session:7"
	Key         string    `gorm:"size:255;not null;uniqueIndex:idx_idem_account_key"`
	Method      string    `gorm:"size:100;not null"`
	RequestHash string    `gorm:"size:64;not null"`
	Status      int       `gorm:"not null;default:0"`           // 0 while the call runs
	Response    []byte    `gorm:"serializer:sealed;type:bytes"` // JSON body (personal data when the call echoes it)
	CreatedAt   time.Time `gorm:"not null;index"`
}

// IdempotencyStore keeps the first response of a side-effecting call per
// (account, caller, key) in the database; the API layer adapts it.
type IdempotencyStore struct {
	DB  *DB
	Now func() time.Time
}

// StoredResponse is a response kept for replays.
type StoredResponse struct {
	Status int
	Body   []byte
}

// Idempotency-Key refusals.
var (
	ErrIdempotencyKeyReused     = fault.Declare("IdempotencyKeyReused", fault.Conflict)
	ErrIdempotencyKeyInProgress = fault.Declare("IdempotencyKeyInProgress", fault.Conflict)
)

// Begin claims (account, caller, key) with a unique insert; the loser of a race reads the winner's row.
func (s *IdempotencyStore) Begin(ctx context.Context, accountID int64, caller, key, method string, requestHash []byte) (*StoredResponse, error) {
	hash := hex.EncodeToString(requestHash)
	for attempt := 0; attempt < 3; attempt++ {
		row := &IdempotencyKey{AccountID: accountID, Caller: caller, Key: key, Method: method, RequestHash: hash, CreatedAt: s.Now()}
		err := s.DB.g.WithContext(ctx).Create(row).Error
		if err == nil {
			return nil, nil
		}
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, err
		}
		var prev IdempotencyKey
		err = s.DB.g.WithContext(ctx).Where("account_id = ? AND caller = ? AND key = ?", accountID, caller, key).Take(&prev).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue // released between our insert and read: claim again
		}
		if err != nil {
			return nil, err
		}
		age := s.Now().Sub(prev.CreatedAt)
		if age > IdempotencyTTL || (prev.Status == 0 && age > idempotencyStaleClaim) {
			if err := s.DB.g.WithContext(ctx).Where("id = ?", prev.ID).Delete(&IdempotencyKey{}).Error; err != nil {
				return nil, err
			}
			continue
		}
		if prev.Method != method || prev.RequestHash != hash {
			return nil, ErrIdempotencyKeyReused.New("This Idempotency-Key was already used with a different request")
		}
		if prev.Status == 0 {
			return nil, ErrIdempotencyKeyInProgress.New("A request with this Idempotency-Key is still being processed; retry shortly")
		}
		return &StoredResponse{Status: prev.Status, Body: prev.Response}, nil
	}
	return nil, ErrIdempotencyKeyInProgress.New("A request with this Idempotency-Key is still being processed; retry shortly")
}

// Complete stores the response for replays.
func (s *IdempotencyStore) Complete(ctx context.Context, accountID int64, caller, key string, res StoredResponse) error {
	return s.DB.g.WithContext(ctx).Model(&IdempotencyKey{}).
		Where("account_id = ? AND caller = ? AND key = ?", accountID, caller, key).
		Updates(map[string]any{"status": res.Status, "response": res.Body}).Error
}

// Release drops a claim so the call can run again.
func (s *IdempotencyStore) Release(ctx context.Context, accountID int64, caller, key string) error {
	return s.DB.g.WithContext(ctx).Where("account_id = ? AND caller = ? AND key = ? AND status = 0", accountID, caller, key).Delete(&IdempotencyKey{}).Error
}

// DeleteExpiredIdempotencyKeys removes keys past their replay window.
func (db *DB) DeleteExpiredIdempotencyKeys(ctx context.Context, now time.Time) (int64, error) {
	res := db.g.WithContext(ctx).Where("created_at < ?", now.Add(-IdempotencyTTL)).Delete(&IdempotencyKey{})
	return res.RowsAffected, res.Error
}
