// Package sessions holds the rules of identity-verification sessions: opening
// one, the end user's uploads and submit, expiry and erasure (Service), and
// the job that decides a submitted session: read the document's MRZ, find the
// portrait and the selfie face, compare them, decide, and notify the
// integrator. State changes go through Transition so every one is recorded
// and called back.
package sessions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/veridoc/veridoc/internal/domain/callbacks"
	"github.com/veridoc/veridoc/internal/domain/country"
	"github.com/veridoc/veridoc/internal/domain/faceindex"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/vision/aamva"
	"github.com/veridoc/veridoc/internal/vision/docread"
	"github.com/veridoc/veridoc/internal/vision/engines"
	"github.com/veridoc/veridoc/internal/vision/faces"
)

// Upload kinds.
const (
	DocumentFront = "document_front"
	DocumentBack  = "document_back"
	Selfie        = "selfie"
)

// UploadKinds lists the kinds of session.upload (liveness frames are an
// upload of their own kind, Liveness).
var UploadKinds = []string{DocumentFront, DocumentBack, Selfie, Liveness}

// Check codes: why a session was declined.
const (
	CheckDocumentMissing = "DOCUMENT_MISSING"
	CheckMRZNotFound     = "MRZ_NOT_FOUND"
	CheckMRZCheckDigit   = "MRZ_CHECK_DIGIT"
	CheckMRZCode         = "MRZ_CODE_INVALID" // the issuing state or nationality is no ICAO 9303 code
	// CheckMRZVIZMismatch: the printed zone shows a name near the MRZ's but
	// not it, while it shows the rest of the name.
	CheckMRZVIZMismatch = "MRZ_VIZ_MISMATCH"
	// CheckFormatUnsupported: an MRZ in a layout not read (not ICAO's, nor
	// the French card of 1988–2021), refused rather than misread.
	CheckFormatUnsupported   = "DOCUMENT_FORMAT_UNSUPPORTED"
	CheckDocumentExpired     = "DOCUMENT_EXPIRED"
	CheckDocumentTypeRefused = "DOCUMENT_TYPE_NOT_ALLOWED"
	CheckNoFaceOnDocument    = "NO_FACE_ON_DOCUMENT"
	CheckSelfieMissing       = "SELFIE_MISSING"
	CheckNoFaceOnSelfie      = "NO_FACE_ON_SELFIE"
	CheckFaceMismatch        = "FACE_MISMATCH"
	// CheckUnderage: the document's holder is younger than the session's
	// min_age on the day the session is decided.
	CheckUnderage = "UNDERAGE"
	// CheckDocumentReused: the account saw this document (same issuer, type
	// and number) in another session with another name or birth date.
	CheckDocumentReused = "DOCUMENT_REUSED"
	// CheckDocumentVelocity: this document opened more sessions in 24 h than
	// the account allows (account.update {document_velocity}; 0, the
	// default, sets no limit).
	CheckDocumentVelocity = "DOCUMENT_VELOCITY"
	// CheckDocumentBlocked: the account blocked this document (document_block.create).
	CheckDocumentBlocked = "DOCUMENT_BLOCKED"
	// CheckEditedImage: the document photo names an image editor in its
	// metadata; CheckPhotocopy: it has no colour; CheckScreenCapture: it
	// shows a screen's pixel grid (package integrity).
	CheckEditedImage   = "EDITED_IMAGE_SUSPECTED"
	CheckPhotocopy     = "PHOTOCOPY_SUSPECTED"
	CheckScreenCapture = "SCREEN_CAPTURE_SUSPECTED"
	// CheckFaceSeenBefore: the selfie or portrait is the face of an earlier
	// session or verification of the account under another identity;
	// CheckFaceBlocked: it is a face the account blocked (face_block.create).
	CheckFaceSeenBefore = "FACE_SEEN_BEFORE"
	CheckFaceBlocked    = "FACE_BLOCKED"
)

// Checks lists every check a session can fail.
var Checks = []string{CheckDocumentMissing, CheckMRZNotFound, CheckFormatUnsupported, CheckMRZCheckDigit, CheckMRZCode, CheckMRZVIZMismatch, CheckDocumentExpired, CheckDocumentTypeRefused,
	CheckNoFaceOnDocument, CheckSelfieMissing, CheckNoFaceOnSelfie, CheckFaceMismatch, CheckUnderage, CheckDocumentReused, CheckDocumentVelocity, CheckDocumentBlocked,
	CheckEditedImage, CheckPhotocopy, CheckScreenCapture, CheckFaceSeenBefore, CheckFaceBlocked, CheckLivenessFailed, CheckPresentationAttack}

// Event is the callback body: flat, like every API object.
type Event struct {
	Type      string `json:"type"` // "session." + lower-case state
	Timestamp string `json:"timestamp"`
	SessionID int64  `json:"session_id"`
	State     string `json:"state"`
	Reference string `json:"reference,omitempty"`
}

// CallbackStates are the states whose callbacks integrators receive; the
// event type is "session." + the state in lower case.
var CallbackStates = []string{database.SessionUploading, database.SessionProcessing, database.SessionReview, database.SessionApproved,
	database.SessionDeclined, database.SessionExpired}

// Transition moves a session (locked in tx) to state, records the event and,
// when the session has a live callback URL, queues the signed callback.
func Transition(ctx context.Context, q jobs.Queue, tx *database.Tx, s *database.Session, state string, now time.Time, reasons []string, change database.SessionChange) error {
	return transition(ctx, q, tx, s, state, now, reasons, "", change)
}

// transition is Transition with a person's comment for the event.
func transition(ctx context.Context, q jobs.Queue, tx *database.Tx, s *database.Session, state string, now time.Time, reasons []string, comment string,
	change database.SessionChange) error {
	if err := tx.SetSessionStateWithComment(s, state, now, reasons, comment, change); err != nil {
		return err
	}
	if s.CallbackURL == "" || s.CallbackDisabled {
		return nil
	}
	body, err := json.Marshal(Event{Type: "session." + strings.ToLower(state), Timestamp: now.UTC().Format(time.RFC3339),
		SessionID: s.ID, State: state, Reference: s.Reference})
	if err != nil {
		return err
	}
	return callbacks.Enqueue(ctx, q, tx, &database.Callback{AccountID: s.AccountID, Subject: database.SubjectSession,
		SubjectID: s.ID, Event: "session." + strings.ToLower(state), URL: s.CallbackURL, Payload: string(body)})
}

// Keys of the images a session keeps.
func UploadKey(sessionID int64, kind, token string) string {
	return fmt.Sprintf("sessions/%d/%s-%s", sessionID, kind, token)
}

// PortraitKey and FaceKey are the crops processing stores.
func PortraitKey(sessionID int64) string { return fmt.Sprintf("sessions/%d/portrait.jpg", sessionID) }
func FaceKey(sessionID int64) string     { return fmt.Sprintf("sessions/%d/face.jpg", sessionID) }

// Args is the processing job of a submitted session.
type Args struct {
	SessionID int64 `json:"session_id"`
}

// Kind names the job.
func (Args) Kind() string { return "session.process" }

// Worker processes submitted sessions.
type Worker struct {
	river.WorkerDefaults[Args]
	DB      *database.DB
	Store   objectstore.Store
	Queue   jobs.Queue
	Engines *engines.Set
	Now     func() time.Time
	// Index is the account's blind index of documents; nil: documents are
	// not looked for again.
	Index func(ctx context.Context, accountID int64) (*seal.Index, error)
	// Faces is this process's copy of the accounts' faces; nil: faces are
	// not looked for again.
	Faces *faceindex.Index
}

// Timeout bounds one attempt.
func (w *Worker) Timeout(*river.Job[Args]) time.Duration { return jobs.MaxJobTimeout }

// Work decides a session once: anything not PROCESSING is left alone, so a
// retried job cannot decide twice.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	s, err := w.DB.SessionByID(ctx, job.Args.SessionID)
	if errors.Is(err, database.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if s.State != database.SessionProcessing || s.DeletedAt != nil {
		return nil
	}
	// The account once: its sandbox flag, document velocity and policy.
	acc, err := w.DB.GetAccount(ctx, s.AccountID)
	if err != nil {
		return err
	}
	d, sandboxState := w.sandboxResult(s, acc)
	var face *database.Face // kept for the account's later sessions
	if d == nil {
		uploads, err := w.DB.SessionUploads(ctx, s.ID)
		if err != nil {
			return err
		}
		if d, face, err = w.decide(ctx, s, acc, uploads); err != nil {
			return err
		}
	}
	state := PolicyOf(acc).State(d.Checks)
	if sandboxState == database.SessionReview {
		state = database.SessionReview
	}
	return w.DB.InTx(ctx, func(tx *database.Tx) error {
		locked, err := tx.LockSession(s.ID)
		if err != nil {
			return err
		}
		if locked.State != database.SessionProcessing || locked.DeletedAt != nil {
			return nil
		}
		now := w.Now()
		if face != nil {
			face.CreatedAt, face.UpdatedAt = now, now
			if err := tx.CreateFace(face); err != nil {
				return err
			}
		}
		if err := tx.AddLiveFrames(s.AccountID, s.ID, d.LiveFrames, now); err != nil {
			return err
		}
		change := database.SessionChange{FinishedAt: &now, Result: d}
		if state == database.SessionReview {
			change.FinishedAt = nil // not finished: a person decides it
		}
		return Transition(ctx, w.Queue, tx, locked, state, now, d.Checks, change)
	})
}

func fail(d *database.SessionResult, code string) { d.Checks = append(d.Checks, code) }

// failWith fails a check and keeps what it found.
func failWith(d *database.SessionResult, code, evidence string) {
	fail(d, code)
	if d.Evidence == nil {
		d.Evidence = map[string]string{}
	}
	d.Evidence[code] = evidence
}

// decide reads the uploads and lists every check that failed; it returns
// the face to keep for the account's later sessions, if any.
func (w *Worker) decide(ctx context.Context, s *database.Session, acc *database.Account, uploads map[string]database.SessionUpload) (*database.SessionResult, *database.Face, error) {
	d := &database.SessionResult{}
	read := func(kind string) ([]byte, error) { return objectstore.ReadAll(ctx, w.Store, uploads[kind].Key) }
	front, err := read(DocumentFront)
	if err != nil {
		return nil, nil, err
	}
	back, err := read(DocumentBack)
	if err != nil {
		return nil, nil, err
	}
	var selfie []byte
	if s.Liveness == LivenessPassive || s.Liveness == LivenessActive {
		// The frames' best frontal frame is the selfie.
		selfie, err = w.checkLiveness(ctx, s, d, uploads[Liveness])
	} else {
		selfie, err = read(Selfie)
	}
	if err != nil {
		return nil, nil, err
	}
	engine, err := w.Engines.Faces()
	if err != nil {
		return nil, nil, err
	}

	var person string // the holder's blind index, kept with the face
	if front == nil {
		fail(d, CheckDocumentMissing)
	} else if person, err = w.checkDocument(ctx, d, s, acc, front, back); err != nil {
		return nil, nil, err
	}
	var portrait *faces.FaceShot
	if front != nil {
		portrait, err = engine.MainFace(ctx, front)
		if err != nil {
			// No face, or an image libvips cannot read: no usable portrait either way.
			fail(d, CheckNoFaceOnDocument)
		} else {
			if err := w.put(ctx, PortraitKey(s.ID), portrait.Crop); err != nil {
				return nil, nil, err
			}
			d.PortraitKey = PortraitKey(s.ID)
			if err := inspectPortrait(ctx, d, front, portrait.Box); err != nil {
				return nil, nil, err
			}
		}
	}
	var face *faces.FaceShot
	switch {
	case selfie == nil && s.FaceVerification:
		fail(d, CheckSelfieMissing)
	case selfie != nil:
		face, err = engine.MainFace(ctx, selfie, 1024)
		if err != nil {
			if s.FaceVerification {
				fail(d, CheckNoFaceOnSelfie)
			}
			face = nil
		} else {
			if err := w.put(ctx, FaceKey(s.ID), face.Crop); err != nil {
				return nil, nil, err
			}
			d.FaceKey = FaceKey(s.ID)
		}
	}
	if portrait != nil && face != nil {
		dist := faces.Distance(portrait.Descriptor, face.Descriptor)
		score := faces.MatchScore(dist)
		d.FaceMatchScore = &score
		if s.FaceVerification && dist >= faces.MatchThreshold {
			fail(d, CheckFaceMismatch)
		}
	}
	kept, err := w.facesSeen(ctx, s, d, person, face, portrait)
	if err != nil {
		return nil, nil, err
	}
	return d, kept, nil
}

// readDocument reads the MRZ from the front, or the back (ID cards carry it
// there); without one, the PDF417 of a US or Canadian licence or ID card.
func (w *Worker) readDocument(ctx context.Context, d *database.SessionResult, s *database.Session, front, back []byte) error {
	// A back with a PDF417 is a licence or ID card: no MRZ search needed.
	if l := w.readBarcode(ctx, back); l != nil {
		w.fillLicence(d, s, l)
		return nil
	}
	best, err := w.Engines.Reader().BestMRZ(ctx, front, back)
	if best == nil {
		if l := w.readBarcode(ctx, front); l != nil {
			w.fillLicence(d, s, l)
			return nil
		}
		if errors.Is(err, docread.ErrUnsupported) {
			fail(d, CheckFormatUnsupported)
			return nil
		}
		fail(d, CheckMRZNotFound)
		return nil
	}
	// The printed zone: a second opinion on the names and the number
	// (repairs go into best), and a mismatch is a check.
	viz, err := w.Engines.Reader().CheckVIZ(ctx, best)
	if err != nil {
		return err
	}
	if viz != nil {
		dst := map[string]*string{"surname": &d.VIZSurname, "given_names": &d.VIZGivenNames,
			"document_number": &d.VIZDocumentNumber, "birth_date": &d.VIZDateOfBirth}
		for _, f := range viz.Fields {
			if p := dst[f.Name]; p != nil {
				*p = f.VIZ
			}
		}
		if viz.Mismatch() {
			fail(d, CheckMRZVIZMismatch)
		}
	}
	m := best.Result
	docType := "OTHER"
	switch m.DocumentCode[0] {
	case 'P':
		docType = "PASSPORT"
	case 'I', 'A', 'C':
		docType = "ID_CARD"
	case 'V':
		docType = "VISA"
	}
	issuing := country.FromMRZ(m.IssuingCountry)
	issuer := issuing
	if c, ok := country.Lookup(m.IssuingCountry); ok {
		issuer = c.Name
	}
	d.GivenNames, d.Surname, d.Nationality, d.Sex = m.GivenNames, m.Surname, country.FromMRZ(m.Nationality), m.Sex
	d.DateOfBirth, d.PersonalNumber, d.DocumentType = m.BirthDate, m.PersonalNumber, docType
	d.DocumentNumber, d.ExpiryDate, d.IssuingCountry, d.Issuer = m.DocumentNumber, m.ExpiryDate, issuing, issuer
	if m.DigitsFailed() {
		fail(d, CheckMRZCheckDigit)
	}
	if m.CodeFailed() {
		fail(d, CheckMRZCode)
	}
	if m.Expired(w.Now()) {
		fail(d, CheckDocumentExpired)
	}
	if s.PassportOnly && docType != "PASSPORT" {
		fail(d, CheckDocumentTypeRefused)
	}
	return nil
}

func (w *Worker) put(ctx context.Context, key string, b []byte) error {
	return w.Store.Put(ctx, key, bytes.NewReader(b), int64(len(b)), "image/jpeg")
}

// ExpireArgs is the periodic job that expires open sessions past their lifetime.
type ExpireArgs struct{}

// Kind names the job.
func (ExpireArgs) Kind() string { return "session.expire" }

// ExpireWorker runs ExpireArgs.
type ExpireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	DB    *database.DB
	Queue jobs.Queue
	Now   func() time.Time
}

// Work expires every due session, each in its own transaction.
func (w *ExpireWorker) Work(ctx context.Context, _ *river.Job[ExpireArgs]) error {
	for {
		ids, err := w.DB.DueSessions(ctx, w.Now(), 100)
		if err != nil || len(ids) == 0 {
			return err
		}
		for _, id := range ids {
			if err := Expire(ctx, w.DB, w.Queue, id, w.Now()); err != nil {
				return err
			}
		}
	}
}

// Expire moves an open session past its lifetime to EXPIRED (a no-op otherwise).
func Expire(ctx context.Context, db *database.DB, q jobs.Queue, id int64, now time.Time) error {
	return db.InTx(ctx, func(tx *database.Tx) error {
		s, err := tx.LockSession(id)
		if err != nil {
			return err
		}
		if !database.SessionOpen(s.State) || now.Before(s.ExpiresAt) || s.DeletedAt != nil {
			return nil
		}
		return Transition(ctx, q, tx, s, database.SessionExpired, now, []string{"LIFETIME_ENDED"}, database.SessionChange{})
	})
}

// Periodic schedules the expiry sweep every minute.
func Periodic() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
			return ExpireArgs{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}

// readBarcode reads an AAMVA licence from the first side that has one.
func (w *Worker) readBarcode(ctx context.Context, sides ...[]byte) *aamva.License {
	for _, side := range sides {
		if side == nil {
			continue
		}
		if r, err := w.Engines.Reader().ReadBarcode(ctx, side); err == nil && r.License != nil {
			return r.License
		}
	}
	return nil
}

// fillLicence fills the session as for a passport: the document type is
// DRIVER_LICENSE or ID_CARD, the issuer the state or province.
func (w *Worker) fillLicence(d *database.SessionResult, s *database.Session, l *aamva.License) {
	d.GivenNames, d.Surname, d.Sex = l.GivenNames(), l.FamilyName, l.Sex
	if !l.BirthDate.IsZero() {
		d.DateOfBirth = l.BirthDate.Format("2006-01-02")
	}
	d.DocumentType = "DRIVER_LICENSE"
	if l.IDCard() {
		d.DocumentType = "ID_CARD"
	}
	d.DocumentNumber, d.IssuingCountry, d.Issuer = l.Number, l.Country, l.Jurisdiction.Name
	if !l.ExpiryDate.IsZero() {
		d.ExpiryDate = l.ExpiryDate.Format("2006-01-02")
	}
	if l.ExpiryDate.IsZero() || !l.ExpiryDate.After(w.Now()) {
		fail(d, CheckDocumentExpired)
	}
	if s.PassportOnly {
		fail(d, CheckDocumentTypeRefused)
	}
}

// Age is how many whole years old someone born on birth (YYYY-MM-DD) is on
// now's date (UTC); -1 when birth is not a date. Someone born on 29
// February comes of age on 1 March in a common year.
func Age(birth string, now time.Time) int {
	b, err := time.Parse("2006-01-02", birth)
	if err != nil {
		return -1
	}
	now = now.UTC()
	age := now.Year() - b.Year()
	if now.Month() < b.Month() || (now.Month() == b.Month() && now.Day() < b.Day()) {
		age--
	}
	return age
}
