package database

import (
	"context"
	"time"
)

// AuditEvent records one thing done to an account's data: a state-changing
// call, an issued link to a personal image, a manual decision, an erasure.
// The table is append-only: nothing in this package updates or deletes a row.
type AuditEvent struct {
	// The list's order (newest first by time, then id; by action or not)
	// is an index of its own, so that a created_before bound is a range.
	ID        int64     `gorm:"primaryKey;index:idx_audit_account,priority:3;index:idx_audit_events_action,priority:4"`
	AccountID int64     `gorm:"not null;index:idx_audit_account,priority:1;index:idx_audit_events_action,priority:1"`
	CreatedAt time.Time `gorm:"not null;index:idx_audit_account,priority:2;index:idx_audit_events_action,priority:3"`
	// Actor: "api_key:<id>", "session:<id>" (the end user's token), "system".
	Actor     string `gorm:"size:60;not null"`
	Action    string `gorm:"size:60;not null;index:idx_audit_events_action,priority:2"`
	Object    string `gorm:"size:80;not null;default:'';index"` // "<class>:<id>"
	IP        string `gorm:"size:64;not null;default:''"`
	RequestID string `gorm:"size:64;not null;default:''"`
}

// AppendAudit adds an event.
func (db *DB) AppendAudit(ctx context.Context, e *AuditEvent) error {
	return db.g.WithContext(ctx).Create(e).Error
}

// AuditFilter narrows audit_event.list.
type AuditFilter struct {
	Object, Action string
	After, Before  *time.Time
	// The page's position, as SessionFilter's.
	BeforeID int64
	BeforeAt time.Time
	Limit    int
}

// ListAudit lists an account's events, newest first (by time, then id).
func (db *DB) ListAudit(ctx context.Context, accountID int64, f AuditFilter) ([]AuditEvent, error) {
	q := db.g.WithContext(ctx).Where("account_id = ?", accountID)
	if f.Object != "" {
		q = q.Where("object = ?", f.Object)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.After != nil {
		q = q.Where("created_at > ?", *f.After)
	}
	if f.Before != nil {
		q = q.Where("created_at < ?", *f.Before)
	}
	switch {
	case f.BeforeID > 0 && !f.BeforeAt.IsZero():
		q = q.Where("(created_at, id) < (?, ?)", f.BeforeAt.UTC(), f.BeforeID)
	case f.BeforeID > 0:
		q = q.Where("id < ?", f.BeforeID)
	}
	var out []AuditEvent
	return out, q.Order("created_at DESC, id DESC").Limit(f.Limit).Find(&out).Error
}
