package sessions

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/domain/faceindex"
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

// checkDocument reads the document and runs the checks on what it says
// (age, seen before) and on the image itself; it returns the holder's
// blind index (identityKeys).
func (w *Worker) checkDocument(ctx context.Context, d *database.SessionResult, s *database.Session, acc *database.Account, front, back []byte) (string, error) {
	if err := w.readDocument(ctx, d, s, front, back); err != nil {
		return "", err
	}
	if age := Age(d.DateOfBirth, w.Now()); s.MinAge > 0 && age >= 0 && age < s.MinAge {
		failWith(d, CheckUnderage, fmt.Sprintf("age %d, min_age %d", age, s.MinAge))
	}
	person, err := w.identityKeys(ctx, s.AccountID, d)
	if err != nil {
		return "", err
	}
	if err := w.seenBefore(ctx, s, acc, d); err != nil {
		return "", err
	}
	return person, inspectImage(ctx, d, front)
}

// seenBefore looks the document up among the account's other sessions by
// its blind index: another name or birth date with the same document is
// DOCUMENT_REUSED; more sessions in 24 h than the account allows (this one
// counted; no limit unless it sets one) is DOCUMENT_VELOCITY. d.DocIndex
// is set (identityKeys); without it there is nothing to look for.
func (w *Worker) seenBefore(ctx context.Context, s *database.Session, acc *database.Account, d *database.SessionResult) error {
	if d.DocIndex == "" {
		return nil
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

// identityKeys opens the account's blind-index key once and sets the
// document's index on d (kept on the session); it returns the index of the
// holder's name and birth date (kept with the face). Either is "" when the
// document did not give it, or the worker has no key.
func (w *Worker) identityKeys(ctx context.Context, accountID int64, d *database.SessionResult) (person string, err error) {
	h := faceindex.Holder{Country: d.IssuingCountry, DocType: d.DocumentType, Number: d.DocumentNumber,
		Surname: d.Surname, GivenNames: d.GivenNames, BirthDate: d.DateOfBirth}
	if w.Index == nil || !h.Known() {
		return "", nil
	}
	x, err := w.Index(ctx, accountID)
	if err != nil {
		return "", err
	}
	d.DocIndex, person, err = h.Keys(x)
	return person, err
}

func sameName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// inspectImage looks at the document photo itself (package integrity): an
// editor's name in its metadata, no colour at all, a screen's pixel grid.
func inspectImage(ctx context.Context, d *database.SessionResult, front []byte) error {
	img, err := raster.Decode(ctx, front, 4)
	if err != nil {
		return nil // the document's own checks say what is wrong with it
	}
	small, err := img.Resized(600)
	if err != nil {
		return err
	}
	// The spectrum needs the pixels as the camera gave them: a JPEG's
	// brightness at full size, else the whole decode's (a PNG's first
	// decode is whole already).
	full, ok, err := raster.DecodeGray(ctx, front, math.MaxInt32)
	if err != nil {
		return nil
	}
	if !ok {
		whole := img
		if hdr, err := raster.CheckUpload(front); err != nil || max(hdr.Width, hdr.Height) != max(img.W, img.H) {
			if whole, err = raster.Decode(ctx, front, 1); err != nil {
				return nil
			}
		}
		full = integrity.Brightness(whole)
	}
	f := integrity.Inspect(front, small, full)
	if f.Editor != "" {
		failWith(d, CheckEditedImage, "metadata names "+f.Editor)
	}
	if f.Colour < integrity.GreyscaleColour {
		failWith(d, CheckPhotocopy, fmt.Sprintf("colour spread %.1f, limit %.0f", f.Colour, integrity.GreyscaleColour))
	}
	if f.Screen > integrity.ScreenLimit {
		failWith(d, CheckScreenCapture, fmt.Sprintf("spectrum peaks %.2f, limit %.1f", f.Screen, integrity.ScreenLimit))
	}
	return nil
}

// inspectPortrait looks for a portrait pasted onto a JPEG page
// (integrity.PastedPortrait): box is the portrait found, in the picture's
// pixels. A file with an EXIF turn is left alone: its coefficients lie in
// the file's orientation, the box in the turned picture's.
func inspectPortrait(ctx context.Context, d *database.SessionResult, front []byte, box image.Rectangle) error {
	if raster.Sniff(front) != "jpeg" {
		return nil
	}
	if o, _ := raster.Probe(front); o > 1 {
		return nil
	}
	c, ok, err := raster.LumaCoefficients(ctx, front)
	if err != nil || !ok {
		return ctx.Err() // a file libjpeg stops on says nothing of a paste
	}
	p := integrity.PastedPortrait(c, box)
	if !p.Suspected() {
		return nil
	}
	evidence := fmt.Sprintf("portrait not saved with the page: %.2f of its coefficients where the page's earlier JPEG save left none (page %.2f, limit %.2f)",
		p.Inside, p.Outside, integrity.PasteLimit)
	if earlier := d.Evidence[CheckEditedImage]; earlier != "" {
		evidence = earlier + "; " + evidence
	}
	failWith(d, CheckEditedImage, evidence)
	return nil
}
