package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/veridoc/veridoc/country"
	"github.com/veridoc/veridoc/flows"
	"github.com/veridoc/veridoc/imaging"
	"github.com/veridoc/veridoc/models"
	"github.com/veridoc/veridoc/rpc"
	"github.com/veridoc/veridoc/verifications"
)

// DocumentCreateRequest uploads a document to a STARTED verification (002_*).
type DocumentCreateRequest struct {
	Flow           string `json:"flow" rpc:"required"`
	VerificationID int64  `json:"verification_id" rpc:"required"`
	ContextType    string `json:"context_type" rpc:"required" enum:"PHOTO_ID,PROOF_OF_ADDRESS,SELFIE"`
	DocumentTypeID int64  `json:"document_type_id" rpc:"required"`
	Country        string `json:"country" rpc:"required"` // ISO alpha-2 or alpha-3
	FrontSideData  string `json:"front_side_data" rpc:"required"`
	BackSideData   string `json:"back_side_data"` // refused for single-sided types
}

// Document is a document as the API shows it; images are signed URLs (30 min).
type Document struct {
	ID               int64         `json:"id"`
	VerificationID   int64         `json:"verification_id"`
	Flow             string        `json:"flow"`
	ContextType      string        `json:"context_type" enum:"PHOTO_ID,PROOF_OF_ADDRESS,SELFIE"`
	TypeLabel        string        `json:"type_label"`
	DocumentTypeID   int64         `json:"document_type_id"`
	DocumentTypeName string        `json:"document_type_name"`
	CountryISO2      string        `json:"country_iso2"`
	CountryISO3      string        `json:"country_iso3"`
	CountryName      string        `json:"country_name"`
	Status           int           `json:"status"`
	StatusLabel      string        `json:"status_label" enum:"Uploaded,In progress,Approved,Rejected,Double check,Canceled,Extracted"`
	URLFront         string        `json:"url_front"`
	URLBack          string        `json:"url_back"`
	FrontContentType string        `json:"front_content_type"`
	BackContentType  string        `json:"back_content_type"`
	Checks           []string      `json:"checks"`
	Created          rpc.Timestamp `json:"created"`
	Updated          rpc.Timestamp `json:"updated"`
}

// DocumentIDRequest addresses one document; flow, when given, must be its verification's.
type DocumentIDRequest struct {
	ID   int64  `json:"id" rpc:"required"`
	Flow string `json:"flow"`
}

// DocumentUpdateRequest changes only the given fields of an Uploaded document.
type DocumentUpdateRequest struct {
	ID             int64   `json:"id" rpc:"required"`
	Flow           string  `json:"flow"`
	Status         *int    `json:"status"` // 1–7
	ContextType    *string `json:"context_type" enum:"PHOTO_ID,PROOF_OF_ADDRESS,SELFIE"`
	DocumentTypeID *int64  `json:"document_type_id"`
	Country        *string `json:"country"`
	FrontSideData  *string `json:"front_side_data"`
	BackSideData   *string `json:"back_side_data"`
}

// DocumentPDF is the document's record as a base64 PDF.
type DocumentPDF struct {
	Data string `json:"data"`
}

// DocumentDeleted confirms a delete.
type DocumentDeleted struct {
	ID      int64 `json:"id"`
	Deleted bool  `json:"deleted"`
}

const (
	documentBody = 42 << 20 // two 15 MB images in base64
	documentURLs = 30 * time.Minute
)

func (h *Handlers) registerDocument(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "document.create", Summary: "Upload a document (base64 front and, for double-sided types, back) to a STARTED verification.",
		Scope: rpc.ScopeAccount, MaxBody: documentBody, SideEffects: true}, h.documentCreate)
	rpc.Register(reg, rpc.Spec{Name: "document.get", Summary: "Get a document with signed image URLs (30 minutes).",
		Scope: rpc.ScopeAccount, MaxBody: smallBody}, h.documentGet)
	rpc.Register(reg, rpc.Spec{Name: "document.update", Summary: "Change an Uploaded document of a STARTED verification; only the given fields change.",
		Scope: rpc.ScopeAccount, MaxBody: documentBody, SideEffects: true}, h.documentUpdate)
	rpc.Register(reg, rpc.Spec{Name: "document.delete", Summary: "Delete a document of a STARTED verification; the same type can then be uploaded again.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody, SideEffects: true}, h.documentDelete)
	rpc.Register(reg, rpc.Spec{Name: "document.pdf", Summary: "The document's images as a PDF (base64), once its verification is APPROVED.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody}, h.documentPDF)
}

// checkType applies the flow's rules to a type, context and country.
func (h *Handlers) checkType(f *flows.Flow, typeID int64, contextType, countryCode string) (*flows.DocumentType, country.Country, error) {
	c, err := lookupCountry("country", countryCode)
	if err != nil {
		return nil, c, err
	}
	t, ok := h.Flows.Type(typeID)
	switch {
	case !ok || !f.Allows(typeID):
		return nil, c, rpc.NewError(http.StatusBadRequest, "DocumentTypeNotAllowed", "Document type %d is not accepted by flow %s (see document_type.list)", typeID, f.Name)
	case t.ContextType != contextType:
		return nil, c, rpc.NewError(http.StatusBadRequest, "DocumentTypeNotAllowed", "Document type %d (%s) is a %s, not a %s", typeID, t.Name, t.ContextType, contextType)
	case !t.AvailableIn(c.Alpha2):
		return nil, c, rpc.NewError(http.StatusBadRequest, "DocumentTypeNotAllowed", "Document type %d (%s) is not issued in %s", typeID, t.Name, c.Alpha3)
	}
	return t, c, nil
}

// decodeSide checks one side's base64 and content; PDF only where the type takes it.
func decodeSide(field, data string, t *flows.DocumentType) ([]byte, string, error) {
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil || len(b) == 0 {
		return nil, "", rpc.NewError(http.StatusBadRequest, "InvalidImage", "%s: must be base64 (standard alphabet, padded) of an image", field)
	}
	if bytes.HasPrefix(b, []byte("%PDF-")) {
		if !t.PDF {
			return nil, "", rpc.NewError(http.StatusUnsupportedMediaType, "UnsupportedImageType", "%s: a PDF is accepted only for proof-of-address types", field)
		}
		if len(b) > imaging.MaxUploadBytes {
			return nil, "", rpc.NewError(http.StatusRequestEntityTooLarge, "PhotoTooLarge", "%s: larger than %d MB", field, imaging.MaxUploadBytes>>20)
		}
		if _, err := verifications.RenderPDFPage(b); err != nil {
			return nil, "", rpc.NewError(http.StatusBadRequest, "InvalidImage", "%s: the PDF cannot be read", field)
		}
		return b, "application/pdf", nil
	}
	if _, err := imaging.CheckUpload(b); err != nil {
		e := rpc.AsError(uploadError(err))
		e.Message = field + ": " + e.Message
		return nil, "", e
	}
	return b, "image/" + imaging.Sniff(b), nil
}

func (h *Handlers) putSide(ctx context.Context, verificationID int64, side string, b []byte, ctype string) (string, error) {
	tok := make([]byte, 8)
	_, _ = rand.Read(tok)
	key := fmt.Sprintf("verifications/%d/%s-%s", verificationID, side, hex.EncodeToString(tok))
	return key, h.Store.Put(ctx, key, bytes.NewReader(b), int64(len(b)), ctype)
}

func (h *Handlers) documentCreate(ctx context.Context, call *rpc.Call, req *DocumentCreateRequest) (*Document, error) {
	f, err := h.flow(req.Flow)
	if err != nil {
		return nil, err
	}
	v, err := h.DB.GetVerification(ctx, call.AccountID(), req.VerificationID)
	if err != nil {
		return nil, missing(err, "Verification", req.VerificationID)
	}
	if v.Flow != f.Name {
		return nil, rpc.NewError(http.StatusBadRequest, "FlowMismatch", "Verification %d belongs to flow %s, not %s", v.ID, v.Flow, f.Name)
	}
	if v.Status != models.VerificationStarted {
		return nil, notStarted(v)
	}
	t, c, err := h.checkType(f, req.DocumentTypeID, req.ContextType, req.Country)
	if err != nil {
		return nil, err
	}
	if req.BackSideData != "" && !t.DoubleSided(c.Alpha2) {
		return nil, rpc.NewError(http.StatusBadRequest, "BackSideNotAllowed", "back_side_data: %s is single-sided in %s; omit the back side", t.Name, c.Alpha3)
	}
	front, frontType, err := decodeSide("front_side_data", req.FrontSideData, t)
	if err != nil {
		return nil, err
	}
	var back []byte
	var backType string
	if req.BackSideData != "" {
		if back, backType, err = decodeSide("back_side_data", req.BackSideData, t); err != nil {
			return nil, err
		}
	}
	// Cheap early answer; the unique index settles races.
	var dup int64
	if err := h.DB.WithContext(ctx).Model(&models.Document{}).Where("verification_id = ? AND context_type = ?", v.ID, req.ContextType).Count(&dup).Error; err != nil {
		return nil, err
	}
	if dup > 0 {
		return nil, duplicateType(v.ID, req.ContextType)
	}
	frontKey, err := h.putSide(ctx, v.ID, "front", front, frontType)
	if err != nil {
		return nil, err
	}
	keys := []string{frontKey}
	backKey := ""
	if back != nil {
		if backKey, err = h.putSide(ctx, v.ID, "back", back, backType); err != nil {
			_ = h.Store.Delete(context.WithoutCancel(ctx), frontKey)
			return nil, err
		}
		keys = append(keys, backKey)
	}
	now := h.Now()
	d := &models.Document{AccountID: call.AccountID(), VerificationID: v.ID, ContextType: req.ContextType, DocumentTypeID: t.ID,
		Country: c.Alpha2, Status: models.DocUploaded, FrontKey: frontKey, FrontType: frontType, BackKey: backKey, BackType: backType,
		CreatedAt: now, UpdatedAt: now}
	err = h.DB.InTx(ctx, func(tx *models.Tx) error {
		locked, err := models.LockVerification(tx.DB, call.AccountID(), v.ID)
		if err != nil {
			return err
		}
		if locked.Status != models.VerificationStarted {
			return notStarted(locked)
		}
		if err := tx.Create(d).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return duplicateType(v.ID, req.ContextType)
			}
			return err
		}
		return h.documentUploaded(ctx, tx, d, now)
	})
	if err != nil {
		for _, k := range keys {
			_ = h.Store.Delete(context.WithoutCancel(ctx), k)
		}
		return nil, err
	}
	return h.documentOf(ctx, d, f.Name)
}

func duplicateType(verificationID int64, contextType string) error {
	return rpc.NewError(http.StatusConflict, "DuplicateDocumentType",
		"Verification %d already has a %s document; delete it to upload another", verificationID, contextType)
}

// documentUploaded is the seed's DocumentUploaded event: the event to the
// endpoints and the job that reads the document.
func (h *Handlers) documentUploaded(ctx context.Context, tx *models.Tx, d *models.Document, now time.Time) error {
	if err := verifications.Emit(ctx, h.Queue, tx, d.AccountID, verifications.Event{Type: verifications.EventDocumentUploaded,
		VerificationID: d.VerificationID, DocumentID: d.ID, Status: models.DocStatusLabel(d.Status)}, now); err != nil {
		return err
	}
	_, err := h.Queue.InsertTx(ctx, tx, verifications.DocumentArgs{DocumentID: d.ID}, nil)
	return err
}

func (h *Handlers) documentOf(ctx context.Context, d *models.Document, flow string) (*Document, error) {
	t, _ := h.Flows.Type(d.DocumentTypeID)
	c, _ := country.Lookup(d.Country)
	out := &Document{ID: d.ID, VerificationID: d.VerificationID, Flow: flow, ContextType: d.ContextType, TypeLabel: flows.ContextLabel(d.ContextType),
		DocumentTypeID: d.DocumentTypeID, DocumentTypeName: t.Name, CountryISO2: c.Alpha2, CountryISO3: c.Alpha3, CountryName: c.Name,
		Status: d.Status, StatusLabel: models.DocStatusLabel(d.Status), FrontContentType: d.FrontType, BackContentType: d.BackType,
		Checks: []string{}, Created: rpc.NewTimestamp(d.CreatedAt), Updated: rpc.NewTimestamp(d.UpdatedAt)}
	if d.Checks != "" {
		out.Checks = strings.Split(d.Checks, ",")
	}
	for key, dst := range map[string]*string{d.FrontKey: &out.URLFront, d.BackKey: &out.URLBack} {
		if key == "" {
			continue
		}
		u, err := h.Store.SignedURL(ctx, key, documentURLs)
		if err != nil {
			return nil, err
		}
		*dst = u
	}
	return out, nil
}

// loadDocument reads a document of the account and its verification, and
// checks the flow when the caller named one.
func (h *Handlers) loadDocument(ctx context.Context, accountID, id int64, flow string) (*models.Document, *models.Verification, error) {
	d, err := h.DB.GetDocument(ctx, accountID, id)
	if err != nil {
		return nil, nil, missing(err, "Document", id)
	}
	v, err := h.DB.GetVerification(ctx, accountID, d.VerificationID)
	if err != nil {
		return nil, nil, err
	}
	if flow != "" {
		f, err := h.flow(flow)
		if err != nil {
			return nil, nil, err
		}
		if f.Name != v.Flow {
			return nil, nil, rpc.NewError(http.StatusBadRequest, "FlowMismatch", "Document %d belongs to a verification of flow %s, not %s", d.ID, v.Flow, f.Name)
		}
	}
	return d, v, nil
}

func (h *Handlers) documentGet(ctx context.Context, call *rpc.Call, req *DocumentIDRequest) (*Document, error) {
	d, v, err := h.loadDocument(ctx, call.AccountID(), req.ID, req.Flow)
	if err != nil {
		return nil, err
	}
	return h.documentOf(ctx, d, v.Flow)
}

func (h *Handlers) documentUpdate(ctx context.Context, call *rpc.Call, req *DocumentUpdateRequest) (*Document, error) {
	d, v, err := h.loadDocument(ctx, call.AccountID(), req.ID, req.Flow)
	if err != nil {
		return nil, err
	}
	if d.Status != models.DocUploaded {
		return nil, rpc.NewError(http.StatusConflict, "DocumentNotEditable", "Document %d is %s; only Uploaded documents can change", d.ID, models.DocStatusLabel(d.Status))
	}
	if v.Status != models.VerificationStarted {
		return nil, notStarted(v)
	}
	f, err := h.flow(v.Flow)
	if err != nil {
		return nil, err
	}
	ctxType, typeID, countryCode := d.ContextType, d.DocumentTypeID, d.Country
	if req.ContextType != nil {
		ctxType = *req.ContextType
	}
	if req.DocumentTypeID != nil {
		typeID = *req.DocumentTypeID
	}
	if req.Country != nil {
		countryCode = *req.Country
	}
	t, c, err := h.checkType(f, typeID, ctxType, countryCode)
	if err != nil {
		return nil, err
	}
	hasBack := d.BackKey != "" || (req.BackSideData != nil && *req.BackSideData != "")
	if hasBack && !t.DoubleSided(c.Alpha2) {
		return nil, rpc.NewError(http.StatusBadRequest, "BackSideNotAllowed", "back_side_data: %s is single-sided in %s; omit the back side", t.Name, c.Alpha3)
	}
	if req.Status != nil && (*req.Status < 1 || *req.Status > 7) {
		return nil, rpc.ErrInvalidRequest("status: must be 1–7")
	}
	upd := map[string]any{"context_type": ctxType, "document_type_id": t.ID, "country": c.Alpha2}
	var newKeys, oldKeys []string
	for _, side := range []struct {
		field, name string
		data        *string
		key, typ    string
	}{{"front_side_data", "front", req.FrontSideData, "front_key", "front_type"}, {"back_side_data", "back", req.BackSideData, "back_key", "back_type"}} {
		if side.data == nil || *side.data == "" {
			continue
		}
		b, ctype, err := decodeSide(side.field, *side.data, t)
		if err != nil {
			return nil, err
		}
		key, err := h.putSide(ctx, v.ID, side.name, b, ctype)
		if err != nil {
			return nil, err
		}
		newKeys = append(newKeys, key)
		upd[side.key], upd[side.typ] = key, ctype
	}
	if _, ok := upd["front_key"]; ok {
		oldKeys = append(oldKeys, d.FrontKey)
	}
	if _, ok := upd["back_key"]; ok && d.BackKey != "" {
		oldKeys = append(oldKeys, d.BackKey)
	}
	if req.Status != nil {
		upd["status"] = *req.Status
	}
	now := h.Now()
	upd["updated_at"] = now
	upd["revision"] = gorm.Expr("revision + 1")
	err = h.DB.InTx(ctx, func(tx *models.Tx) error {
		locked, err := models.LockVerification(tx.DB, call.AccountID(), v.ID)
		if err != nil {
			return err
		}
		if locked.Status != models.VerificationStarted {
			return notStarted(locked)
		}
		// Only while still Uploaded: the reading job may have started meanwhile.
		res := tx.Model(&models.Document{}).Where("id = ? AND status = ?", d.ID, models.DocUploaded).Updates(upd)
		if res.Error != nil {
			if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
				return duplicateType(v.ID, ctxType)
			}
			return res.Error
		}
		if res.RowsAffected == 0 {
			return rpc.NewError(http.StatusConflict, "DocumentNotEditable", "Document %d entered processing; only Uploaded documents can change", d.ID)
		}
		if err := tx.Take(d, d.ID).Error; err != nil {
			return err
		}
		if d.Status != models.DocUploaded {
			return nil
		}
		return h.documentUploaded(ctx, tx, d, now)
	})
	if err != nil {
		for _, k := range newKeys {
			_ = h.Store.Delete(context.WithoutCancel(ctx), k)
		}
		return nil, err
	}
	for _, k := range oldKeys {
		if err := h.Store.Delete(ctx, k); err != nil {
			h.Logger.Warn("delete replaced document image", "key", k, "err", err)
		}
	}
	return h.documentOf(ctx, d, v.Flow)
}

func (h *Handlers) documentDelete(ctx context.Context, call *rpc.Call, req *DocumentIDRequest) (*DocumentDeleted, error) {
	d, v, err := h.loadDocument(ctx, call.AccountID(), req.ID, req.Flow)
	if err != nil {
		return nil, err
	}
	now := h.Now()
	err = h.DB.InTx(ctx, func(tx *models.Tx) error {
		locked, err := models.LockVerification(tx.DB, call.AccountID(), v.ID)
		if err != nil {
			return err
		}
		// A submitted verification's documents are the record its decision rests on.
		if locked.Status != models.VerificationStarted {
			return notStarted(locked)
		}
		if err := tx.Where("document_id = ?", d.ID).Delete(&models.ExtractedField{}).Error; err != nil {
			return err
		}
		if err := tx.Where("id = ?", d.ID).Delete(&models.Document{}).Error; err != nil {
			return err
		}
		return verifications.Emit(ctx, h.Queue, tx, d.AccountID, verifications.Event{Type: verifications.EventDocumentCanceled,
			VerificationID: v.ID, DocumentID: d.ID, Status: models.DocStatusLabel(models.DocCanceled)}, now)
	})
	if err != nil {
		return nil, err
	}
	for _, k := range []string{d.FrontKey, d.BackKey} {
		if k == "" {
			continue
		}
		if err := h.Store.Delete(ctx, k); err != nil {
			h.Logger.Warn("delete document image", "key", k, "err", err)
		}
	}
	return &DocumentDeleted{ID: d.ID, Deleted: true}, nil
}

func (h *Handlers) documentPDF(ctx context.Context, call *rpc.Call, req *DocumentIDRequest) (*DocumentPDF, error) {
	d, v, err := h.loadDocument(ctx, call.AccountID(), req.ID, req.Flow)
	if err != nil {
		return nil, err
	}
	if v.Status != models.VerificationApproved {
		return nil, rpc.NewError(http.StatusConflict, "VerificationNotApproved", "Verification %d is %s; the PDF is available once it is APPROVED", v.ID, v.Status)
	}
	t, _ := h.Flows.Type(d.DocumentTypeID)
	c, _ := country.Lookup(d.Country)
	var sides []verifications.Side
	for _, s := range []struct{ label, key, typ string }{{"Front", d.FrontKey, d.FrontType}, {"Back", d.BackKey, d.BackType}} {
		if s.key == "" {
			continue
		}
		rc, _, err := h.Store.Get(ctx, s.key)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		sides = append(sides, verifications.Side{Label: s.label, Data: b, ContentType: s.typ})
	}
	facts := [][2]string{
		{"Document", fmt.Sprintf("%d (%s)", d.ID, t.Name)},
		{"Context", flows.ContextLabel(d.ContextType)},
		{"Country", c.Name + " (" + c.Alpha3 + ")"},
		{"Verification", fmt.Sprintf("%d, flow %s, %s", v.ID, v.Flow, v.Status)},
		{"Document status", models.DocStatusLabel(d.Status)},
		{"Uploaded", d.CreatedAt.UTC().Format(rpc.TimeLayout)},
	}
	if v.FinishedAt != nil {
		facts = append(facts, [2]string{"Approved", v.FinishedAt.UTC().Format(rpc.TimeLayout)})
	}
	pdf, err := verifications.PDF(fmt.Sprintf("Document %d", d.ID), facts, sides, d.UpdatedAt)
	if err != nil {
		return nil, err
	}
	return &DocumentPDF{Data: base64.StdEncoding.EncodeToString(pdf)}, nil
}
