package database

import (
	"context"
	"time"
)

// DocumentBlock is a document an account refuses from now on: a session
// with the same blind index fails DOCUMENT_BLOCKED.
type DocumentBlock struct {
	ID        int64  `gorm:"primaryKey"`
	AccountID int64  `gorm:"not null;index:idx_document_block_account"`
	DocIndex  string `gorm:"size:32;not null"`
	SessionID int64  `gorm:"not null"` // the session it was taken from
	Reason    string `gorm:"size:500;not null;default:''"`
	CreatedAt time.Time
}

// CreateDocumentBlock stores a block; its ID is set.
func (db *DB) CreateDocumentBlock(ctx context.Context, b *DocumentBlock) error {
	return db.g.WithContext(ctx).Create(b).Error
}

// DocumentBlocked tells whether the account blocks the document idx.
func (db *DB) DocumentBlocked(ctx context.Context, accountID int64, idx string) (bool, error) {
	var n int64
	err := db.g.WithContext(ctx).Model(&DocumentBlock{}).Where("account_id = ? AND doc_index = ?", accountID, idx).Count(&n).Error
	return n > 0, err
}

// ListDocumentBlocks pages through the account's blocks, newest first.
func (db *DB) ListDocumentBlocks(ctx context.Context, accountID, beforeID int64, limit int) ([]DocumentBlock, error) {
	q := db.g.WithContext(ctx).Where("account_id = ?", accountID)
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	var out []DocumentBlock
	return out, q.Order("id DESC").Limit(limit).Find(&out).Error
}

// DeleteDocumentBlock removes one of the account's blocks.
func (db *DB) DeleteDocumentBlock(ctx context.Context, accountID, id int64) error {
	res := db.g.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Delete(&DocumentBlock{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}
