package verifications

import (
	"context"
	"errors"

	"github.com/veridoc/veridoc/internal/platform/database"
)

// CorrectExtracted changes extracted values by hand; each change is audited
// with the key that made it. Values equal to the current ones are skipped.
func (sv *Service) CorrectExtracted(ctx context.Context, accountID, apiKeyID, documentID int64, changes map[string]string) error {
	d, err := sv.DB.GetDocument(ctx, accountID, documentID)
	if err != nil {
		return err
	}
	if d.Status == database.DocCanceled {
		return ErrDocumentCanceled.New("Document %d is canceled", d.ID)
	}
	now := sv.Now()
	return sv.DB.InTx(ctx, func(tx *database.Tx) error {
		before, err := tx.Extracted(d.ID)
		if err != nil {
			return err
		}
		apply := map[string]string{}
		for k, v := range changes {
			if before[k].Value == v {
				continue
			}
			apply[k] = v
			if err := tx.AddExtractedChange(&database.ExtractedChange{DocumentID: d.ID, Key: k, OldValue: before[k].Value, NewValue: v,
				APIKeyID: apiKeyID, CreatedAt: now}); err != nil {
				return err
			}
		}
		return tx.SetExtracted(d.ID, apply, database.SourceManual, now)
	})
}

// DecideManually records a person's decision on a submitted verification.
func (sv *Service) DecideManually(ctx context.Context, accountID, apiKeyID, verificationID int64, status, comment string) (*database.Decision, error) {
	dec := &database.Decision{Status: status, ValidationWorkflow: database.SourceManual, Comment: comment, APIKeyID: apiKeyID}
	err := sv.DB.InTx(ctx, func(tx *database.Tx) error {
		v, err := tx.LockVerification(accountID, verificationID)
		if err != nil {
			return err
		}
		switch v.Status {
		case database.VerificationStarted:
			return ErrNotSubmitted.New("Verification %d is STARTED; submit it before deciding", v.ID)
		case database.VerificationCanceled:
			return ErrCanceled.New("Verification %d is canceled", v.ID)
		}
		return Decide(ctx, sv.Queue, tx, v, dec, sv.Now(), true)
	})
	return dec, err
}

// CancelDecision cancels the latest live decision on a verification as a
// whole; the verification returns to DOUBLE_CHECK.
func (sv *Service) CancelDecision(ctx context.Context, accountID, id int64) (*database.Decision, error) {
	d, err := sv.DB.GetDecision(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	now := sv.Now()
	err = sv.DB.InTx(ctx, func(tx *database.Tx) error {
		v, err := tx.LockVerification(accountID, d.VerificationID)
		if err != nil {
			return err
		}
		latest, err := tx.LatestDecision(v.ID)
		if err != nil && !errors.Is(err, database.ErrNotFound) {
			return err
		}
		if latest == nil || latest.ID != d.ID {
			return ErrDecisionNotCancelable.New("Only the latest live decision on the verification as a whole can be canceled")
		}
		if v.Status == database.VerificationCanceled {
			return ErrCanceled.New("Verification %d is canceled", v.ID)
		}
		if err := tx.CancelDecision(d, v, now); err != nil {
			return err
		}
		return Emit(ctx, sv.Queue, tx, v.AccountID, Event{Type: EventDecisionCanceled,
			VerificationID: v.ID, DecisionID: d.ID, Status: database.VerificationDoubleCheck}, now)
	})
	return d, err
}
