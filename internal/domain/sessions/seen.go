package sessions

import (
	"context"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
)

// seenBefore looks the document up among the account's other sessions by
// its blind index: another name or birth date with the same document is
// DOCUMENT_REUSED; more sessions in 24 h than the account allows (this one
// counted; no limit unless it sets one) is DOCUMENT_VELOCITY. The index is kept on the session.
func (w *Worker) seenBefore(ctx context.Context, s *database.Session, d *database.SessionResult) error {
	if w.Index == nil || d.DocumentNumber == "" || d.IssuingCountry == "" {
		return nil
	}
	x, err := w.Index(ctx, s.AccountID)
	if err != nil {
		return err
	}
	if d.DocIndex, err = x.Of(d.IssuingCountry, d.DocumentType, d.DocumentNumber); err != nil {
		return err
	}
	earlier, err := w.DB.SessionsWithDocument(ctx, s.AccountID, d.DocIndex, s.ID)
	if err != nil {
		return err
	}
	acc, err := w.DB.GetAccount(ctx, s.AccountID)
	if err != nil {
		return err
	}
	limit := acc.DocumentVelocity // 0: no limit
	recent, reused := 1, false
	since := w.Now().Add(-24 * time.Hour)
	for _, e := range earlier {
		if e.CreatedAt.After(since) {
			recent++
		}
		if e.Surname != "" && (!sameName(e.Surname, d.Surname) || !sameName(e.GivenNames, d.GivenNames) || e.DateOfBirth != d.DateOfBirth) {
			reused = true
		}
	}
	if reused {
		fail(d, CheckDocumentReused)
	}
	if limit > 0 && recent > limit {
		fail(d, CheckDocumentVelocity)
	}
	return nil
}

func sameName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}
