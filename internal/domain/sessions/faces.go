package sessions

import (
	"context"
	"errors"
	"strings"

	"github.com/veridoc/veridoc/internal/domain/faceindex"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/vision/faces"
)

// Errors of the face block list.
var (
	ErrFaceBlockNotFound = fault.Declare("FaceBlockNotFound", fault.NotFound)
	ErrNoFace            = fault.Declare("SessionHasNoFace", fault.Conflict)
)

// facesSeen looks the session's faces (selfie and portrait) up among the
// account's: a blocked face is FACE_BLOCKED; a face of an earlier session
// or verification with another identity (neither the same document nor the
// same name and birth date: person is the latter's blind index) is
// FACE_SEEN_BEFORE. It returns the face to keep for later sessions: the
// selfie, else the portrait.
func (w *Worker) facesSeen(ctx context.Context, s *database.Session, d *database.SessionResult, person string, shots ...*faces.FaceShot) (*database.Face, error) {
	var ds [][128]float32
	for _, f := range shots {
		if f != nil {
			ds = append(ds, f.Descriptor)
		}
	}
	if w.Faces == nil || len(ds) == 0 {
		return nil, nil
	}
	found, err := w.Faces.Search(ctx, s.AccountID, faceindex.SeenDistance, ds...)
	if err != nil {
		return nil, err
	}
	screened := faceindex.Screen(found, faceindex.Owner{SessionID: s.ID, DocKey: d.DocIndex, PersonKey: person})
	if len(screened.Blocked) > 0 {
		failWith(d, CheckFaceBlocked, strings.Join(screened.Blocked, ", "))
	}
	if len(screened.Seen) > 0 {
		failWith(d, CheckFaceSeenBefore, strings.Join(screened.Seen, ", "))
	}
	return &database.Face{AccountID: s.AccountID, SessionID: s.ID, Descriptor: database.EncodeDescriptor(ds[0]),
		DocKey: d.DocIndex, PersonKey: person}, nil
}

// BlockFace blocks the face a session left: the account's later sessions
// with a face near it fail FACE_BLOCKED. The block keeps its own copy of
// the descriptor, so erasing the session does not lift it.
func (sv *Service) BlockFace(ctx context.Context, accountID, sessionID int64, reason string) (*database.Face, error) {
	s, err := sv.DB.GetSession(ctx, accountID, sessionID)
	if errors.Is(err, database.ErrNotFound) {
		return nil, ErrNotFound.New("No session found with id: %d", sessionID)
	}
	if err != nil {
		return nil, err
	}
	f, err := sv.DB.SessionFace(ctx, accountID, s.ID)
	if errors.Is(err, database.ErrNotFound) {
		return nil, ErrNoFace.New("Session %d kept no face to block (it is %s, or erased)", s.ID, s.State)
	}
	if err != nil {
		return nil, err
	}
	b, err := faceindex.NewBlock(f, reason, sv.Now())
	if err != nil {
		return nil, err
	}
	return b, sv.DB.CreateFace(ctx, b)
}

// UnblockFace removes one of the account's face blocks.
func (sv *Service) UnblockFace(ctx context.Context, accountID, id int64) error {
	if err := sv.DB.DeleteFaceBlock(ctx, accountID, id, sv.Now()); errors.Is(err, database.ErrNotFound) {
		return ErrFaceBlockNotFound.New("No face block found with id: %d", id)
	} else if err != nil {
		return err
	}
	return nil
}
