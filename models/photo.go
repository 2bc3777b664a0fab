package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Photo task states (000_*).
const (
	TaskPending    = "PENDING"
	TaskProcessing = "PROCESSING"
	TaskSuccess    = "SUCCESS"
	TaskFailure    = "FAILURE"
)

// PhotoTask is one photo.process call and its outcome.
type PhotoTask struct {
	ID           int64  `gorm:"primaryKey"`
	AccountID    int64  `gorm:"not null;index:idx_photo_account,priority:1"`
	SpecID       int64  `gorm:"not null"`
	State        string `gorm:"size:12;not null"`
	Progress     int    `gorm:"not null;default:0"`
	OutputFormat string `gorm:"size:8;not null"`
	SourceKey    string `gorm:"size:300;not null"`
	PriceCents   int64  `gorm:"not null"`
	ResultJSON   string `gorm:"type:text;not null;default:''"` // measurements, warnings, failure reasons
	ErrorCode    string `gorm:"size:40;not null;default:''"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
	FinishedAt   *time.Time
}

// GetPhotoTask loads a task of the account.
func (db *DB) GetPhotoTask(ctx context.Context, accountID, id int64) (*PhotoTask, error) {
	var t PhotoTask
	if err := db.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&t).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// PhotoTaskByID loads a task for the worker.
func (db *DB) PhotoTaskByID(ctx context.Context, id int64) (*PhotoTask, error) {
	var t PhotoTask
	if err := db.WithContext(ctx).Take(&t, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// ListPhotoTasks pages through an account's tasks, newest first.
func (db *DB) ListPhotoTasks(ctx context.Context, accountID, beforeID int64, limit int) ([]PhotoTask, error) {
	q := db.WithContext(ctx).Where("account_id = ?", accountID)
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	var out []PhotoTask
	return out, q.Order("id DESC").Limit(limit).Find(&out).Error
}

// UpdatePhotoTask changes a task unless it has already finished.
func (db *DB) UpdatePhotoTask(ctx context.Context, id int64, fields map[string]any) error {
	return db.WithContext(ctx).Model(&PhotoTask{}).
		Where("id = ? AND state IN ?", id, []string{TaskPending, TaskProcessing}).Updates(fields).Error
}

// CreatePhotoTask inserts a task inside tx.
func CreatePhotoTask(tx *gorm.DB, t *PhotoTask) error { return tx.Create(t).Error }
