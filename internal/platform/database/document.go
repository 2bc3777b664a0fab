package database

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

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
