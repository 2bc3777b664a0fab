package database

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Session states.
const (
	SessionCreated    = "CREATED"
	SessionUploading  = "UPLOADING"
	SessionProcessing = "PROCESSING"
	SessionReview     = "REVIEW" // waiting for a person's decision (session.decide)
	SessionApproved   = "APPROVED"
	SessionDeclined   = "DECLINED"
	SessionExpired    = "EXPIRED"
)

// SessionStates lists the states in lifecycle order.
var SessionStates = []string{SessionCreated, SessionUploading, SessionProcessing, SessionReview, SessionApproved, SessionDeclined, SessionExpired}

// SessionOpen tells whether uploads are still accepted in a state.
func SessionOpen(state string) bool { return state == SessionCreated || state == SessionUploading }

// Session is one identity verification: what the end user uploaded and what
// was read from it.
type Session struct {
	// The list's order (newest first by creation, then id; by state or
	// reference or not) is an index of its own: at a million sessions a plain
	// account index sorts them all, and an id order walks every row newer
	// than a created_before bound.
	ID               int64  `gorm:"primaryKey;index:idx_session_account,priority:3;index:idx_session_state,priority:4;index:idx_sessions_reference,priority:4"`
	AccountID        int64  `gorm:"not null;index:idx_session_account,priority:1;index:idx_session_state,priority:1;index:idx_sessions_reference,priority:1"`
	TokenHash        []byte `gorm:"uniqueIndex;not null"`
	State            string `gorm:"size:12;not null;index:idx_session_state,priority:2"`
	Reference        string `gorm:"size:200;not null;default:'';index:idx_sessions_reference,priority:2"`
	CallbackURL      string `gorm:"size:2048;not null;default:''"`
	CallbackDisabled bool   `gorm:"not null;default:false"` // the receiver answered 410 Gone
	FaceVerification bool   `gorm:"not null;default:false"`
	PassportOnly     bool   `gorm:"not null;default:false"`
	MinAge           int    `gorm:"not null;default:0"` // UNDERAGE below it; 0: none
	// DocIndex is the account's keyed blind index of the document read
	// (issuing country, type, number: seal.Index), to find it again.
	DocIndex  string `gorm:"size:32;not null;default:'';index:idx_session_doc_index"`
	UserIP    string `gorm:"size:64;not null;default:''"`
	UserAgent string `gorm:"size:512;not null;default:''"`
	// Liveness is what proves a live person took the selfie: none (a
	// selfie upload), passive or active (frames with a challenge's steps).
	Liveness      string `gorm:"size:8;not null;default:''"`
	LivenessNonce string `gorm:"size:40;not null;default:''"`
	LivenessSteps string `gorm:"size:80;not null;default:''"` // comma-separated, in order
	// LivenessResult is the verdict as JSON (mode, passed, score, steps).
	LivenessResult string `gorm:"type:text;not null;default:''"`

	// Read from the document (MRZ) and the faces.
	GivenNames     string `gorm:"serializer:sealed;type:text;not null;default:''"`
	Surname        string `gorm:"serializer:sealed;type:text;not null;default:''"`
	Nationality    string `gorm:"size:3;not null;default:''"`
	Sex            string `gorm:"size:1;not null;default:''"`
	DateOfBirth    string `gorm:"serializer:sealed;type:text;not null;default:''"`
	PersonalNumber string `gorm:"serializer:sealed;type:text;not null;default:''"`
	DocumentType   string `gorm:"size:20;not null;default:''"`
	DocumentNumber string `gorm:"serializer:sealed;type:text;not null;default:''"`
	ExpiryDate     string `gorm:"size:10;not null;default:''"`
	IssuingCountry string `gorm:"size:3;not null;default:''"`
	Issuer         string `gorm:"size:200;not null;default:''"`
	PortraitKey    string `gorm:"size:300;not null;default:''"`
	FaceKey        string `gorm:"size:300;not null;default:''"`
	FaceMatchScore *int
	Checks         string `gorm:"size:500;not null;default:''"` // comma-separated failed check codes
	// What the document's printed zone shows for the MRZ's fields ("" where
	// it was not found): the other side of a MRZ_VIZ_MISMATCH.
	VIZSurname        string `gorm:"column:viz_surname;serializer:sealed;type:text;not null;default:''"`
	VIZGivenNames     string `gorm:"column:viz_given_names;serializer:sealed;type:text;not null;default:''"`
	VIZDocumentNumber string `gorm:"column:viz_document_number;serializer:sealed;type:text;not null;default:''"`
	VIZDateOfBirth    string `gorm:"column:viz_date_of_birth;serializer:sealed;type:text;not null;default:''"`
	// Evidence is what a failed check measured or found, by check, as JSON
	// {"CHECK": "text"} (sealed: it can hold an age or other sessions' ids).
	Evidence string `gorm:"serializer:sealed;type:text;not null;default:''"`

	ExpiresAt   time.Time `gorm:"not null;index"`
	SubmittedAt *time.Time
	FinishedAt  *time.Time
	DeletedAt   *time.Time // erased: personal data and images gone, the row kept for audit
	CreatedAt   time.Time  `gorm:"index:idx_session_account,priority:2;index:idx_session_state,priority:3;index:idx_sessions_reference,priority:3"`
	UpdatedAt   time.Time
}

// EvidenceMap is the evidence by check.
func (s *Session) EvidenceMap() map[string]string {
	out := map[string]string{}
	if s.Evidence != "" {
		_ = json.Unmarshal([]byte(s.Evidence), &out)
	}
	return out
}

// CheckList splits Checks.
func (s *Session) CheckList() []string {
	if s.Checks == "" {
		return []string{}
	}
	return strings.Split(s.Checks, ",")
}

// SessionUpload is one image the end user sent; a new upload of a kind replaces the old.
type SessionUpload struct {
	ID        int64  `gorm:"primaryKey"`
	SessionID int64  `gorm:"not null;uniqueIndex:idx_upload_kind,priority:1"`
	Kind      string `gorm:"size:20;not null;uniqueIndex:idx_upload_kind,priority:2"`
	Key       string `gorm:"size:300;not null"`
	Size      int64  `gorm:"not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SessionEvent records a state change.
type SessionEvent struct {
	ID        int64  `gorm:"primaryKey"`
	SessionID int64  `gorm:"not null;index"`
	State     string `gorm:"size:12;not null"`
	Reasons   string `gorm:"size:500;not null;default:''"`
	CreatedAt time.Time
	Comment   string `gorm:"size:2000;not null;default:''"` // a person's decision (session.decide)
}

// HashToken is how session tokens are stored.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ErrStateConflict is returned when a session is not in a state that allows a change.
var ErrStateConflict = errors.New("session state does not allow this")

// CreateSession inserts a session and its first event.
func (tx *Tx) CreateSession(s *Session) error {
	if err := tx.g.Create(s).Error; err != nil {
		return err
	}
	return tx.g.Create(&SessionEvent{SessionID: s.ID, State: s.State, CreatedAt: s.CreatedAt}).Error
}

// GetSession loads a session of the account.
func (db *DB) GetSession(ctx context.Context, accountID, id int64) (*Session, error) {
	if db.hot != nil {
		return db.hot.sessions.take(ctx, db.Pool, db.cols, "id = $1 AND account_id = $2", id, accountID)
	}
	var s Session
	if err := db.g.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&s).Error; err != nil {
		return nil, notFound(err)
	}
	return &s, nil
}

// SessionForErasure reads what erasing a session needs (state, image keys,
// whether it is erased already) and none of the sealed personal columns,
// which would be opened only to be thrown away.
func (db *DB) SessionForErasure(ctx context.Context, accountID, id int64) (*Session, error) {
	var s Session
	err := db.g.WithContext(ctx).Select("id", "account_id", "state", "portrait_key", "face_key", "deleted_at").
		Where("id = ? AND account_id = ?", id, accountID).Take(&s).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &s, nil
}

// SessionByID loads a session for a worker.
func (db *DB) SessionByID(ctx context.Context, id int64) (*Session, error) {
	var s Session
	if err := db.g.WithContext(ctx).Take(&s, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &s, nil
}

// SessionByToken finds the live session a token opens.
func (db *DB) SessionByToken(ctx context.Context, token string) (*Session, error) {
	var s Session
	err := db.g.WithContext(ctx).Where("token_hash = ? AND deleted_at IS NULL", HashToken(token)).Take(&s).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &s, nil
}

// SessionFilter narrows session.list.
type SessionFilter struct {
	State, Reference string
	CreatedAfter     *time.Time
	CreatedBefore    *time.Time
	// The page's position: rows after (BeforeAt, BeforeID) in the order;
	// a zero BeforeAt (a cursor from before the order had dates) bounds
	// the id alone.
	BeforeID int64
	BeforeAt time.Time
	Limit    int
}

// ListSessions pages through an account's sessions, newest first (by
// creation time, then id), so that a created_before bound is a range of
// the index rather than a filter over every newer row.
func (db *DB) ListSessions(ctx context.Context, accountID int64, f SessionFilter) ([]Session, error) {
	q := db.g.WithContext(ctx).Where("account_id = ?", accountID)
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.Reference != "" {
		q = q.Where("reference = ?", f.Reference)
	}
	if f.CreatedAfter != nil {
		q = q.Where("created_at >= ?", *f.CreatedAfter)
	}
	if f.CreatedBefore != nil {
		q = q.Where("created_at < ?", *f.CreatedBefore)
	}
	switch {
	case f.BeforeID > 0 && !f.BeforeAt.IsZero():
		q = q.Where("(created_at, id) < (?, ?)", f.BeforeAt.UTC(), f.BeforeID)
	case f.BeforeID > 0:
		q = q.Where("id < ?", f.BeforeID)
	}
	var out []Session
	return out, q.Order("created_at DESC, id DESC").Limit(f.Limit).Find(&out).Error
}

// SessionEvents lists a session's state changes, oldest first.
func (db *DB) SessionEvents(ctx context.Context, sessionID int64) ([]SessionEvent, error) {
	var out []SessionEvent
	return out, db.g.WithContext(ctx).Where("session_id = ?", sessionID).Order("id").Find(&out).Error
}

// SessionUploads lists a session's current uploads by kind.
func (db *DB) SessionUploads(ctx context.Context, sessionID int64) (map[string]SessionUpload, error) {
	var rows []SessionUpload
	if err := db.g.WithContext(ctx).Where("session_id = ?", sessionID).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]SessionUpload, len(rows))
	for _, r := range rows {
		out[r.Kind] = r
	}
	return out, nil
}

// LockSession reads a session, locking its row on PostgreSQL so concurrent
// state changes queue up (SQLite has one writer anyway).
func (tx *Tx) LockSession(id int64) (*Session, error) {
	var s Session
	if err := tx.g.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&s, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &s, nil
}

// LockSessionErased locks a session's row (as LockSession) and tells
// whether it is erased, reading nothing else.
func (tx *Tx) LockSessionErased(id int64) (bool, error) {
	var s Session
	if err := tx.g.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id", "deleted_at").Take(&s, id).Error; err != nil {
		return false, notFound(err)
	}
	return s.DeletedAt != nil, nil
}

// SessionResult is what processing read from the uploads, written when the
// session is decided.
type SessionResult struct {
	GivenNames, Surname, Nationality, Sex, DateOfBirth, PersonalNumber string
	DocumentType, DocumentNumber, ExpiryDate, IssuingCountry, Issuer   string
	PortraitKey, FaceKey                                               string
	FaceMatchScore                                                     *int
	Checks                                                             []string
	VIZSurname, VIZGivenNames, VIZDocumentNumber, VIZDateOfBirth       string // the printed zone's
	DocIndex                                                           string
	Evidence                                                           map[string]string // by check
	LivenessResult                                                     string            // JSON; "" when none ran
	LiveFrames                                                         []string          // the frames' digests, recorded with the decision
}

// SessionChange is what changes beside the state; nil fields stay as they are.
type SessionChange struct {
	UserIP, UserAgent *string
	SubmittedAt       *time.Time
	FinishedAt        *time.Time
	Result            *SessionResult
}

func (c SessionChange) columns() map[string]any {
	cols := map[string]any{}
	if c.UserIP != nil {
		cols["user_ip"] = *c.UserIP
	}
	if c.UserAgent != nil {
		cols["user_agent"] = *c.UserAgent
	}
	if c.SubmittedAt != nil {
		cols["submitted_at"] = *c.SubmittedAt
	}
	if c.FinishedAt != nil {
		cols["finished_at"] = *c.FinishedAt
	}
	if r := c.Result; r != nil {
		for k, v := range map[string]string{"given_names": r.GivenNames, "surname": r.Surname, "nationality": r.Nationality,
			"sex": r.Sex, "date_of_birth": r.DateOfBirth, "personal_number": r.PersonalNumber, "document_type": r.DocumentType,
			"document_number": r.DocumentNumber, "expiry_date": r.ExpiryDate, "issuing_country": r.IssuingCountry,
			"issuer": r.Issuer, "portrait_key": r.PortraitKey, "face_key": r.FaceKey, "viz_surname": r.VIZSurname,
			"viz_given_names": r.VIZGivenNames, "viz_document_number": r.VIZDocumentNumber, "viz_date_of_birth": r.VIZDateOfBirth,
			"doc_index": r.DocIndex, "liveness_result": r.LivenessResult} {
			cols[k] = v
		}
		cols["face_match_score"] = r.FaceMatchScore
		cols["evidence"] = ""
		if len(r.Evidence) > 0 {
			b, _ := json.Marshal(r.Evidence)
			cols["evidence"] = string(b)
		}
		cols["checks"] = strings.Join(r.Checks, ",")
	}
	return cols
}

// SetSessionState moves a locked session to state, records the event and
// applies the other changes.
func (tx *Tx) SetSessionState(s *Session, state string, at time.Time, reasons []string, change SessionChange) error {
	return tx.SetSessionStateWithComment(s, state, at, reasons, "", change)
}

// SetSessionStateWithComment is SetSessionState for a person's decision,
// whose comment the event keeps.
func (tx *Tx) SetSessionStateWithComment(s *Session, state string, at time.Time, reasons []string, comment string, change SessionChange) error {
	cols := change.columns()
	cols["state"] = state
	cols["updated_at"] = at
	if err := tx.g.Model(&Session{}).Where("id = ?", s.ID).Updates(cols).Error; err != nil {
		return err
	}
	s.State = state
	return tx.g.Create(&SessionEvent{SessionID: s.ID, State: state, Reasons: strings.Join(reasons, ","), Comment: comment, CreatedAt: at}).Error
}

// UpdateSession applies changes that leave the state as it is.
func (tx *Tx) UpdateSession(id int64, at time.Time, change SessionChange) error {
	cols := change.columns()
	cols["updated_at"] = at
	return tx.g.Model(&Session{}).Where("id = ?", id).Updates(cols).Error
}

// PutSessionUpload records (or replaces) an upload and returns the key it replaced, if any.
func (tx *Tx) PutSessionUpload(u *SessionUpload) (replaced string, err error) {
	var old SessionUpload
	err = tx.g.Where("session_id = ? AND kind = ?", u.SessionID, u.Kind).Take(&old).Error
	switch {
	case err == nil:
		replaced = old.Key
		err = tx.g.Model(&SessionUpload{}).Where("id = ?", old.ID).
			Updates(map[string]any{"key": u.Key, "size": u.Size, "updated_at": u.UpdatedAt}).Error
		u.ID = old.ID
		return replaced, err
	case errors.Is(err, gorm.ErrRecordNotFound):
		return "", tx.g.Create(u).Error
	default:
		return "", err
	}
}

// EraseSession drops a session's uploads and personal fields and replaces its
// token hash with one nobody holds; the row stays as an audit stub.
func (tx *Tx) EraseSession(id int64, at time.Time) error {
	if err := tx.g.Where("session_id = ?", id).Delete(&SessionUpload{}).Error; err != nil {
		return err
	}
	if err := tx.eraseFaces("session_id", id, at); err != nil {
		return err
	}
	if err := tx.g.Where("session_id = ?", id).Delete(&LiveFrame{}).Error; err != nil {
		return err
	}
	// A reviewer's comment may name the person.
	if err := tx.g.Model(&SessionEvent{}).Where("session_id = ?", id).Update("comment", "").Error; err != nil {
		return err
	}
	dead := make([]byte, 32)
	_, _ = rand.Read(dead)
	return tx.g.Model(&Session{}).Where("id = ?", id).Updates(map[string]any{
		"token_hash": dead, "user_ip": "", "user_agent": "", "given_names": "", "surname": "", "nationality": "",
		"sex": "", "date_of_birth": "", "personal_number": "", "document_number": "", "expiry_date": "",
		"portrait_key": "", "face_key": "", "face_match_score": nil, "viz_surname": "", "viz_given_names": "",
		"viz_document_number": "", "viz_date_of_birth": "", "doc_index": "", "evidence": "", "deleted_at": at, "updated_at": at,
	}).Error
}

// DueSessions lists open sessions past their expiry.
func (db *DB) DueSessions(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := db.g.WithContext(ctx).Model(&Session{}).
		Where("state IN ? AND expires_at <= ? AND deleted_at IS NULL", []string{SessionCreated, SessionUploading}, now).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// SessionsWithDocument lists the account's other sessions whose document
// has the blind index idx (erased ones keep none), newest first.
func (db *DB) SessionsWithDocument(ctx context.Context, accountID int64, idx string, excludeID int64) ([]Session, error) {
	var out []Session
	return out, db.g.WithContext(ctx).Where("account_id = ? AND doc_index = ? AND id <> ? AND deleted_at IS NULL", accountID, idx, excludeID).
		Order("id DESC").Limit(100).Find(&out).Error
}
