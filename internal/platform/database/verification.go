package database

import (
	"context"
	"errors"
	"strings"
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

// VerificationStatuses lists the statuses.
var VerificationStatuses = []string{VerificationStarted, VerificationSubmitted, VerificationInProgress, VerificationApproved,
	VerificationRejected, VerificationDoubleCheck, VerificationCanceled, VerificationHold}

// DecisionStatuses are the statuses a decision may set.
var DecisionStatuses = []string{VerificationApproved, VerificationRejected, VerificationDoubleCheck, VerificationHold}

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

// GetDocument loads a document of the account.
func (db *DB) GetDocument(ctx context.Context, accountID, id int64) (*Document, error) {
	var d Document
	if err := db.g.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&d).Error; err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// DocumentByID loads a document for a worker.
func (db *DB) DocumentByID(ctx context.Context, id int64) (*Document, error) {
	var d Document
	if err := db.g.WithContext(ctx).Take(&d, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// DocumentByID re-reads a document inside the transaction.
func (tx *Tx) DocumentByID(id int64) (*Document, error) {
	var d Document
	if err := tx.g.Take(&d, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// Documents lists a verification's documents by id.
func (db *DB) Documents(ctx context.Context, verificationID int64) ([]Document, error) {
	var out []Document
	return out, db.g.WithContext(ctx).Where("verification_id = ?", verificationID).Order("id").Find(&out).Error
}

// CountDocuments counts a verification's documents.
func (db *DB) CountDocuments(ctx context.Context, verificationID int64) (int, error) {
	var n int64
	err := db.g.WithContext(ctx).Model(&Document{}).Where("verification_id = ?", verificationID).Count(&n).Error
	return int(n), err
}

// HasDocument tells whether a verification already has a document of a context type.
func (db *DB) HasDocument(ctx context.Context, verificationID int64, contextType string) (bool, error) {
	var n int64
	err := db.g.WithContext(ctx).Model(&Document{}).Where("verification_id = ? AND context_type = ?", verificationID, contextType).Count(&n).Error
	return n > 0, err
}

// ContextTypes lists the context types a verification has documents of.
func (tx *Tx) ContextTypes(verificationID int64) ([]string, error) {
	var have []string
	return have, tx.g.Model(&Document{}).Where("verification_id = ?", verificationID).Pluck("context_type", &have).Error
}

// CreateDocument inserts a document; ErrDuplicate when its context type is taken.
func (tx *Tx) CreateDocument(d *Document) error { return duplicate(tx.g.Create(d).Error) }

// DocumentChange is document.update's new values; nil fields stay.
type DocumentChange struct {
	ContextType         string
	DocumentTypeID      int64
	Country             string
	FrontKey, FrontType *string
	BackKey, BackType   *string
	Status              *int
	At                  time.Time
}

// UpdateUploadedDocument applies a change while the document is still
// Uploaded and bumps its revision, so a reading job already running drops its
// result. It reports false when the document left Uploaded meanwhile, and
// ErrDuplicate when the new context type is taken.
func (tx *Tx) UpdateUploadedDocument(id int64, c DocumentChange) (bool, error) {
	cols := map[string]any{"context_type": c.ContextType, "document_type_id": c.DocumentTypeID, "country": c.Country,
		"updated_at": c.At, "revision": gorm.Expr("revision + 1")}
	for col, v := range map[string]*string{"front_key": c.FrontKey, "front_type": c.FrontType, "back_key": c.BackKey, "back_type": c.BackType} {
		if v != nil {
			cols[col] = *v
		}
	}
	if c.Status != nil {
		cols["status"] = *c.Status
	}
	res := tx.g.Model(&Document{}).Where("id = ? AND status = ?", id, DocUploaded).Updates(cols)
	if res.Error != nil {
		return false, duplicate(res.Error)
	}
	return res.RowsAffected > 0, nil
}

// DeleteDocument removes a document and what was read from it.
func (tx *Tx) DeleteDocument(id int64) error {
	if err := tx.g.Where("document_id = ?", id).Delete(&ExtractedField{}).Error; err != nil {
		return err
	}
	return tx.g.Where("id = ?", id).Delete(&Document{}).Error
}

// ClaimDocument marks a document In progress for the reading job, unless a
// document.update changed its revision.
func (db *DB) ClaimDocument(ctx context.Context, id int64, revision int) error {
	return db.g.WithContext(ctx).Model(&Document{}).Where("id = ? AND revision = ?", id, revision).
		Update("status", DocInProgress).Error
}

// Extraction is what a reading job found in a document.
type Extraction struct {
	Checks     []string
	Descriptor []byte
	Fields     map[string]string
}

// FinishExtraction stores a reading job's result, replacing earlier
// automatic values, unless document.update changed the revision meanwhile
// (then it reports false and writes nothing).
func (tx *Tx) FinishExtraction(id int64, revision int, x Extraction, at time.Time) (bool, error) {
	res := tx.g.Model(&Document{}).Where("id = ? AND revision = ?", id, revision).
		Updates(map[string]any{"status": DocExtracted, "checks": strings.Join(x.Checks, ","), "descriptor": x.Descriptor})
	if res.Error != nil || res.RowsAffected == 0 {
		return false, res.Error
	}
	if err := tx.g.Where("document_id = ? AND source = ?", id, SourceAutomatic).Delete(&ExtractedField{}).Error; err != nil {
		return false, err
	}
	return true, tx.SetExtracted(id, x.Fields, SourceAutomatic, at)
}

// Sources of extracted values and workflows of decisions.
const (
	SourceAutomatic = "AUTOMATIC"
	SourceManual    = "MANUAL"
)

// Sources lists the sources.
var Sources = []string{SourceAutomatic, SourceManual}

// Extracted returns a document's extracted values by key.
func (db *DB) Extracted(ctx context.Context, documentID int64) (map[string]ExtractedField, error) {
	return extracted(db.g.WithContext(ctx), documentID)
}

// Extracted is the same read inside the transaction.
func (tx *Tx) Extracted(documentID int64) (map[string]ExtractedField, error) {
	return extracted(tx.g, documentID)
}

func extracted(g *gorm.DB, documentID int64) (map[string]ExtractedField, error) {
	var rows []ExtractedField
	if err := g.Where("document_id = ?", documentID).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]ExtractedField, len(rows))
	for _, r := range rows {
		out[r.Key] = r
	}
	return out, nil
}

// SetExtracted writes values for a document (source AUTOMATIC or MANUAL).
// Automatic values never replace a hand correction: a reading job that
// finishes after a person corrected a field leaves the correction standing.
func (tx *Tx) SetExtracted(documentID int64, values map[string]string, source string, at time.Time) error {
	for k, v := range values {
		row := ExtractedField{DocumentID: documentID, Key: k, Value: v, Source: source, UpdatedAt: at}
		conflict := clause.OnConflict{
			Columns:   []clause.Column{{Name: "document_id"}, {Name: "key"}},
			DoUpdates: clause.AssignmentColumns([]string{"value", "source", "updated_at"}),
		}
		if source != SourceManual {
			conflict.Where = clause.Where{Exprs: []clause.Expression{clause.Neq{Column: clause.Column{Table: "extracted_fields", Name: "source"}, Value: SourceManual}}}
		}
		err := tx.g.Clauses(conflict).Create(&row).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// AddExtractedChange records a hand correction.
func (tx *Tx) AddExtractedChange(c *ExtractedChange) error { return tx.g.Create(c).Error }

// ExtractedChanges lists a document's hand corrections, oldest first.
func (db *DB) ExtractedChanges(ctx context.Context, documentID int64) ([]ExtractedChange, error) {
	var rows []ExtractedChange
	return rows, db.g.WithContext(ctx).Where("document_id = ?", documentID).Order("id").Find(&rows).Error
}

// RecordDocumentDecision stores an automatic verdict on one document and
// moves the document to the matching status.
func (tx *Tx) RecordDocumentDecision(dec *Decision, docStatus int) error {
	if err := tx.g.Model(&Document{}).Where("id = ?", dec.DocumentID).Update("status", docStatus).Error; err != nil {
		return err
	}
	return tx.g.Create(dec).Error
}

// RecordDecision stores a verdict on a locked verification as a whole and
// moves it to the decision's status (finished when final). A docStatus other
// than 0 also moves every live document to it.
func (tx *Tx) RecordDecision(v *Verification, dec *Decision, final bool, docStatus int) error {
	if err := tx.g.Create(dec).Error; err != nil {
		return err
	}
	cols := map[string]any{"status": dec.Status, "updated_at": dec.CreatedAt}
	if final {
		cols["finished_at"] = dec.CreatedAt
	}
	if err := tx.g.Model(&Verification{}).Where("id = ?", v.ID).Updates(cols).Error; err != nil {
		return err
	}
	if docStatus != 0 {
		if err := tx.g.Model(&Document{}).Where("verification_id = ? AND status <> ?", v.ID, DocCanceled).
			Update("status", docStatus).Error; err != nil {
			return err
		}
	}
	v.Status = dec.Status
	return nil
}

// LatestDecision is the newest live decision on a verification as a whole.
func (tx *Tx) LatestDecision(verificationID int64) (*Decision, error) {
	var d Decision
	err := tx.g.Where("verification_id = ? AND document_id = 0 AND canceled_at IS NULL", verificationID).Order("id DESC").Take(&d).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// CancelDecision cancels a decision and returns its locked verification to DOUBLE_CHECK.
func (tx *Tx) CancelDecision(d *Decision, v *Verification, at time.Time) error {
	if err := tx.g.Model(&Decision{}).Where("id = ?", d.ID).Updates(map[string]any{"canceled_at": at, "updated_at": at}).Error; err != nil {
		return err
	}
	if err := tx.g.Model(&Verification{}).Where("id = ?", v.ID).
		Updates(map[string]any{"status": VerificationDoubleCheck, "finished_at": nil, "updated_at": at}).Error; err != nil {
		return err
	}
	d.CanceledAt = &at
	v.Status, v.FinishedAt, v.UpdatedAt = VerificationDoubleCheck, nil, at
	return nil
}

// ListDecisions lists an account's decisions on a verification (and optionally one document), newest first.
func (db *DB) ListDecisions(ctx context.Context, accountID, verificationID, documentID int64) ([]Decision, error) {
	q := db.g.WithContext(ctx).Where("account_id = ? AND verification_id = ?", accountID, verificationID)
	if documentID > 0 {
		q = q.Where("document_id = ?", documentID)
	}
	var out []Decision
	return out, q.Order("id DESC").Find(&out).Error
}

// GetDecision loads a decision of the account.
func (db *DB) GetDecision(ctx context.Context, accountID, id int64) (*Decision, error) {
	var d Decision
	if err := db.g.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&d).Error; err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// LiveEndpoints lists an account's endpoints that take deliveries.
func (tx *Tx) LiveEndpoints(accountID int64) ([]WebhookEndpoint, error) {
	var out []WebhookEndpoint
	return out, tx.g.Where("account_id = ? AND deleted_at IS NULL AND disabled = ?", accountID, false).Order("id").Find(&out).Error
}

// CreateEndpoint adds a webhook endpoint.
func (db *DB) CreateEndpoint(ctx context.Context, e *WebhookEndpoint) error {
	return db.g.WithContext(ctx).Create(e).Error
}

// ListEndpoints lists an account's endpoints that were not deleted.
func (db *DB) ListEndpoints(ctx context.Context, accountID int64) ([]WebhookEndpoint, error) {
	var out []WebhookEndpoint
	return out, db.g.WithContext(ctx).Where("account_id = ? AND deleted_at IS NULL", accountID).Order("id").Find(&out).Error
}

// DeleteEndpoint marks an endpoint of the account deleted.
func (db *DB) DeleteEndpoint(ctx context.Context, accountID, id int64, at time.Time) error {
	return db.g.WithContext(ctx).Model(&WebhookEndpoint{}).Where("id = ? AND account_id = ?", id, accountID).
		Updates(map[string]any{"deleted_at": at, "updated_at": at}).Error
}

// UpdateEndpoint saves an endpoint's URL, events and disabled flag.
func (db *DB) UpdateEndpoint(ctx context.Context, e *WebhookEndpoint) error {
	return db.g.WithContext(ctx).Model(&WebhookEndpoint{}).Where("id = ? AND account_id = ? AND deleted_at IS NULL", e.ID, e.AccountID).
		Updates(map[string]any{"url": e.URL, "events": e.Events, "disabled": e.Disabled, "updated_at": e.UpdatedAt}).Error
}

// DisableEndpoint stops deliveries to an endpoint (410 Gone).
func (db *DB) DisableEndpoint(ctx context.Context, id int64) error {
	return db.g.WithContext(ctx).Model(&WebhookEndpoint{}).Where("id = ?", id).Update("disabled", true).Error
}

// GetEndpoint loads a live endpoint of the account.
func (db *DB) GetEndpoint(ctx context.Context, accountID, id int64) (*WebhookEndpoint, error) {
	var e WebhookEndpoint
	if err := db.g.WithContext(ctx).Where("id = ? AND account_id = ? AND deleted_at IS NULL", id, accountID).Take(&e).Error; err != nil {
		return nil, notFound(err)
	}
	return &e, nil
}
