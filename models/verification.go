package models

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Verification statuses (002_*).
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

// Document statuses: the seed's API values 1–7.
const (
	DocUploaded    = 1
	DocInProgress  = 2
	DocApproved    = 3
	DocRejected    = 4
	DocDoubleCheck = 5
	DocCanceled    = 6
	DocExtracted   = 7
)

// DocStatusLabel is the seed's label of a document status.
func DocStatusLabel(s int) string {
	return map[int]string{1: "Uploaded", 2: "In progress", 3: "Approved", 4: "Rejected", 5: "Double check", 6: "Canceled", 7: "Extracted"}[s]
}

// Verification groups the documents one person provides for a flow.
type Verification struct {
	ID        int64  `gorm:"primaryKey"`
	AccountID int64  `gorm:"not null;index"`
	Flow      string `gorm:"size:40;not null"`
	Status    string `gorm:"size:16;not null"`
	Reference string `gorm:"size:200;not null;default:''"`
	// Expected person data to compare the documents with (all optional).
	ExpectedGivenNames  string `gorm:"size:200;not null;default:''"`
	ExpectedSurname     string `gorm:"size:200;not null;default:''"`
	ExpectedDateOfBirth string `gorm:"size:10;not null;default:''"`
	ExpectedStreet      string `gorm:"size:300;not null;default:''"`
	ExpectedCity        string `gorm:"size:200;not null;default:''"`
	ExpectedState       string `gorm:"size:100;not null;default:''"`
	ExpectedZip         string `gorm:"size:20;not null;default:''"`
	ExpectedCountry     string `gorm:"size:2;not null;default:''"`
	SubmittedAt         *time.Time
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
	Descriptor     []byte // face descriptor (128 float32), for the selfie comparison
	Revision       int    `gorm:"not null;default:1"` // bumped by document.update; the reading job checks it
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ExtractedField is one value read from a document (or corrected by hand).
type ExtractedField struct {
	ID         int64  `gorm:"primaryKey"`
	DocumentID int64  `gorm:"not null;uniqueIndex:idx_extracted_key,priority:1"`
	Key        string `gorm:"size:60;not null;uniqueIndex:idx_extracted_key,priority:2"`
	Value      string `gorm:"size:2000;not null"`
	Source     string `gorm:"size:10;not null"` // AUTOMATIC or MANUAL
	UpdatedAt  time.Time
}

// ExtractedChange audits a manual correction.
type ExtractedChange struct {
	ID         int64  `gorm:"primaryKey"`
	DocumentID int64  `gorm:"not null;index"`
	Key        string `gorm:"size:60;not null"`
	OldValue   string `gorm:"size:2000;not null"`
	NewValue   string `gorm:"size:2000;not null"`
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

// WebhookEndpoint receives an account's verification events.
type WebhookEndpoint struct {
	ID        int64  `gorm:"primaryKey"`
	AccountID int64  `gorm:"not null;index"`
	URL       string `gorm:"size:2048;not null"`
	Events    string `gorm:"size:500;not null;default:''"` // comma-separated; empty: all
	Disabled  bool   `gorm:"not null;default:false"`       // answered 410 Gone
	DeletedAt *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// GetVerification loads a verification of the account (accountID 0: workers, any account).
func (db *DB) GetVerification(ctx context.Context, accountID, id int64) (*Verification, error) {
	var v Verification
	q := db.WithContext(ctx).Where("id = ?", id)
	if accountID != 0 {
		q = q.Where("account_id = ?", accountID)
	}
	if err := q.Take(&v).Error; err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}

// LockVerification reads a verification inside tx with a row lock (PostgreSQL).
func LockVerification(tx *gorm.DB, accountID, id int64) (*Verification, error) {
	var v Verification
	q := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id)
	if accountID != 0 {
		q = q.Where("account_id = ?", accountID)
	}
	if err := q.Take(&v).Error; err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}

// ListVerifications pages through an account's verifications, newest first.
func (db *DB) ListVerifications(ctx context.Context, accountID int64, flow, status string, beforeID int64, limit int) ([]Verification, error) {
	q := db.WithContext(ctx).Where("account_id = ?", accountID)
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

// GetDocument loads a document of the account (accountID 0: workers, any account).
func (db *DB) GetDocument(ctx context.Context, accountID, id int64) (*Document, error) {
	var d Document
	q := db.WithContext(ctx).Where("id = ?", id)
	if accountID != 0 {
		q = q.Where("account_id = ?", accountID)
	}
	if err := q.Take(&d).Error; err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// Documents lists a verification's documents by id.
func (db *DB) Documents(ctx context.Context, verificationID int64) ([]Document, error) {
	var out []Document
	return out, db.WithContext(ctx).Where("verification_id = ?", verificationID).Order("id").Find(&out).Error
}

// Extracted returns a document's extracted values by key.
func (db *DB) Extracted(ctx context.Context, documentID int64) (map[string]ExtractedField, error) {
	var rows []ExtractedField
	if err := db.WithContext(ctx).Where("document_id = ?", documentID).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]ExtractedField, len(rows))
	for _, r := range rows {
		out[r.Key] = r
	}
	return out, nil
}

// SetExtracted writes values for a document (source AUTOMATIC or MANUAL) inside tx.
func SetExtracted(tx *gorm.DB, documentID int64, values map[string]string, source string, at time.Time) error {
	for k, v := range values {
		row := ExtractedField{DocumentID: documentID, Key: k, Value: v, Source: source, UpdatedAt: at}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "document_id"}, {Name: "key"}},
			DoUpdates: clause.AssignmentColumns([]string{"value", "source", "updated_at"}),
		}).Create(&row).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// ListDecisions lists an account's decisions on a verification (and optionally one document), newest first.
func (db *DB) ListDecisions(ctx context.Context, accountID, verificationID, documentID int64) ([]Decision, error) {
	q := db.WithContext(ctx).Where("account_id = ? AND verification_id = ?", accountID, verificationID)
	if documentID > 0 {
		q = q.Where("document_id = ?", documentID)
	}
	var out []Decision
	return out, q.Order("id DESC").Find(&out).Error
}

// GetDecision loads a decision of the account.
func (db *DB) GetDecision(ctx context.Context, accountID, id int64) (*Decision, error) {
	var d Decision
	if err := db.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&d).Error; err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// LiveEndpoints lists an account's endpoints that take deliveries.
func LiveEndpoints(tx *gorm.DB, accountID int64) ([]WebhookEndpoint, error) {
	var out []WebhookEndpoint
	return out, tx.Where("account_id = ? AND deleted_at IS NULL AND disabled = ?", accountID, false).Order("id").Find(&out).Error
}

// DisableEndpoint stops deliveries to an endpoint (410 Gone).
func (db *DB) DisableEndpoint(ctx context.Context, id int64) error {
	return db.WithContext(ctx).Model(&WebhookEndpoint{}).Where("id = ?", id).Update("disabled", true).Error
}

// GetEndpoint loads a live endpoint of the account.
func (db *DB) GetEndpoint(ctx context.Context, accountID, id int64) (*WebhookEndpoint, error) {
	var e WebhookEndpoint
	if err := db.WithContext(ctx).Where("id = ? AND account_id = ? AND deleted_at IS NULL", id, accountID).Take(&e).Error; err != nil {
		return nil, notFound(err)
	}
	return &e, nil
}
