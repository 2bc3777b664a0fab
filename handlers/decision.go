package handlers

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/veridoc/veridoc/models"
	"github.com/veridoc/veridoc/rpc"
	"github.com/veridoc/veridoc/verifications"
)

// --- extracted_data ---

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

// --- decisions ---

// DecisionCreateRequest records a manual decision.
type DecisionCreateRequest struct {
	VerificationID int64  `json:"verification_id" rpc:"required"`
	Status         string `json:"status" rpc:"required" enum:"APPROVED,REJECTED,DOUBLE_CHECK,HOLD"`
	Comment        string `json:"comment"`
}

// Decision is an automatic or manual verdict.
type Decision struct {
	ID                 int64          `json:"id"`
	VerificationID     int64          `json:"verification_id"`
	DocumentID         int64          `json:"document_id"` // 0: the verification as a whole
	Status             string         `json:"status" enum:"APPROVED,REJECTED,DOUBLE_CHECK,HOLD"`
	StatusLabel        string         `json:"status_label"`
	ValidationWorkflow string         `json:"validation_workflow" enum:"AUTOMATIC,MANUAL"`
	Comment            string         `json:"comment"`
	Reasons            []string       `json:"reasons"`
	APIKeyID           int64          `json:"api_key_id"`
	Canceled           *rpc.Timestamp `json:"canceled"`
	Created            rpc.Timestamp  `json:"created"`
}

// DecisionListRequest lists a verification's decisions.
type DecisionListRequest struct {
	VerificationID int64 `json:"verification_id" rpc:"required"`
	DocumentID     int64 `json:"document_id"`
}

// DecisionList is newest first.
type DecisionList struct {
	Data []Decision `json:"data"`
}

// DecisionIDRequest addresses one decision.
type DecisionIDRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

// --- webhook endpoints ---

// WebhookEndpointCreateRequest adds an endpoint for verification events.
type WebhookEndpointCreateRequest struct {
	URL    string   `json:"url" rpc:"required"`
	Events []string `json:"events"` // empty: every event
}

// WebhookEndpoint receives the account's verification events.
type WebhookEndpoint struct {
	ID       int64         `json:"id"`
	URL      string        `json:"url"`
	Events   []string      `json:"events"`
	Disabled bool          `json:"disabled"`
	Created  rpc.Timestamp `json:"created"`
}

// WebhookEndpointIDRequest addresses one endpoint.
type WebhookEndpointIDRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

// WebhookEndpointListRequest has no properties.
type WebhookEndpointListRequest struct{}

// WebhookEndpointList lists live endpoints.
type WebhookEndpointList struct {
	Data []WebhookEndpoint `json:"data"`
}

func (h *Handlers) registerDecision(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "extracted_data.get", Summary: "Get what was read from a document, as flat keys (person_*, address_*, document_*).",
		Scope: rpc.ScopeAccount, MaxBody: smallBody}, h.extractedGet)
	rpc.Register(reg, rpc.Spec{Name: "extracted_data.update", Summary: "Correct extracted values by hand; every change is audited.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody, SideEffects: true}, h.extractedUpdate)
	rpc.Register(reg, rpc.Spec{Name: "extracted_data_change.list", Summary: "List the hand corrections of a document's extracted data.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody}, h.extractedChanges)
	rpc.Register(reg, rpc.Spec{Name: "decision.create", Summary: "Record a manual decision: approve, reject, double check or hold a verification.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody, SideEffects: true}, h.decisionCreate)
	rpc.Register(reg, rpc.Spec{Name: "decision.list", Summary: "List a verification's decisions (automatic and manual), newest first.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody}, h.decisionList)
	rpc.Register(reg, rpc.Spec{Name: "decision.get", Summary: "Get a decision.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody}, h.decisionGet)
	rpc.Register(reg, rpc.Spec{Name: "decision.cancel", Summary: "Cancel the latest verification decision; the verification returns to DOUBLE_CHECK.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody, SideEffects: true}, h.decisionCancel)
	rpc.Register(reg, rpc.Spec{Name: "webhook_endpoint.create", Summary: "Add an endpoint for the account's verification events (signed like session callbacks).",
		Scope: rpc.ScopeAccount, MaxBody: smallBody, SideEffects: true}, h.endpointCreate)
	rpc.Register(reg, rpc.Spec{Name: "webhook_endpoint.list", Summary: "List the account's webhook endpoints.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody}, h.endpointList)
	rpc.Register(reg, rpc.Spec{Name: "webhook_endpoint.delete", Summary: "Delete a webhook endpoint.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody, SideEffects: true}, h.endpointDelete)
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
		return nil, missing(err, "Document", req.DocumentID)
	}
	values, err := h.DB.Extracted(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	out := &ExtractedData{DocumentID: d.ID, Status: d.Status, StatusLabel: models.DocStatusLabel(d.Status), CorrectedFields: []string{}}
	for key, dst := range jsonFields(out) {
		if f, ok := values[key]; ok {
			v := f.Value
			*dst = &v
			if f.Source == "MANUAL" {
				out.CorrectedFields = append(out.CorrectedFields, key)
			}
		}
	}
	return out, nil
}

func (h *Handlers) extractedUpdate(ctx context.Context, call *rpc.Call, req *ExtractedDataUpdateRequest) (*ExtractedData, error) {
	d, err := h.DB.GetDocument(ctx, call.AccountID(), req.DocumentID)
	if err != nil {
		return nil, missing(err, "Document", req.DocumentID)
	}
	if d.Status == models.DocCanceled {
		return nil, rpc.NewError(http.StatusConflict, "DocumentCanceled", "Document %d is canceled", d.ID)
	}
	changes := map[string]string{}
	for key, p := range jsonFields(req) {
		if *p != nil {
			if len(**p) > 2000 {
				return nil, rpc.ErrInvalidRequest("%s: must be at most 2000 characters", key)
			}
			changes[key] = **p
		}
	}
	now := h.Now()
	err = h.DB.InTx(ctx, func(tx *models.Tx) error {
		var old []models.ExtractedField
		if err := tx.Where("document_id = ?", d.ID).Find(&old).Error; err != nil {
			return err
		}
		before := map[string]string{}
		for _, f := range old {
			before[f.Key] = f.Value
		}
		for k, v := range changes {
			if before[k] == v {
				delete(changes, k)
				continue
			}
			if err := tx.Create(&models.ExtractedChange{DocumentID: d.ID, Key: k, OldValue: before[k], NewValue: v,
				APIKeyID: call.Principal.APIKeyID, CreatedAt: now}).Error; err != nil {
				return err
			}
		}
		return models.SetExtracted(tx.DB, d.ID, changes, "MANUAL", now)
	})
	if err != nil {
		return nil, err
	}
	return h.extractedGet(ctx, call, &ExtractedDataRequest{DocumentID: d.ID})
}

func (h *Handlers) extractedChanges(ctx context.Context, call *rpc.Call, req *ExtractedDataRequest) (*ExtractedChangeList, error) {
	if _, err := h.DB.GetDocument(ctx, call.AccountID(), req.DocumentID); err != nil {
		return nil, missing(err, "Document", req.DocumentID)
	}
	var rows []models.ExtractedChange
	if err := h.DB.WithContext(ctx).Where("document_id = ?", req.DocumentID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := &ExtractedChangeList{Data: []ExtractedChange{}}
	for _, r := range rows {
		out.Data = append(out.Data, ExtractedChange{ID: r.ID, DocumentID: r.DocumentID, Key: r.Key, OldValue: r.OldValue, NewValue: r.NewValue,
			APIKeyID: r.APIKeyID, Created: rpc.NewTimestamp(r.CreatedAt)})
	}
	return out, nil
}

func decisionOf(d *models.Decision) Decision {
	reasons := []string{}
	if d.Reasons != "" {
		reasons = strings.Split(d.Reasons, ",")
	}
	label := map[string]string{models.VerificationApproved: "Approved", models.VerificationRejected: "Rejected",
		models.VerificationDoubleCheck: "Double check", models.VerificationHold: "Hold"}[d.Status]
	return Decision{ID: d.ID, VerificationID: d.VerificationID, DocumentID: d.DocumentID, Status: d.Status, StatusLabel: label,
		ValidationWorkflow: d.ValidationWorkflow, Comment: d.Comment, Reasons: reasons, APIKeyID: d.APIKeyID, Canceled: rpc.TimestampPtr(d.CanceledAt),
		Created: rpc.NewTimestamp(d.CreatedAt)}
}

func (h *Handlers) decisionCreate(ctx context.Context, call *rpc.Call, req *DecisionCreateRequest) (*Decision, error) {
	switch req.Status {
	case models.VerificationApproved, models.VerificationRejected, models.VerificationDoubleCheck, models.VerificationHold:
	default:
		return nil, rpc.ErrInvalidRequest("status: must be one of APPROVED, REJECTED, DOUBLE_CHECK, HOLD")
	}
	if len(req.Comment) > 2000 {
		return nil, rpc.ErrInvalidRequest("comment: must be at most 2000 characters")
	}
	dec := &models.Decision{Status: req.Status, ValidationWorkflow: "MANUAL", Comment: req.Comment, APIKeyID: call.Principal.APIKeyID}
	err := h.DB.InTx(ctx, func(tx *models.Tx) error {
		v, err := models.LockVerification(tx.DB, call.AccountID(), req.VerificationID)
		if err != nil {
			return missing(err, "Verification", req.VerificationID)
		}
		switch v.Status {
		case models.VerificationStarted:
			return rpc.NewError(http.StatusConflict, "VerificationNotSubmitted", "Verification %d is STARTED; submit it before deciding", v.ID)
		case models.VerificationCanceled:
			return rpc.NewError(http.StatusConflict, "VerificationCanceled", "Verification %d is canceled", v.ID)
		}
		return verifications.Decide(ctx, h.Queue, tx, v, dec, h.Now(), true)
	})
	if err != nil {
		return nil, err
	}
	out := decisionOf(dec)
	return &out, nil
}

func (h *Handlers) decisionList(ctx context.Context, call *rpc.Call, req *DecisionListRequest) (*DecisionList, error) {
	if _, err := h.DB.GetVerification(ctx, call.AccountID(), req.VerificationID); err != nil {
		return nil, missing(err, "Verification", req.VerificationID)
	}
	rows, err := h.DB.ListDecisions(ctx, call.AccountID(), req.VerificationID, req.DocumentID)
	if err != nil {
		return nil, err
	}
	out := &DecisionList{Data: []Decision{}}
	for i := range rows {
		out.Data = append(out.Data, decisionOf(&rows[i]))
	}
	return out, nil
}

func (h *Handlers) decisionGet(ctx context.Context, call *rpc.Call, req *DecisionIDRequest) (*Decision, error) {
	d, err := h.DB.GetDecision(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, "Decision", req.ID)
	}
	out := decisionOf(d)
	return &out, nil
}

func (h *Handlers) decisionCancel(ctx context.Context, call *rpc.Call, req *DecisionIDRequest) (*Decision, error) {
	var dec *models.Decision
	now := h.Now()
	err := h.DB.InTx(ctx, func(tx *models.Tx) error {
		d, err := h.DB.GetDecision(ctx, call.AccountID(), req.ID)
		if err != nil {
			return missing(err, "Decision", req.ID)
		}
		v, err := models.LockVerification(tx.DB, call.AccountID(), d.VerificationID)
		if err != nil {
			return err
		}
		var latest models.Decision
		if err := tx.Where("verification_id = ? AND document_id = 0 AND canceled_at IS NULL", v.ID).Order("id DESC").Take(&latest).Error; err != nil || latest.ID != d.ID {
			return rpc.NewError(http.StatusConflict, "DecisionNotCancelable", "Only the latest live decision on the verification as a whole can be canceled")
		}
		if v.Status == models.VerificationCanceled {
			return rpc.NewError(http.StatusConflict, "VerificationCanceled", "Verification %d is canceled", v.ID)
		}
		if err := tx.Model(&models.Decision{}).Where("id = ?", d.ID).Updates(map[string]any{"canceled_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Verification{}).Where("id = ?", v.ID).
			Updates(map[string]any{"status": models.VerificationDoubleCheck, "finished_at": nil, "updated_at": now}).Error; err != nil {
			return err
		}
		d.CanceledAt = &now
		dec = d
		return verifications.Emit(ctx, h.Queue, tx, v.AccountID, verifications.Event{Type: verifications.EventDecisionCanceled,
			VerificationID: v.ID, DecisionID: d.ID, Status: models.VerificationDoubleCheck}, now)
	})
	if err != nil {
		return nil, err
	}
	out := decisionOf(dec)
	return &out, nil
}

func (h *Handlers) endpointCreate(ctx context.Context, call *rpc.Call, req *WebhookEndpointCreateRequest) (*WebhookEndpoint, error) {
	if err := checkCallbackURL("url", req.URL); err != nil {
		return nil, err
	}
	for _, e := range req.Events {
		if !slices.Contains(verifications.AllEvents, e) {
			return nil, rpc.ErrInvalidRequest("events: %q is not an event; use %s", e, strings.Join(verifications.AllEvents, ", "))
		}
	}
	acct, err := h.DB.GetAccount(ctx, call.AccountID())
	if err != nil {
		return nil, err
	}
	if acct.WebhookSecret == "" {
		return nil, rpc.ErrConflict("WebhookSecretMissing", "Events are signed with the account's webhook secret; call webhook_secret.rotate first")
	}
	now := h.Now()
	e := &models.WebhookEndpoint{AccountID: call.AccountID(), URL: req.URL, Events: strings.Join(req.Events, ","), CreatedAt: now, UpdatedAt: now}
	if err := h.DB.WithContext(ctx).Create(e).Error; err != nil {
		return nil, err
	}
	out := endpointOf(e)
	return &out, nil
}

func endpointOf(e *models.WebhookEndpoint) WebhookEndpoint {
	events := []string{}
	if e.Events != "" {
		events = strings.Split(e.Events, ",")
	}
	return WebhookEndpoint{ID: e.ID, URL: e.URL, Events: events, Disabled: e.Disabled, Created: rpc.NewTimestamp(e.CreatedAt)}
}

func (h *Handlers) endpointList(ctx context.Context, call *rpc.Call, _ *WebhookEndpointListRequest) (*WebhookEndpointList, error) {
	var rows []models.WebhookEndpoint
	if err := h.DB.WithContext(ctx).Where("account_id = ? AND deleted_at IS NULL", call.AccountID()).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := &WebhookEndpointList{Data: []WebhookEndpoint{}}
	for i := range rows {
		out.Data = append(out.Data, endpointOf(&rows[i]))
	}
	return out, nil
}

func (h *Handlers) endpointDelete(ctx context.Context, call *rpc.Call, req *WebhookEndpointIDRequest) (*WebhookEndpoint, error) {
	e, err := h.DB.GetEndpoint(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, "WebhookEndpoint", req.ID)
	}
	now := h.Now()
	if err := h.DB.WithContext(ctx).Model(e).Updates(map[string]any{"deleted_at": now, "updated_at": now}).Error; err != nil {
		return nil, err
	}
	out := endpointOf(e)
	return &out, nil
}
