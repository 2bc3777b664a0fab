package database

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Verification statuses.
const (
	VerificationStarted     = "STARTED"
	VerificationSubmitted   = "SUBMITTED"
	VerificationInProgress  = "IN_PROGRESS"
	VerificationApproved    = "APPROVED"
	VerificationRejected    = "REJECTED"
	VerificationDoubleCheck = "DOUBLE_CHECK"
	VerificationCanceled    = "CANCELED"
	VerificationHold        = "HOLD"
)

// VerificationStatuses lists the statuses.
var VerificationStatuses = []string{VerificationStarted, VerificationSubmitted, VerificationInProgress, VerificationApproved,
	VerificationRejected, VerificationDoubleCheck, VerificationCanceled, VerificationHold}

// DecisionStatuses are the statuses a decision may set.
var DecisionStatuses = []string{VerificationApproved, VerificationRejected, VerificationDoubleCheck, VerificationHold}

// Document statuses: the API's values 1–7.
const (
	DocUploaded    = 1
	DocInProgress  = 2
	DocApproved    = 3
	DocRejected    = 4
	DocDoubleCheck = 5
	DocCanceled    = 6
	DocExtracted   = 7
)

// DocStatusLabels are the document statuses' labels, by status (1–7).
var DocStatusLabels = []string{"Uploaded", "In progress", "Approved", "Rejected", "Double check", "Canceled", "Extracted"}

// DocStatusLabel is the label of a document status ("" for none).
func DocStatusLabel(s int) string {
	if s < DocUploaded || s > DocExtracted {
		return ""
	}
	return DocStatusLabels[s-1]
}

// Verification groups the documents one person provides for a flow.
type Verification struct {
	ID        int64  `gorm:"primaryKey"`
	AccountID int64  `gorm:"not null;index"`
	Flow      string `gorm:"size:40;not null"`
	Status    string `gorm:"size:16;not null"`
	Reference string `gorm:"size:200;not null;default:''"`
	// Expected person data to compare the documents with (all optional).
	ExpectedGivenNames  string `gorm:"serializer:sealed;type:text;not null;default:''"`
	ExpectedSurname     string `gorm:"serializer:sealed;type:text;not null;default:''"`
	ExpectedDateOfBirth string `gorm:"serializer:sealed;type:text;not null;default:''"`
	ExpectedStreet      string `gorm:"serializer:sealed;type:text;not null;default:''"`
	ExpectedCity        string `gorm:"serializer:sealed;type:text;not null;default:''"`
	ExpectedState       string `gorm:"serializer:sealed;type:text;not null;default:''"`
	ExpectedZip         string `gorm:"serializer:sealed;type:text;not null;default:''"`
	ExpectedCountry     string `gorm:"size:2;not null;default:''"`
	SubmittedAt         *time.Time
	ErasedAt            *time.Time // images and personal fields erased; ids, states, times, reference and decisions kept
	FinishedAt          *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Document is one uploaded document of a verification.
type Document struct {
	ID             int64  `gorm:"primaryKey"`
	AccountID      int64  `gorm:"not null;index"`
	VerificationID int64  `gorm:"not null;uniqueIndex:idx_document_context,priority:1"`
	ContextType    string `gorm:"size:20;not null;uniqueIndex:idx_document_context,priority:2"`
	DocumentTypeID int64  `gorm:"not null"`
	Country        string `gorm:"size:2;not null"` // ISO alpha-2
	Status         int    `gorm:"not null"`
	FrontKey       string `gorm:"size:300;not null"`
	FrontType      string `gorm:"size:40;not null"` // image/jpeg, image/png, application/pdf
	BackKey        string `gorm:"size:300;not null;default:''"`
	BackType       string `gorm:"size:40;not null;default:''"`
	Checks         string `gorm:"size:500;not null;default:''"` // failed check codes from processing
	Descriptor     []byte `gorm:"serializer:sealed;type:bytes"` // face descriptor (128 float32), for the selfie comparison
	Revision       int    `gorm:"not null;default:1"`           // bumped by document.update; the reading job checks it
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ExtractedField is one value read from a document (or corrected by hand).
type ExtractedField struct {
	ID         int64  `gorm:"primaryKey"`
	DocumentID int64  `gorm:"not null;uniqueIndex:idx_extracted_key,priority:1"`
	Key        string `gorm:"size:60;not null;uniqueIndex:idx_extracted_key,priority:2"`
	Value      string `gorm:"serializer:sealed;type:text;not null"`
	Source     string `gorm:"size:10;not null"` // AUTOMATIC or MANUAL
	UpdatedAt  time.Time
}

// ExtractedChange audits a manual correction.
type ExtractedChange struct {
	ID         int64  `gorm:"primaryKey"`
	DocumentID int64  `gorm:"not null;index"`
	Key        string `gorm:"size:60;not null"`
	OldValue   string `gorm:"serializer:sealed;type:text;not null"`
	NewValue   string `gorm:"serializer:sealed;type:text;not null"`
	APIKeyID   int64  `gorm:"not null"`
	CreatedAt  time.Time
}

// Decision is an automatic or manual verdict on a verification or one of its documents.
type Decision struct {
	ID                 int64  `gorm:"primaryKey"`
	AccountID          int64  `gorm:"not null;index"`
	VerificationID     int64  `gorm:"not null;index"`
	DocumentID         int64  `gorm:"not null;default:0"` // 0: the verification as a whole
	Status             string `gorm:"size:16;not null"`
	ValidationWorkflow string `gorm:"size:10;not null"` // AUTOMATIC or MANUAL
	Comment            string `gorm:"size:2000;not null;default:''"`
	Reasons            string `gorm:"size:500;not null;default:''"`
	PreviousStatus     string `gorm:"size:16;not null;default:''"` // the verification's status before it
	APIKeyID           int64  `gorm:"not null;default:0"`
	CanceledAt         *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// ErrDuplicate is returned when a unique rule refuses a row (one document per
// context type of a verification).
var ErrDuplicate = errors.New("duplicate")

func duplicate(err error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return ErrDuplicate
	}
	return err
}

// GetVerification loads a verification of the account.
func (db *DB) GetVerification(ctx context.Context, accountID, id int64) (*Verification, error) {
	var v Verification
	if err := db.g.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&v).Error; err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}

// VerificationByID loads a verification for a worker.
func (db *DB) VerificationByID(ctx context.Context, id int64) (*Verification, error) {
	var v Verification
	if err := db.g.WithContext(ctx).Take(&v, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}

// CreateVerification inserts a verification.
func (tx *Tx) CreateVerification(v *Verification) error { return tx.g.Create(v).Error }

// LockVerification reads a verification of the account with a row lock (PostgreSQL).
func (tx *Tx) LockVerification(accountID, id int64) (*Verification, error) {
	var v Verification
	err := tx.g.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ? AND account_id = ?", id, accountID).Take(&v).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}

// LockVerificationByID is LockVerification for a worker.
func (tx *Tx) LockVerificationByID(id int64) (*Verification, error) {
	var v Verification
	if err := tx.g.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&v, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}

// ListVerifications pages through an account's verifications, newest first.
func (db *DB) ListVerifications(ctx context.Context, accountID int64, flow, status string, beforeID int64, limit int) ([]Verification, error) {
	q := db.g.WithContext(ctx).Where("account_id = ?", accountID)
	if flow != "" {
		q = q.Where("flow = ?", flow)
	}
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	var out []Verification
	return out, q.Order("id DESC").Limit(limit).Find(&out).Error
}

// SubmitVerification moves a locked verification to SUBMITTED.
func (tx *Tx) SubmitVerification(v *Verification, at time.Time) error {
	err := tx.g.Model(&Verification{}).Where("id = ?", v.ID).
		Updates(map[string]any{"status": VerificationSubmitted, "submitted_at": at, "updated_at": at}).Error
	if err == nil {
		v.Status, v.SubmittedAt, v.UpdatedAt = VerificationSubmitted, &at, at
	}
	return err
}

// CancelVerification cancels a locked verification and all its documents.
func (tx *Tx) CancelVerification(v *Verification, at time.Time) error {
	if err := tx.g.Model(&Verification{}).Where("id = ?", v.ID).
		Updates(map[string]any{"status": VerificationCanceled, "finished_at": at, "updated_at": at}).Error; err != nil {
		return err
	}
	if err := tx.g.Model(&Document{}).Where("verification_id = ?", v.ID).
		Updates(map[string]any{"status": DocCanceled, "updated_at": at}).Error; err != nil {
		return err
	}
	v.Status, v.FinishedAt, v.UpdatedAt = VerificationCanceled, &at, at
	return nil
}
