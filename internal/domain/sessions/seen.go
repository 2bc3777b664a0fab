package sessions

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/vision/integrity"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Errors of the document block list.
var (
	ErrBlockNotFound = fault.Declare("DocumentBlockNotFound", fault.NotFound)
	ErrNoDocument    = fault.Declare("SessionHasNoDocument", fault.Conflict)
)

// BlockDocument blocks the document a decided session read: the account's
// later sessions with it fail DOCUMENT_BLOCKED.
func (sv *Service) BlockDocument(ctx context.Context, accountID, sessionID int64, reason string) (*database.DocumentBlock, error) {
	if len(reason) > 500 {
		return nil, fault.ErrInvalidRequest.New("reason: at most 500 characters")
	}
	s, err := sv.DB.GetSession(ctx, accountID, sessionID)
	if errors.Is(err, database.ErrNotFound) {
		return nil, ErrNotFound.New("No session found with id: %d", sessionID)
	}
	if err != nil {
		return nil, err
	}
	if s.DocIndex == "" {
		return nil, ErrNoDocument.New("Session %d has no document read to block (it is %s, or erased)", s.ID, s.State)
	}
	b := &database.DocumentBlock{AccountID: accountID, DocIndex: s.DocIndex, SessionID: s.ID, Reason: reason, CreatedAt: sv.Now()}
	return b, sv.DB.CreateDocumentBlock(ctx, b)
}

// Unblock removes one of the account's blocks.
func (sv *Service) Unblock(ctx context.Context, accountID, id int64) error {
	if err := sv.DB.DeleteDocumentBlock(ctx, accountID, id); errors.Is(err, database.ErrNotFound) {
		return ErrBlockNotFound.New("No document block found with id: %d", id)
	} else if err != nil {
		return err
	}
	return nil
}

// seenBefore looks the document up among the account's other sessions by
// its blind index: another name or birth date with the same document is
// DOCUMENT_REUSED; more sessions in 24 h than the account allows (this one
// counted; no limit unless it sets one) is DOCUMENT_VELOCITY. The index is kept on the session.
func (w *Worker) seenBefore(ctx context.Context, s *database.Session, acc *database.Account, d *database.SessionResult) error {
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
	if blocked, err := w.DB.DocumentBlocked(ctx, s.AccountID, d.DocIndex); err != nil {
		return err
	} else if blocked {
		failWith(d, CheckDocumentBlocked, "blocked by the account (document_block.list)")
	}
	earlier, err := w.DB.SessionsWithDocument(ctx, s.AccountID, d.DocIndex, s.ID)
	if err != nil {
		return err
	}
	limit := acc.DocumentVelocity // 0: no limit
	recent := 1
	var others []string
	since := w.Now().Add(-24 * time.Hour)
	for _, e := range earlier {
		if e.CreatedAt.After(since) {
			recent++
		}
		if e.Surname != "" && (!sameName(e.Surname, d.Surname) || !sameName(e.GivenNames, d.GivenNames) || e.DateOfBirth != d.DateOfBirth) {
			others = append(others, strconv.FormatInt(e.ID, 10))
		}
	}
	if len(others) > 0 {
		failWith(d, CheckDocumentReused, "other holders in sessions "+strings.Join(others, ", "))
	}
	if limit > 0 && recent > limit {
		failWith(d, CheckDocumentVelocity, fmt.Sprintf("%d sessions in 24 h, limit %d", recent, limit))
	}
	return nil
}

func sameName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// inspectImage looks at the document photo itself (package integrity): an
// editor's name in its metadata, no colour at all.
func inspectImage(ctx context.Context, d *database.SessionResult, front []byte) error {
	img, err := raster.Decode(ctx, front, 4)
	if err != nil {
		return nil // the document's own checks say what is wrong with it
	}
	small, err := img.Resized(600)
	if err != nil {
		return err
	}
	f := integrity.Inspect(front, small)
	if f.Editor != "" {
		failWith(d, CheckEditedImage, "metadata names "+f.Editor)
	}
	if f.Colour < integrity.GreyscaleColour {
		failWith(d, CheckPhotocopy, fmt.Sprintf("colour spread %.1f, limit %.0f", f.Colour, integrity.GreyscaleColour))
	}
	return nil
}
