package api

import (
	"context"
	"regexp"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/platform/database"
)

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
	ID        int64              `json:"id"`
	Flow      string             `json:"flow"`
	Status    verificationStatus `json:"status"`
	Reference string             `json:"reference"`
	ExpectedPerson
	DocumentCount int            `json:"document_count"`
	Created       rpc.Timestamp  `json:"created"`
	Updated       rpc.Timestamp  `json:"updated"`
	Submitted     *rpc.Timestamp `json:"submitted"`
	Finished      *rpc.Timestamp `json:"finished"`
	Erased        *rpc.Timestamp `json:"erased"` // images and personal data erased (verification.delete or retention)
}

// VerificationIDRequest addresses one verification.
type VerificationIDRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

// VerificationListRequest filters the account's verifications.
type VerificationListRequest struct {
	rpc.ListRequest
	Flow   string             `json:"flow"`
	Status verificationStatus `json:"status"`
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (h *Handlers) registerVerification(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "verification.create", Summary: "Start a verification in a flow, optionally with the person data to expect.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody, SideEffects: true}, h.verificationCreate)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "verification.get", Summary: "Get a verification.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.verificationGet)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "verification.list", Summary: "List the account's verifications, newest first, by flow and status.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.verificationList)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "verification.submit", Summary: "Submit a STARTED verification for review; its documents can no longer change.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody, SideEffects: true}, h.verificationSubmit)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "verification.delete", Summary: "Erase a verification's document images and personal data; ids, states, times, reference and decisions stay.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody, SideEffects: true}, h.verificationDelete)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "verification.cancel", Summary: "Cancel a verification that is not yet approved or rejected; its documents become Canceled.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody, SideEffects: true}, h.verificationCancel)
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
	v, err := h.Verifications.Create(ctx, call.AccountID(), f, req.Reference, verifications.Expected{GivenNames: e.ExpectedGivenNames,
		Surname: e.ExpectedSurname, DateOfBirth: e.ExpectedDateOfBirth, Street: e.ExpectedStreet, City: e.ExpectedCity,
		State: e.ExpectedState, Zip: e.ExpectedZip, CountryAlpha2: e.ExpectedCountry})
	if err != nil {
		return nil, err
	}
	return h.verificationOf(ctx, v)
}

func (h *Handlers) verificationOf(ctx context.Context, v *database.Verification) (*Verification, error) {
	n, err := h.DB.CountDocuments(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	return &Verification{ID: v.ID, Flow: v.Flow, Status: verificationStatus(v.Status), Reference: v.Reference, ExpectedPerson: ExpectedPerson{
		ExpectedGivenNames: v.ExpectedGivenNames, ExpectedSurname: v.ExpectedSurname, ExpectedDateOfBirth: v.ExpectedDateOfBirth,
		ExpectedStreet: v.ExpectedStreet, ExpectedCity: v.ExpectedCity, ExpectedState: v.ExpectedState, ExpectedZip: v.ExpectedZip,
		ExpectedCountry: v.ExpectedCountry}, DocumentCount: n, Created: rpc.NewTimestamp(v.CreatedAt), Updated: rpc.NewTimestamp(v.UpdatedAt),
		Submitted: rpc.TimestampPtr(v.SubmittedAt), Finished: rpc.TimestampPtr(v.FinishedAt), Erased: rpc.TimestampPtr(v.ErasedAt)}, nil
}

func (h *Handlers) verificationDelete(ctx context.Context, call *rpc.Call, req *VerificationIDRequest) (*Verification, error) {
	v, err := h.Eraser.Verification(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, verifications.ErrNotFound, req.ID)
	}
	return h.verificationOf(ctx, v)
}

func (h *Handlers) verificationGet(ctx context.Context, call *rpc.Call, req *VerificationIDRequest) (*Verification, error) {
	v, err := h.DB.GetVerification(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, verifications.ErrNotFound, req.ID)
	}
	return h.verificationOf(ctx, v)
}

func (h *Handlers) verificationList(ctx context.Context, call *rpc.Call, req *VerificationListRequest) (*rpc.ListResponse[Verification], error) {
	page, err := req.Page()
	if err != nil {
		return nil, err
	}
	rows, err := h.DB.ListVerifications(ctx, call.AccountID(), req.Flow, string(req.Status), page.BeforeID, page.Limit+1)
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

func (h *Handlers) verificationSubmit(ctx context.Context, call *rpc.Call, req *VerificationIDRequest) (*Verification, error) {
	v, err := h.Verifications.Submit(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, verifications.ErrNotFound, req.ID)
	}
	return h.verificationOf(ctx, v)
}

func (h *Handlers) verificationCancel(ctx context.Context, call *rpc.Call, req *VerificationIDRequest) (*Verification, error) {
	v, err := h.Verifications.Cancel(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, verifications.ErrNotFound, req.ID)
	}
	return h.verificationOf(ctx, v)
}
