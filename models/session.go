package models

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Session states (001_*, issue 7).
const (
	SessionCreated    = "CREATED"
	SessionUploading  = "UPLOADING"
	SessionProcessing = "PROCESSING"
	SessionApproved   = "APPROVED"
	SessionDeclined   = "DECLINED"
	SessionExpired    = "EXPIRED"
)

// SessionOpen tells whether uploads are still accepted in a state.
func SessionOpen(state string) bool { return state == SessionCreated || state == SessionUploading }

// Session is one identity verification: what the end user uploaded and what
// was read from it.
type Session struct {
	ID               int64  `gorm:"primaryKey"`
	AccountID        int64  `gorm:"not null;index:idx_session_account,priority:1"`
	TokenHash        []byte `gorm:"uniqueIndex;not null"`
	State            string `gorm:"size:12;not null"`
	Reference        string `gorm:"size:200;not null;default:'';index"`
	CallbackURL      string `gorm:"size:2048;not null;default:''"`
	CallbackDisabled bool   `gorm:"not null;default:false"` // the receiver answered 410 Gone
	FaceVerification bool   `gorm:"not null;default:false"`
	PassportOnly     bool   `gorm:"not null;default:false"`
	UserIP           string `gorm:"size:64;not null;default:''"`
	UserAgent        string `gorm:"size:512;not null;default:''"`

	// Read from the document (MRZ) and the faces.
	GivenNames     string `gorm:"size:200;not null;default:''"`
	Surname        string `gorm:"size:200;not null;default:''"`
	Nationality    string `gorm:"size:3;not null;default:''"`
	Sex            string `gorm:"size:1;not null;default:''"`
	DateOfBirth    string `gorm:"size:10;not null;default:''"`
	PersonalNumber string `gorm:"size:40;not null;default:''"`
	DocumentType   string `gorm:"size:20;not null;default:''"`
	DocumentNumber string `gorm:"size:40;not null;default:''"`
	ExpiryDate     string `gorm:"size:10;not null;default:''"`
	IssuingCountry string `gorm:"size:3;not null;default:''"`
	Issuer         string `gorm:"size:200;not null;default:''"`
	PortraitKey    string `gorm:"size:300;not null;default:''"`
	FaceKey        string `gorm:"size:300;not null;default:''"`
	FaceMatchScore *int
	Checks         string `gorm:"size:500;not null;default:''"` // comma-separated failed check codes

	ExpiresAt   time.Time `gorm:"not null;index"`
	SubmittedAt *time.Time
	FinishedAt  *time.Time
	DeletedAt   *time.Time // erased: personal data and images gone, the row kept for audit
	CreatedAt   time.Time
	UpdatedAt   time.Time
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
}

// HashToken is how session tokens are stored.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ErrStateConflict is returned when a session is not in a state that allows a change.
var ErrStateConflict = errors.New("session state does not allow this")

// CreateSession inserts a session and its first event inside tx.
func CreateSession(tx *gorm.DB, s *Session) error {
	if err := tx.Create(s).Error; err != nil {
		return err
	}
	return tx.Create(&SessionEvent{SessionID: s.ID, State: s.State, CreatedAt: s.CreatedAt}).Error
}

// GetSession loads a session of the account.
func (db *DB) GetSession(ctx context.Context, accountID, id int64) (*Session, error) {
	var s Session
	if err := db.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&s).Error; err != nil {
		return nil, notFound(err)
	}
	return &s, nil
}

// SessionByID loads a session for a worker.
func (db *DB) SessionByID(ctx context.Context, id int64) (*Session, error) {
	var s Session
	if err := db.WithContext(ctx).Take(&s, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &s, nil
}

// SessionByToken finds the live session a token opens.
func (db *DB) SessionByToken(ctx context.Context, token string) (*Session, error) {
	var s Session
	err := db.WithContext(ctx).Where("token_hash = ? AND deleted_at IS NULL", HashToken(token)).Take(&s).Error
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
	BeforeID         int64
	Limit            int
}

// ListSessions pages through an account's sessions, newest first.
func (db *DB) ListSessions(ctx context.Context, accountID int64, f SessionFilter) ([]Session, error) {
	q := db.WithContext(ctx).Where("account_id = ?", accountID)
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
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	var out []Session
	return out, q.Order("id DESC").Limit(f.Limit).Find(&out).Error
}

// SessionEvents lists a session's state changes, oldest first.
func (db *DB) SessionEvents(ctx context.Context, sessionID int64) ([]SessionEvent, error) {
	var out []SessionEvent
	return out, db.WithContext(ctx).Where("session_id = ?", sessionID).Order("id").Find(&out).Error
}

// SessionUploads lists a session's current uploads by kind.
func (db *DB) SessionUploads(ctx context.Context, sessionID int64) (map[string]SessionUpload, error) {
	var rows []SessionUpload
	if err := db.WithContext(ctx).Where("session_id = ?", sessionID).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]SessionUpload, len(rows))
	for _, r := range rows {
		out[r.Kind] = r
	}
	return out, nil
}

// LockSession reads a session inside tx, locking its row on PostgreSQL so
// concurrent state changes queue up (SQLite has one writer anyway).
func LockSession(tx *gorm.DB, id int64) (*Session, error) {
	var s Session
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&s, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &s, nil
}

// SetSessionState moves a locked session to state, records the event and
// applies the extra column changes.
func SetSessionState(tx *gorm.DB, s *Session, state string, at time.Time, reasons []string, fields map[string]any) error {
	if fields == nil {
		fields = map[string]any{}
	}
	fields["state"] = state
	fields["updated_at"] = at
	if err := tx.Model(&Session{}).Where("id = ?", s.ID).Updates(fields).Error; err != nil {
		return err
	}
	s.State = state
	return tx.Create(&SessionEvent{SessionID: s.ID, State: state, Reasons: strings.Join(reasons, ","), CreatedAt: at}).Error
}

// PutSessionUpload records (or replaces) an upload and returns the key it replaced, if any.
func PutSessionUpload(tx *gorm.DB, u *SessionUpload) (replaced string, err error) {
	var old SessionUpload
	err = tx.Where("session_id = ? AND kind = ?", u.SessionID, u.Kind).Take(&old).Error
	switch {
	case err == nil:
		replaced = old.Key
		err = tx.Model(&SessionUpload{}).Where("id = ?", old.ID).
			Updates(map[string]any{"key": u.Key, "size": u.Size, "updated_at": u.UpdatedAt}).Error
		u.ID = old.ID
		return replaced, err
	case errors.Is(err, gorm.ErrRecordNotFound):
		return "", tx.Create(u).Error
	default:
		return "", err
	}
}

// DueSessions lists open sessions past their expiry.
func (db *DB) DueSessions(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := db.WithContext(ctx).Model(&Session{}).
		Where("state IN ? AND expires_at <= ? AND deleted_at IS NULL", []string{SessionCreated, SessionUploading}, now).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}
