package database

import (
	"context"
	"time"
)

// RecordDocumentDecision stores an automatic verdict on one document and
// moves the document to the matching status.
func (tx *Tx) RecordDocumentDecision(dec *Decision, docStatus int) error {
	if err := tx.g.Model(&Document{}).Where("id = ?", dec.DocumentID).Update("status", docStatus).Error; err != nil {
		return err
	}
	return tx.g.Create(dec).Error
}

// RecordDecision stores a verdict on a locked verification as a whole and
// moves it to the decision's status (finished when final). A docStatus other
// than 0 also moves every live document to it.
func (tx *Tx) RecordDecision(v *Verification, dec *Decision, final bool, docStatus int) error {
	if err := tx.g.Create(dec).Error; err != nil {
		return err
	}
	cols := map[string]any{"status": dec.Status, "updated_at": dec.CreatedAt}
	if final {
		cols["finished_at"] = dec.CreatedAt
	}
	if err := tx.g.Model(&Verification{}).Where("id = ?", v.ID).Updates(cols).Error; err != nil {
		return err
	}
	if docStatus != 0 {
		if err := tx.g.Model(&Document{}).Where("verification_id = ? AND status <> ?", v.ID, DocCanceled).
			Update("status", docStatus).Error; err != nil {
			return err
		}
	}
	v.Status = dec.Status
	return nil
}

// LatestDecision is the newest live decision on a verification as a whole.
func (tx *Tx) LatestDecision(verificationID int64) (*Decision, error) {
	var d Decision
	err := tx.g.Where("verification_id = ? AND document_id = 0 AND canceled_at IS NULL", verificationID).Order("id DESC").Take(&d).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// CancelDecision cancels a decision and returns its locked verification to DOUBLE_CHECK.
func (tx *Tx) CancelDecision(d *Decision, v *Verification, at time.Time) error {
	if err := tx.g.Model(&Decision{}).Where("id = ?", d.ID).Updates(map[string]any{"canceled_at": at, "updated_at": at}).Error; err != nil {
		return err
	}
	if err := tx.g.Model(&Verification{}).Where("id = ?", v.ID).
		Updates(map[string]any{"status": VerificationDoubleCheck, "finished_at": nil, "updated_at": at}).Error; err != nil {
		return err
	}
	d.CanceledAt, d.UpdatedAt = &at, at
	v.Status, v.FinishedAt, v.UpdatedAt = VerificationDoubleCheck, nil, at
	return nil
}

// ListDecisions lists an account's decisions on a verification (and optionally one document), newest first.
func (db *DB) ListDecisions(ctx context.Context, accountID, verificationID, documentID int64) ([]Decision, error) {
	q := db.g.WithContext(ctx).Where("account_id = ? AND verification_id = ?", accountID, verificationID)
	if documentID > 0 {
		q = q.Where("document_id = ?", documentID)
	}
	var out []Decision
	return out, q.Order("id DESC").Find(&out).Error
}

// GetDecision loads a decision of the account.
func (db *DB) GetDecision(ctx context.Context, accountID, id int64) (*Decision, error) {
	var d Decision
	if err := db.g.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&d).Error; err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}
