package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/country"
	"github.com/veridoc/veridoc/internal/domain/flows"
	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// DocumentCreateRequest uploads a document to a STARTED verification.
type DocumentCreateRequest struct {
	Flow           string      `json:"flow" rpc:"required"`
	VerificationID int64       `json:"verification_id" rpc:"required"`
	ContextType    contextType `json:"context_type" rpc:"required"`
	DocumentTypeID int64       `json:"document_type_id" rpc:"required"`
	Country        string      `json:"country" rpc:"required"` // ISO alpha-2 or alpha-3
	FrontSideData  string      `json:"front_side_data" rpc:"required"`
	BackSideData   string      `json:"back_side_data"` // refused for single-sided types
}

// Document is a document as the API shows it; images are signed URLs (30 min).
type Document struct {
	ID               int64         `json:"id"`
	VerificationID   int64         `json:"verification_id"`
	Flow             string        `json:"flow"`
	ContextType      contextType   `json:"context_type"`
	TypeLabel        string        `json:"type_label"`
	DocumentTypeID   int64         `json:"document_type_id"`
	DocumentTypeName string        `json:"document_type_name"`
	CountryISO2      string        `json:"country_iso2"`
	CountryISO3      string        `json:"country_iso3"`
	CountryName      string        `json:"country_name"`
	Status           int           `json:"status"`
	StatusLabel      documentLabel `json:"status_label"`
	URLFront         string        `json:"url_front"`
	URLBack          string        `json:"url_back"`
	FrontContentType string        `json:"front_content_type"`
	BackContentType  string        `json:"back_content_type"`
	Checks           []string      `json:"checks"`
	Created          rpc.Timestamp `json:"created"`
	Updated          rpc.Timestamp `json:"updated"`
	// ExtractedData's values are null until the document was read.
	ExtractedData ExtractedData `json:"extracted_data"`
	Decisions     []Decision    `json:"decisions"` // newest first
}

// DocumentListRequest names a verification; flow, when given, must be its flow.
type DocumentListRequest struct {
	VerificationID int64  `json:"verification_id" rpc:"required"`
	Flow           string `json:"flow"`
}

// DocumentList holds a verification's documents, oldest first (one per
// context type, so never more than a few).
type DocumentList struct {
	Data []Document `json:"data"`
}

// DocumentIDRequest addresses one document; flow, when given, must be its verification's.
type DocumentIDRequest struct {
	ID   int64  `json:"id" rpc:"required"`
	Flow string `json:"flow"`
}

// DocumentUpdateRequest changes only the given fields of an Uploaded document.
type DocumentUpdateRequest struct {
	ID             int64        `json:"id" rpc:"required"`
	Flow           string       `json:"flow"`
	Status         *int         `json:"status"` // 1–7
	ContextType    *contextType `json:"context_type"`
	DocumentTypeID *int64       `json:"document_type_id"`
	Country        *string      `json:"country"`
	FrontSideData  *string      `json:"front_side_data"`
	BackSideData   *string      `json:"back_side_data"`
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
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "document.create", Summary: "Upload a document (base64 front and, for double-sided types, back) to a STARTED verification.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: documentBody, SideEffects: true}, h.documentCreate)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "document.get", Summary: "Get a document with signed image URLs (30 minutes), its extracted data and its decisions.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.documentGet)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "document.list", Summary: "List a verification's documents, oldest first, with their extracted data and decisions.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.documentList)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "document.update", Summary: "Change an Uploaded document of a STARTED verification; only the given fields change.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: documentBody, SideEffects: true}, h.documentUpdate)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "document.delete", Summary: "Delete a document of a STARTED verification; the same type can then be uploaded again.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody, SideEffects: true}, h.documentDelete)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "document.pdf", Summary: "The document's images as a PDF (base64), once its verification is APPROVED.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.documentPDF)
}

// decodeSide decodes one side's base64; what it holds (an empty side too) is
// checked by the domain.
func decodeSide(field, data string) (*verifications.Side, error) {
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, raster.ErrUnreadable.New("%s: must be base64 (standard alphabet, padded) of an image", field)
	}
	return &verifications.Side{Field: field, Data: b}, nil
}

// optionalFlow resolves a flow name when the caller gave one.
func (h *Handlers) optionalFlow(name string) (*flows.Flow, error) {
	if name == "" {
		return nil, nil
	}
	return h.flow(name)
}

func (h *Handlers) documentCreate(ctx context.Context, call *rpc.Call, req *DocumentCreateRequest) (*Document, error) {
	f, err := h.flow(req.Flow)
	if err != nil {
		return nil, err
	}
	c, err := lookupCountry("country", req.Country)
	if err != nil {
		return nil, err
	}
	front, err := decodeSide("front_side_data", req.FrontSideData)
	if err != nil {
		return nil, err
	}
	p := verifications.NewDocument{VerificationID: req.VerificationID, ContextType: string(req.ContextType), DocumentTypeID: req.DocumentTypeID,
		Country: c, Front: *front}
	if req.BackSideData != "" {
		if p.Back, err = decodeSide("back_side_data", req.BackSideData); err != nil {
			return nil, err
		}
	}
	d, err := h.Verifications.AddDocument(ctx, call.AccountID(), f, p)
	if err != nil {
		return nil, missing(err, verifications.ErrNotFound, req.VerificationID)
	}
	return h.documentOf(ctx, d, f.Name)
}

func (h *Handlers) documentOf(ctx context.Context, d *database.Document, flow string) (*Document, error) {
	t, _ := h.Flows.Type(d.DocumentTypeID)
	c, _ := country.Lookup(d.Country)
	out := &Document{ID: d.ID, VerificationID: d.VerificationID, Flow: flow, ContextType: contextType(d.ContextType), TypeLabel: flows.ContextLabel(d.ContextType),
		DocumentTypeID: d.DocumentTypeID, DocumentTypeName: t.Name, CountryISO2: c.Alpha2, CountryISO3: c.Alpha3, CountryName: c.Name,
		Status: d.Status, StatusLabel: documentLabel(database.DocStatusLabel(d.Status)), FrontContentType: d.FrontType, BackContentType: d.BackType,
		Checks: []string{}, Created: rpc.NewTimestamp(d.CreatedAt), Updated: rpc.NewTimestamp(d.UpdatedAt)}
	if d.Checks != "" {
		out.Checks = strings.Split(d.Checks, ",")
	}
	extracted, err := h.extractedOf(ctx, d)
	if err != nil {
		return nil, err
	}
	out.ExtractedData = *extracted
	if out.Decisions, err = h.decisionsOf(ctx, d.AccountID, d.VerificationID, d.ID); err != nil {
		return nil, err
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

func (h *Handlers) documentGet(ctx context.Context, call *rpc.Call, req *DocumentIDRequest) (*Document, error) {
	f, err := h.optionalFlow(req.Flow)
	if err != nil {
		return nil, err
	}
	d, v, err := h.Verifications.LoadDocument(ctx, call.AccountID(), req.ID, f)
	if err != nil {
		return nil, missing(err, verifications.ErrDocumentNotFound, req.ID)
	}
	out, err := h.documentOf(ctx, d, v.Flow)
	if err == nil && (out.URLFront != "" || out.URLBack != "") {
		h.auditLinks(ctx, call, fmt.Sprintf("document:%d", d.ID))
	}
	return out, err
}

func (h *Handlers) documentList(ctx context.Context, call *rpc.Call, req *DocumentListRequest) (*DocumentList, error) {
	f, err := h.optionalFlow(req.Flow)
	if err != nil {
		return nil, err
	}
	docs, v, err := h.Verifications.ListDocuments(ctx, call.AccountID(), req.VerificationID, f)
	if err != nil {
		return nil, missing(err, verifications.ErrNotFound, req.VerificationID)
	}
	out := &DocumentList{Data: make([]Document, 0, len(docs))}
	for i := range docs {
		d, err := h.documentOf(ctx, &docs[i], v.Flow)
		if err != nil {
			return nil, err
		}
		out.Data = append(out.Data, *d)
	}
	if len(out.Data) > 0 {
		h.auditLinks(ctx, call, fmt.Sprintf("verification:%d", v.ID))
	}
	return out, nil
}

func (h *Handlers) documentUpdate(ctx context.Context, call *rpc.Call, req *DocumentUpdateRequest) (*Document, error) {
	f, err := h.optionalFlow(req.Flow)
	if err != nil {
		return nil, err
	}
	if req.Status != nil && (*req.Status < 1 || *req.Status > 7) {
		return nil, rpc.ErrInvalidRequest("status: must be 1–7")
	}
	u := verifications.DocumentUpdate{ContextType: ptr(req.ContextType), DocumentTypeID: req.DocumentTypeID, Status: req.Status}
	if req.Country != nil {
		c, err := lookupCountry("country", *req.Country)
		if err != nil {
			return nil, err
		}
		u.Country = &c
	}
	if req.FrontSideData != nil && *req.FrontSideData != "" {
		if u.Front, err = decodeSide("front_side_data", *req.FrontSideData); err != nil {
			return nil, err
		}
	}
	if req.BackSideData != nil && *req.BackSideData != "" {
		if u.Back, err = decodeSide("back_side_data", *req.BackSideData); err != nil {
			return nil, err
		}
	}
	d, v, err := h.Verifications.UpdateDocument(ctx, call.AccountID(), req.ID, f, u)
	if err != nil {
		return nil, missing(err, verifications.ErrDocumentNotFound, req.ID)
	}
	return h.documentOf(ctx, d, v.Flow)
}

func (h *Handlers) documentDelete(ctx context.Context, call *rpc.Call, req *DocumentIDRequest) (*DocumentDeleted, error) {
	f, err := h.optionalFlow(req.Flow)
	if err != nil {
		return nil, err
	}
	d, err := h.Verifications.DeleteDocument(ctx, call.AccountID(), req.ID, f)
	if err != nil {
		return nil, missing(err, verifications.ErrDocumentNotFound, req.ID)
	}
	return &DocumentDeleted{ID: d.ID, Deleted: true}, nil
}

func (h *Handlers) documentPDF(ctx context.Context, call *rpc.Call, req *DocumentIDRequest) (*DocumentPDF, error) {
	f, err := h.optionalFlow(req.Flow)
	if err != nil {
		return nil, err
	}
	pdf, err := h.Verifications.DocumentPDF(ctx, call.AccountID(), req.ID, f)
	if err != nil {
		return nil, missing(err, verifications.ErrDocumentNotFound, req.ID)
	}
	return &DocumentPDF{Data: base64.StdEncoding.EncodeToString(pdf)}, nil
}
