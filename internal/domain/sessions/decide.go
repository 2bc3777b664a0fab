package sessions

import (
	"context"
	"slices"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
)

// ErrNotInReview: only a session waiting for a person can be decided.
var ErrNotInReview = fault.Declare("SessionNotInReview", fault.Conflict)

// DecideStates are what a person may decide a session in REVIEW to be.
var DecideStates = []string{database.SessionApproved, database.SessionDeclined}

// Decide records a person's decision on a session in REVIEW: it finishes as
// APPROVED or DECLINED, the event keeps the comment, and the callback goes
// out. The API call itself is in the audit log with its key.
func (sv *Service) Decide(ctx context.Context, accountID, id int64, state, comment string) (*database.Session, error) {
	if !slices.Contains(DecideStates, state) {
		return nil, fault.ErrInvalidRequest.New("state: must be APPROVED or DECLINED")
	}
	if _, err := sv.DB.GetSession(ctx, accountID, id); err != nil {
		return nil, err
	}
	now := sv.Now()
	err := sv.DB.InTx(ctx, func(tx *database.Tx) error {
		s, err := tx.LockSession(id)
		if err != nil {
			return err
		}
		if s.State != database.SessionReview || s.DeletedAt != nil {
			return ErrNotInReview.New("Session %d is %s; only a session in REVIEW can be decided", s.ID, s.State)
		}
		return transition(ctx, sv.Queue, tx, s, state, now, []string{"MANUAL_REVIEW"}, comment, database.SessionChange{FinishedAt: &now})
	})
	if err != nil {
		return nil, err
	}
	return sv.DB.GetSession(ctx, accountID, id)
}
