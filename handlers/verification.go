package handlers

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/veridoc/veridoc/models"
	"github.com/veridoc/veridoc/rpc"
	"github.com/veridoc/veridoc/verifications"
)

const verificationStatuses = "STARTED,SUBMITTED,IN_PROGRESS,APPROVED,REJECTED,DOUBLE_CHECK,CANCELED,HOLD"

// ExpectedPerson is the optional person data documents are compared with.
type ExpectedPerson struct {
	ExpectedGivenNames  string `json:"expected_given_names"`
	ExpectedSurname     string `json:"expected_surname"`
	ExpectedDateOfBirth string `json:"expected_date_of_birth"` // YYYY-MM-DD
	ExpectedStreet      string `json:"expected_address_street"`
	ExpectedCity        string `json:"expected_address_city"`
	ExpectedState       string `json:"expected_address_state"`
	ExpectedZip         string `json:"expected_address_zip"`
	ExpectedCountry     string `json:"expected_address_country"` // ISO alpha-2 or alpha-3
}

// VerificationCreateRequest starts a verification in a flow.
type VerificationCreateRequest struct {
	Flow      string `json:"flow" rpc:"required"`
	Reference string `json:"reference"`
	ExpectedPerson
}

// Verification is a verification as the API shows it.
type Verification struct {
	ID        int64  `json:"id"`
	Flow      string `json:"flow"`
	Status    string `json:"status" enum:"STARTED,SUBMITTED,IN_PROGRESS,APPROVED,REJECTED,DOUBLE_CHECK,CANCELED,HOLD"`
	Reference string `json:"reference"`
	ExpectedPerson
	DocumentCount int            `json:"document_count"`
	Created       rpc.Timestamp  `json:"created"`
	Updated       rpc.Timestamp  `json:"updated"`
	Submitted     *rpc.Timestamp `json:"submitted"`
	Finished      *rpc.Timestamp `json:"finished"`
}

// VerificationIDRequest addresses one verification.
type VerificationIDRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

// VerificationListRequest filters the account's verifications.
type VerificationListRequest struct {
	rpc.ListRequest
	Flow   string `json:"flow"`
	Status string `json:"status" enum:"STARTED,SUBMITTED,IN_PROGRESS,APPROVED,REJECTED,DOUBLE_CHECK,CANCELED,HOLD"`
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (h *Handlers) registerVerification(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "verification.create", Summary: "Start a verification in a flow, optionally with the person data to expect.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody, SideEffects: true}, h.verificationCreate)
	rpc.Register(reg, rpc.Spec{Name: "verification.get", Summary: "Get a verification.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody}, h.verificationGet)
	rpc.Register(reg, rpc.Spec{Name: "verification.list", Summary: "List the account's verifications, newest first, by flow and status.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody}, h.verificationList)
	rpc.Register(reg, rpc.Spec{Name: "verification.submit", Summary: "Submit a STARTED verification for review; its documents can no longer change.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody, SideEffects: true}, h.verificationSubmit)
	rpc.Register(reg, rpc.Spec{Name: "verification.cancel", Summary: "Cancel a verification that is not yet approved or rejected; its documents become Canceled.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody, SideEffects: true}, h.verificationCancel)
}

func (h *Handlers) verificationCreate(ctx context.Context, call *rpc.Call, req *VerificationCreateRequest) (*Verification, error) {
	f, err := h.flow(req.Flow)
	if err != nil {
		return nil, err
	}
	e := req.ExpectedPerson
	if e.ExpectedDateOfBirth != "" && !dateRE.MatchString(e.ExpectedDateOfBirth) {
		return nil, rpc.ErrInvalidRequest("expected_date_of_birth: expected a date YYYY-MM-DD")
	}
	if e.ExpectedCountry != "" {
		c, err := lookupCountry("expected_address_country", e.ExpectedCountry)
		if err != nil {
			return nil, err
		}
		e.ExpectedCountry = c.Alpha2
	}
	for name, v := range map[string]string{"reference": req.Reference, "expected_given_names": e.ExpectedGivenNames, "expected_surname": e.ExpectedSurname,
		"expected_address_street": e.ExpectedStreet, "expected_address_city": e.ExpectedCity, "expected_address_state": e.ExpectedState, "expected_address_zip": e.ExpectedZip} {
		if len(v) > 200 {
			return nil, rpc.ErrInvalidRequest("%s: must be at most 200 characters", name)
		}
	}
	now := h.Now()
	v := &models.Verification{AccountID: call.AccountID(), Flow: f.Name, Status: models.VerificationStarted, Reference: req.Reference,
		ExpectedGivenNames: e.ExpectedGivenNames, ExpectedSurname: e.ExpectedSurname, ExpectedDateOfBirth: e.ExpectedDateOfBirth,
		ExpectedStreet: e.ExpectedStreet, ExpectedCity: e.ExpectedCity, ExpectedState: e.ExpectedState, ExpectedZip: e.ExpectedZip,
		ExpectedCountry: e.ExpectedCountry, CreatedAt: now, UpdatedAt: now}
	err = h.DB.InTx(ctx, func(tx *models.Tx) error {
		if err := tx.Create(v).Error; err != nil {
			return err
		}
		return verifications.Emit(ctx, h.Queue, tx, v.AccountID, verifications.Event{Type: verifications.EventVerificationStarted,
			VerificationID: v.ID, Status: v.Status}, now)
	})
	if err != nil {
		return nil, err
	}
	return h.verificationOf(ctx, v)
}

func (h *Handlers) verificationOf(ctx context.Context, v *models.Verification) (*Verification, error) {
	var n int64
	if err := h.DB.WithContext(ctx).Model(&models.Document{}).Where("verification_id = ?", v.ID).Count(&n).Error; err != nil {
		return nil, err
	}
	return &Verification{ID: v.ID, Flow: v.Flow, Status: v.Status, Reference: v.Reference, ExpectedPerson: ExpectedPerson{
		ExpectedGivenNames: v.ExpectedGivenNames, ExpectedSurname: v.ExpectedSurname, ExpectedDateOfBirth: v.ExpectedDateOfBirth,
		ExpectedStreet: v.ExpectedStreet, ExpectedCity: v.ExpectedCity, ExpectedState: v.ExpectedState, ExpectedZip: v.ExpectedZip,
		ExpectedCountry: v.ExpectedCountry}, DocumentCount: int(n), Created: rpc.NewTimestamp(v.CreatedAt), Updated: rpc.NewTimestamp(v.UpdatedAt),
		Submitted: rpc.TimestampPtr(v.SubmittedAt), Finished: rpc.TimestampPtr(v.FinishedAt)}, nil
}

func (h *Handlers) verificationGet(ctx context.Context, call *rpc.Call, req *VerificationIDRequest) (*Verification, error) {
	v, err := h.DB.GetVerification(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, "Verification", req.ID)
	}
	return h.verificationOf(ctx, v)
}

func (h *Handlers) verificationList(ctx context.Context, call *rpc.Call, req *VerificationListRequest) (*rpc.ListResponse[Verification], error) {
	page, err := req.Page()
	if err != nil {
		return nil, err
	}
	if req.Status != "" && !slices.Contains(strings.Split(verificationStatuses, ","), req.Status) {
		return nil, rpc.ErrInvalidRequest("status: must be one of %s", strings.ReplaceAll(verificationStatuses, ",", ", "))
	}
	rows, err := h.DB.ListVerifications(ctx, call.AccountID(), req.Flow, req.Status, page.BeforeID, page.Limit+1)
	if err != nil {
		return nil, err
	}
	out := make([]Verification, 0, len(rows))
	for i := range rows {
		v, err := h.verificationOf(ctx, &rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return rpc.NewList(out, page, func(v Verification) int64 { return v.ID }), nil
}

// notStarted is the error of a change that needs a STARTED verification.
func notStarted(v *models.Verification) error {
	if v.Status == models.VerificationCanceled {
		return rpc.NewError(http.StatusConflict, "VerificationCanceled", "Verification %d is canceled", v.ID)
	}
	return rpc.NewError(http.StatusConflict, "VerificationNotStarted", "Verification %d is %s; documents change only while it is STARTED", v.ID, v.Status)
}

func (h *Handlers) verificationSubmit(ctx context.Context, call *rpc.Call, req *VerificationIDRequest) (*Verification, error) {
	var out *models.Verification
	now := h.Now()
	err := h.DB.InTx(ctx, func(tx *models.Tx) error {
		v, err := models.LockVerification(tx.DB, call.AccountID(), req.ID)
		if err != nil {
			return missing(err, "Verification", req.ID)
		}
		if v.Status != models.VerificationStarted {
			return notStarted(v)
		}
		f, err := h.flow(v.Flow)
		if err != nil {
			return err
		}
		var have []string
		if err := tx.Model(&models.Document{}).Where("verification_id = ?", v.ID).Pluck("context_type", &have).Error; err != nil {
			return err
		}
		var lacking []string
		for _, c := range f.Required {
			if !slices.Contains(have, c) {
				lacking = append(lacking, c)
			}
		}
		if len(lacking) > 0 {
			return rpc.NewError(http.StatusConflict, "MissingDocuments", "Flow %s needs a document of each of %s before submitting; missing: %s",
				f.Name, strings.Join(f.Required, ", "), strings.Join(lacking, ", "))
		}
		if err := tx.Model(&models.Verification{}).Where("id = ?", v.ID).
			Updates(map[string]any{"status": models.VerificationSubmitted, "submitted_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		v.Status, v.SubmittedAt, v.UpdatedAt = models.VerificationSubmitted, &now, now
		out = v
		if err := verifications.Emit(ctx, h.Queue, tx, v.AccountID, verifications.Event{Type: verifications.EventVerificationSubmitted,
			VerificationID: v.ID, Status: v.Status}, now); err != nil {
			return err
		}
		_, err = h.Queue.InsertTx(ctx, tx, verifications.ReviewArgs{VerificationID: v.ID}, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return h.verificationOf(ctx, out)
}

func (h *Handlers) verificationCancel(ctx context.Context, call *rpc.Call, req *VerificationIDRequest) (*Verification, error) {
	var out *models.Verification
	now := h.Now()
	err := h.DB.InTx(ctx, func(tx *models.Tx) error {
		v, err := models.LockVerification(tx.DB, call.AccountID(), req.ID)
		if err != nil {
			return missing(err, "Verification", req.ID)
		}
		switch v.Status {
		case models.VerificationApproved, models.VerificationRejected:
			return rpc.NewError(http.StatusConflict, "VerificationFinished", "Verification %d is already %s", v.ID, v.Status)
		case models.VerificationCanceled:
			return rpc.NewError(http.StatusConflict, "VerificationCanceled", "Verification %d is already canceled", v.ID)
		}
		if err := tx.Model(&models.Verification{}).Where("id = ?", v.ID).
			Updates(map[string]any{"status": models.VerificationCanceled, "finished_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Document{}).Where("verification_id = ?", v.ID).
			Updates(map[string]any{"status": models.DocCanceled, "updated_at": now}).Error; err != nil {
			return err
		}
		v.Status, v.FinishedAt, v.UpdatedAt = models.VerificationCanceled, &now, now
		out = v
		return verifications.Emit(ctx, h.Queue, tx, v.AccountID, verifications.Event{Type: verifications.EventVerificationCanceled,
			VerificationID: v.ID, Status: v.Status}, now)
	})
	if err != nil {
		return nil, err
	}
	return h.verificationOf(ctx, out)
}
