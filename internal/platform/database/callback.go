package database

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Callback delivery states.
const (
	CallbackPending   = "PENDING"
	CallbackDelivered = "DELIVERED"
	CallbackFailed    = "FAILED"   // retries exhausted or the address was refused
	CallbackDisabled  = "DISABLED" // the receiver answered 410 Gone
)

// CallbackStates lists the delivery states.
var CallbackStates = []string{CallbackPending, CallbackDelivered, CallbackFailed, CallbackDisabled}

// Callback subjects.
const (
	SubjectSession      = "session"
	SubjectVerification = "verification"
	SubjectTest         = "test" // webhook_endpoint.test: SubjectID is the endpoint's
)

// Callback is one signed event to deliver to one URL.
type Callback struct {
	ID          int64  `gorm:"primaryKey"`
	AccountID   int64  `gorm:"not null;index"`
	Subject     string `gorm:"size:20;not null;index:idx_callback_subject,priority:1"`
	SubjectID   int64  `gorm:"not null;index:idx_callback_subject,priority:2"`
	EndpointID  int64  `gorm:"not null;default:0"` // webhook endpoint, 0 for a session's callback_url
	Event       string `gorm:"size:60;not null"`
	URL         string `gorm:"size:2048;not null"`
	Payload     string `gorm:"serializer:sealed;type:text;not null"`
	MessageID   string `gorm:"size:40;not null;uniqueIndex"` // webhook-id: the same on every attempt
	State       string `gorm:"size:12;not null"`
	Attempts    int    `gorm:"not null;default:0"`
	LastStatus  int    `gorm:"not null;default:0"`
	LastError   string `gorm:"size:500;not null;default:''"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeliveredAt *time.Time
}

// CallbackAttempt logs one delivery attempt.
type CallbackAttempt struct {
	ID         int64  `gorm:"primaryKey"`
	CallbackID int64  `gorm:"not null;index"`
	AccountID  int64  `gorm:"not null"`
	Attempt    int    `gorm:"not null"`
	StatusCode int    `gorm:"not null;default:0"`
	Error      string `gorm:"size:500;not null;default:''"`
	DurationMs int64  `gorm:"not null"`
	CreatedAt  time.Time
}

// CreateCallback inserts a callback inside tx.
func (tx *Tx) CreateCallback(c *Callback) error { return tx.g.Create(c).Error }

// CallbackByID loads a callback for the delivery worker.
func (db *DB) CallbackByID(ctx context.Context, id int64) (*Callback, error) {
	var c Callback
	if err := db.g.WithContext(ctx).Take(&c, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// GetCallback loads a callback of the account.
func (db *DB) GetCallback(ctx context.Context, accountID, id int64) (*Callback, error) {
	var c Callback
	if err := db.g.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&c).Error; err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// RequeueCallback makes a finished callback pending again (its attempts go
// on counting) and reports whether it was finished; the caller queues its job
// in the same transaction.
func (tx *Tx) RequeueCallback(c *Callback, now time.Time) (bool, error) {
	res := tx.g.Model(&Callback{}).Where("id = ? AND state <> ?", c.ID, CallbackPending).
		Updates(map[string]any{"state": CallbackPending, "updated_at": now})
	if res.Error != nil {
		return false, res.Error
	}
	c.State = CallbackPending
	return res.RowsAffected == 1, nil
}

// EndpointDisabled tells whether an endpoint was disabled (by a 410) or deleted.
func (tx *Tx) EndpointDisabled(id int64) (bool, error) {
	var e WebhookEndpoint
	if err := tx.g.Where("id = ?", id).Take(&e).Error; err != nil {
		return false, notFound(err)
	}
	return e.Disabled || e.DeletedAt != nil, nil
}

// RecordAttempt logs an attempt and moves the callback to state.
func (db *DB) RecordAttempt(ctx context.Context, c *Callback, a *CallbackAttempt, state string, now time.Time) error {
	return db.g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		fields := map[string]any{"state": state, "attempts": a.Attempt, "last_status": a.StatusCode, "last_error": a.Error, "updated_at": now}
		if state == CallbackDelivered {
			fields["delivered_at"] = now
		}
		return tx.Model(&Callback{}).Where("id = ?", c.ID).Updates(fields).Error
	})
}

// AttemptRow is an attempt with its callback, as callback.list shows it.
type AttemptRow struct {
	CallbackAttempt
	Subject       string
	SubjectID     int64
	EndpointID    int64
	Event         string
	URL           string
	MessageID     string
	CallbackState string
}

// ListAttempts pages through the attempts of an account's callbacks about one subject, newest first.
func (db *DB) ListAttempts(ctx context.Context, accountID int64, subject string, subjectID, beforeID int64, limit int) ([]AttemptRow, error) {
	q := db.g.WithContext(ctx).Table("callback_attempts AS a").
		Select("a.*, c.subject, c.subject_id, c.endpoint_id, c.event, c.url, c.message_id, c.state AS callback_state").
		Joins("JOIN callbacks c ON c.id = a.callback_id").
		Where("c.account_id = ? AND c.subject = ?", accountID, subject)
	if subjectID > 0 {
		q = q.Where("c.subject_id = ?", subjectID)
	}
	if beforeID > 0 {
		q = q.Where("a.id < ?", beforeID)
	}
	var out []AttemptRow
	return out, q.Order("a.id DESC").Limit(limit).Scan(&out).Error
}

// DisableSessionCallback stops deliveries to a session's callback_url (410 Gone).
func (db *DB) DisableSessionCallback(ctx context.Context, sessionID int64) error {
	return db.g.WithContext(ctx).Model(&Session{}).Where("id = ?", sessionID).Update("callback_disabled", true).Error
}
