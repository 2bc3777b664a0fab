package database

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// SetRetention sets an account's retention (nil: the server default).
func (db *DB) SetRetention(ctx context.Context, accountID int64, days *int) error {
	res := db.g.WithContext(ctx).Model(&Account{}).Where("id = ?", accountID).Update("retention_days", days)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// ListAccounts lists every account (the retention sweep walks them).
func (db *DB) ListAccounts(ctx context.Context) ([]Account, error) {
	var out []Account
	return out, db.g.WithContext(ctx).Order("id").Find(&out).Error
}

// Finished objects of an account that were last changed before cutoff and
// still hold personal data, oldest first.

// DueSessionErasures lists decided or expired sessions.
func (db *DB) DueSessionErasures(ctx context.Context, accountID int64, cutoff time.Time, limit int) ([]int64, error) {
	var ids []int64
	return ids, db.g.WithContext(ctx).Model(&Session{}).
		Where("account_id = ? AND state IN ? AND updated_at < ? AND deleted_at IS NULL", accountID,
			[]string{SessionApproved, SessionDeclined, SessionExpired}, cutoff).
		Order("id").Limit(limit).Pluck("id", &ids).Error
}

// DueVerificationErasures lists approved, rejected or canceled verifications.
func (db *DB) DueVerificationErasures(ctx context.Context, accountID int64, cutoff time.Time, limit int) ([]int64, error) {
	var ids []int64
	return ids, db.g.WithContext(ctx).Model(&Verification{}).
		Where("account_id = ? AND status IN ? AND updated_at < ? AND erased_at IS NULL", accountID,
			[]string{VerificationApproved, VerificationRejected, VerificationCanceled}, cutoff).
		Order("id").Limit(limit).Pluck("id", &ids).Error
}

// DuePhotoErasures lists finished photo tasks.
func (db *DB) DuePhotoErasures(ctx context.Context, accountID int64, cutoff time.Time, limit int) ([]int64, error) {
	var ids []int64
	return ids, db.g.WithContext(ctx).Model(&PhotoTask{}).
		Where("account_id = ? AND state IN ? AND updated_at < ? AND erased_at IS NULL", accountID,
			[]string{TaskSuccess, TaskFailure}, cutoff).
		Order("id").Limit(limit).Pluck("id", &ids).Error
}

// ErasePhotoTask marks a task's upload and outputs gone.
func (tx *Tx) ErasePhotoTask(id int64, at time.Time) error {
	return tx.g.Model(&PhotoTask{}).Where("id = ?", id).Updates(map[string]any{"source_key": "", "erased_at": at}).Error
}

// EraseVerification drops a verification's personal fields, its documents'
// image keys and everything read from them; ids, states, times, reference and
// decisions stay.
func (tx *Tx) EraseVerification(id int64, at time.Time) error {
	var docIDs []int64
	if err := tx.g.Model(&Document{}).Where("verification_id = ?", id).Pluck("id", &docIDs).Error; err != nil {
		return err
	}
	if len(docIDs) > 0 {
		if err := tx.g.Where("document_id IN ?", docIDs).Delete(&ExtractedField{}).Error; err != nil {
			return err
		}
		if err := tx.g.Where("document_id IN ?", docIDs).Delete(&ExtractedChange{}).Error; err != nil {
			return err
		}
		if err := tx.g.Model(&Document{}).Where("id IN ?", docIDs).
			Updates(map[string]any{"front_key": "", "back_key": "", "descriptor": nil, "updated_at": at}).Error; err != nil {
			return err
		}
	}
	if err := tx.eraseFaces("verification_id", id, at); err != nil {
		return err
	}
	return tx.g.Model(&Verification{}).Where("id = ?", id).Updates(map[string]any{
		"expected_given_names": "", "expected_surname": "", "expected_date_of_birth": "", "expected_street": "",
		"expected_city": "", "expected_state": "", "expected_zip": "", "expected_country": "", "erased_at": at,
	}).Error
}

// LockPhotoTask loads a task of the account for update.
func (tx *Tx) LockPhotoTask(accountID, id int64) (*PhotoTask, error) {
	var t PhotoTask
	if err := tx.g.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ? AND account_id = ?", id, accountID).Take(&t).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}
