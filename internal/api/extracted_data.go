package api

import (
	"context"
	"reflect"
	"strings"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// ExtractedDataRequest names a document.
type ExtractedDataRequest struct {
	DocumentID int64 `json:"document_id" rpc:"required"`
}

// ExtractedData is what was read from a document, as flat keys ("" = not read).
type ExtractedData struct {
	DocumentID               int64   `json:"document_id"`
	Status                   int     `json:"status"`
	StatusLabel              string  `json:"status_label"`
	PersonSurname            *string `json:"person_surname"`
	PersonGivenNames         *string `json:"person_given_names"`
	PersonFullName           *string `json:"person_full_name"`
	PersonDateOfBirth        *string `json:"person_date_of_birth"`
	AddressFull              *string `json:"address_full"`
	AddressStreet            *string `json:"address_street"`
	AddressCity              *string `json:"address_city"`
	AddressState             *string `json:"address_state"`
	AddressZip               *string `json:"address_zip"`
	AddressCountry           *string `json:"address_country"`
	DocumentType             *string `json:"document_type"`
	DocumentNumber           *string `json:"document_number"`
	DocumentIdentified       *string `json:"document_identified"`
	DocumentCountryCode      *string `json:"document_country_code"`
	DocumentCountryName      *string `json:"document_country_name"`
	DocumentIssuingEntity    *string `json:"document_issuing_entity"`
	DocumentExpirationDate   *string `json:"document_expiration_date"`
	DocumentHasSelfie        *string `json:"document_has_selfie"`
	DocumentSelfieComparison *string `json:"document_selfie_comparison"` // 0–100
	DocumentMRZValid         *string `json:"document_mrz_valid"`
	// What the printed zone above the MRZ shows, where it was found: with
	// MRZ_VIZ_MISMATCH, the other value.
	DocumentVIZSurname     *string `json:"document_viz_surname"`
	DocumentVIZGivenNames  *string `json:"document_viz_given_names"`
	DocumentVIZNumber      *string `json:"document_viz_number"`
	DocumentVIZDateOfBirth *string `json:"document_viz_date_of_birth"`
	// The evidence of FACE_SEEN_BEFORE and FACE_BLOCKED, on the document
	// whose face was looked up (the selfie, else the photo ID): the earlier
	// sessions and verifications ("session 12 (distance 0.31)") and blocks.
	FaceSeenBeforeIn *string `json:"face_seen_before_in"`
	FaceBlockedBy    *string `json:"face_blocked_by"`
	// CorrectedFields lists the keys changed by hand (extracted_data.update).
	CorrectedFields []string `json:"corrected_fields"`
}

// ExtractedDataUpdateRequest corrects values by hand; only the given keys change.
type ExtractedDataUpdateRequest struct {
	DocumentID             int64   `json:"document_id" rpc:"required"`
	PersonSurname          *string `json:"person_surname"`
	PersonGivenNames       *string `json:"person_given_names"`
	PersonFullName         *string `json:"person_full_name"`
	PersonDateOfBirth      *string `json:"person_date_of_birth"`
	AddressFull            *string `json:"address_full"`
	AddressStreet          *string `json:"address_street"`
	AddressCity            *string `json:"address_city"`
	AddressState           *string `json:"address_state"`
	AddressZip             *string `json:"address_zip"`
	AddressCountry         *string `json:"address_country"`
	DocumentType           *string `json:"document_type"`
	DocumentNumber         *string `json:"document_number"`
	DocumentExpirationDate *string `json:"document_expiration_date"`
}

// ExtractedChange is one audited correction.
type ExtractedChange struct {
	ID         int64         `json:"id"`
	DocumentID int64         `json:"document_id"`
	Key        string        `json:"key"`
	OldValue   string        `json:"old_value"`
	NewValue   string        `json:"new_value"`
	APIKeyID   int64         `json:"api_key_id"`
	Created    rpc.Timestamp `json:"created"`
}

// ExtractedChangeList lists corrections, oldest first.
type ExtractedChangeList struct {
	Data []ExtractedChange `json:"data"`
}

func (h *Handlers) registerExtractedData(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "extracted_data.get", Summary: "Get what was read from a document, as flat keys (person_*, address_*, document_*).",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.extractedGet)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "extracted_data.update", Summary: "Correct extracted values by hand; every change is audited.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody, SideEffects: true}, h.extractedUpdate)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "extracted_data_change.list", Summary: "List the hand corrections of a document's extracted data.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.extractedChanges)
}

// jsonFields maps a struct's *string fields by JSON name.
func jsonFields(v any) map[string]**string {
	out := map[string]**string{}
	rv := reflect.ValueOf(v).Elem()
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Type().Field(i)
		if p, ok := rv.Field(i).Addr().Interface().(**string); ok {
			out[strings.Split(f.Tag.Get("json"), ",")[0]] = p
		}
	}
	return out
}

func (h *Handlers) extractedGet(ctx context.Context, call *rpc.Call, req *ExtractedDataRequest) (*ExtractedData, error) {
	d, err := h.DB.GetDocument(ctx, call.AccountID(), req.DocumentID)
	if err != nil {
		return nil, missing(err, verifications.ErrDocumentNotFound, req.DocumentID)
	}
	return h.extractedOf(ctx, d)
}

// extractedOf reads a document's extracted values; keys not read stay null.
func (h *Handlers) extractedOf(ctx context.Context, d *database.Document) (*ExtractedData, error) {
	values, err := h.DB.Extracted(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	out := &ExtractedData{DocumentID: d.ID, Status: d.Status, StatusLabel: database.DocStatusLabel(d.Status), CorrectedFields: []string{}}
	for key, dst := range jsonFields(out) {
		if f, ok := values[key]; ok {
			v := f.Value
			*dst = &v
			if f.Source == database.SourceManual {
				out.CorrectedFields = append(out.CorrectedFields, key)
			}
		}
	}
	return out, nil
}

func (h *Handlers) extractedUpdate(ctx context.Context, call *rpc.Call, req *ExtractedDataUpdateRequest) (*ExtractedData, error) {
	changes := map[string]string{}
	for key, p := range jsonFields(req) {
		if *p != nil {
			if len(**p) > 2000 {
				return nil, rpc.ErrInvalidRequest("%s: must be at most 2000 characters", key)
			}
			changes[key] = **p
		}
	}
	if err := h.Verifications.CorrectExtracted(ctx, call.AccountID(), call.Principal.APIKeyID, req.DocumentID, changes); err != nil {
		return nil, missing(err, verifications.ErrDocumentNotFound, req.DocumentID)
	}
	return h.extractedGet(ctx, call, &ExtractedDataRequest{DocumentID: req.DocumentID})
}

func (h *Handlers) extractedChanges(ctx context.Context, call *rpc.Call, req *ExtractedDataRequest) (*ExtractedChangeList, error) {
	if _, err := h.DB.GetDocument(ctx, call.AccountID(), req.DocumentID); err != nil {
		return nil, missing(err, verifications.ErrDocumentNotFound, req.DocumentID)
	}
	rows, err := h.DB.ExtractedChanges(ctx, req.DocumentID)
	if err != nil {
		return nil, err
	}
	out := &ExtractedChangeList{Data: []ExtractedChange{}}
	for _, r := range rows {
		out.Data = append(out.Data, ExtractedChange{ID: r.ID, DocumentID: r.DocumentID, Key: r.Key, OldValue: r.OldValue, NewValue: r.NewValue,
			APIKeyID: r.APIKeyID, Created: rpc.NewTimestamp(r.CreatedAt)})
	}
	return out, nil
}
