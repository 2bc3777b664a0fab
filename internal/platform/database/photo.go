package database

import (
	"context"
	"time"
)

// Photo task states.
const (
	TaskPending    = "PENDING"
	TaskProcessing = "PROCESSING"
	TaskSuccess    = "SUCCESS"
	TaskFailure    = "FAILURE"
)

// TaskStates lists the states in lifecycle order.
var TaskStates = []string{TaskPending, TaskProcessing, TaskSuccess, TaskFailure}

// PhotoTask is one photo.process call and its outcome.
type PhotoTask struct {
	ID           int64  `gorm:"primaryKey"`
	AccountID    int64  `gorm:"not null;index:idx_photo_account,priority:1"`
	SpecID       int64  `gorm:"not null"`
	State        string `gorm:"size:12;not null"`
	Progress     int    `gorm:"not null;default:0"`
	OutputFormat string `gorm:"size:8;not null"`
	Background   string `gorm:"size:16;not null;default:'replace'"` // idphoto.BackgroundReplace, BackgroundKeep or BackgroundTransparent
	SourceKey    string `gorm:"size:300;not null"`
	PriceCents   int64  `gorm:"not null"`
	ResultJSON   string `gorm:"type:text;not null;default:''"` // measurements, warnings, failure reasons
	ErrorCode    string `gorm:"size:40;not null;default:''"`
	// BatchID is the first task's id for the tasks of one photo.batch call;
	// 0 for a task of its own.
	BatchID    int64 `gorm:"not null;default:0;index:idx_photo_batch"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
	ErasedAt   *time.Time // upload and outputs deleted; the row kept as a stub
}

// GetPhotoTask loads a task of the account.
func (db *DB) GetPhotoTask(ctx context.Context, accountID, id int64) (*PhotoTask, error) {
	var t PhotoTask
	if err := db.g.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&t).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// PhotoTaskByID loads a task for the worker.
func (db *DB) PhotoTaskByID(ctx context.Context, id int64) (*PhotoTask, error) {
	var t PhotoTask
	if err := db.g.WithContext(ctx).Take(&t, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// ListPhotoTasks pages through an account's tasks, newest first; batchID
// > 0 keeps one batch's.
func (db *DB) ListPhotoTasks(ctx context.Context, accountID, batchID, beforeID int64, limit int) ([]PhotoTask, error) {
	q := db.g.WithContext(ctx).Where("account_id = ?", accountID)
	if batchID > 0 {
		q = q.Where("batch_id = ?", batchID)
	}
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	var out []PhotoTask
	return out, q.Order("id DESC").Limit(limit).Find(&out).Error
}

// updateOpenTask changes a task unless it has already finished.
func (db *DB) updateOpenTask(ctx context.Context, id int64, cols map[string]any) error {
	return db.g.WithContext(ctx).Model(&PhotoTask{}).
		Where("id = ? AND state IN ?", id, []string{TaskPending, TaskProcessing}).Updates(cols).Error
}

// StartPhotoTask marks a task as being processed.
func (db *DB) StartPhotoTask(ctx context.Context, id int64) error {
	return db.updateOpenTask(ctx, id, map[string]any{"state": TaskProcessing, "progress": 10})
}

// SucceedPhotoTask records a task's result.
func (db *DB) SucceedPhotoTask(ctx context.Context, id int64, resultJSON string, at time.Time) error {
	return db.updateOpenTask(ctx, id, map[string]any{"state": TaskSuccess, "progress": 100, "result_json": resultJSON, "finished_at": at})
}

// FailPhotoTask records why a task failed.
func (db *DB) FailPhotoTask(ctx context.Context, id int64, code, resultJSON string, at time.Time) error {
	return db.updateOpenTask(ctx, id, map[string]any{"state": TaskFailure, "progress": 100,
		"result_json": resultJSON, "error_code": code, "finished_at": at})
}

// CreatePhotoTask inserts a task inside tx.
func (tx *Tx) CreatePhotoTask(t *PhotoTask) error { return tx.g.Create(t).Error }

// SetPhotoBatch marks tasks as one batch.
func (tx *Tx) SetPhotoBatch(batchID int64, ids []int64) error {
	return tx.g.Model(&PhotoTask{}).Where("id IN ?", ids).Update("batch_id", batchID).Error
}
