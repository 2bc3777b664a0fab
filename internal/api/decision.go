package api

import (
	"context"
	"strings"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// DecisionCreateRequest records a manual decision.
type DecisionCreateRequest struct {
	VerificationID int64          `json:"verification_id" rpc:"required"`
	Status         decisionStatus `json:"status" rpc:"required"`
	Comment        string         `json:"comment"`
}

// Decision is an automatic or manual verdict.
type Decision struct {
	ID                 int64          `json:"id"`
	VerificationID     int64          `json:"verification_id"`
	DocumentID         int64          `json:"document_id"` // 0: the verification as a whole
	Status             decisionStatus `json:"status"`
	StatusLabel        string         `json:"status_label"`
	ValidationWorkflow workflow       `json:"validation_workflow"`
	Comment            string         `json:"comment"`
	Reasons            []string       `json:"reasons"`
	APIKeyID           int64          `json:"api_key_id"`
	Canceled           *rpc.Timestamp `json:"canceled"`
	Created            rpc.Timestamp  `json:"created"`
	Updated            rpc.Timestamp  `json:"updated"`
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

func (h *Handlers) registerDecision(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "decision.create", Summary: "Record a manual decision: approve, reject, double check or hold a verification.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody, SideEffects: true}, h.decisionCreate)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "decision.list", Summary: "List a verification's decisions (automatic and manual), newest first.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.decisionList)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "decision.get", Summary: "Get a decision.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.decisionGet)
	rpc.Register(reg, rpc.Spec{Statuses: flowStatuses, Name: "decision.cancel", Summary: "Cancel the latest verification decision; the verification returns to DOUBLE_CHECK.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody, SideEffects: true}, h.decisionCancel)
}

func decisionOf(d *database.Decision) Decision {
	reasons := []string{}
	if d.Reasons != "" {
		reasons = strings.Split(d.Reasons, ",")
	}
	label := map[string]string{database.VerificationApproved: "Approved", database.VerificationRejected: "Rejected",
		database.VerificationDoubleCheck: "Double check", database.VerificationHold: "Hold"}[d.Status]
	return Decision{ID: d.ID, VerificationID: d.VerificationID, DocumentID: d.DocumentID, Status: decisionStatus(d.Status), StatusLabel: label,
		ValidationWorkflow: workflow(d.ValidationWorkflow), Comment: d.Comment, Reasons: reasons, APIKeyID: d.APIKeyID, Canceled: rpc.TimestampPtr(d.CanceledAt),
		Created: rpc.NewTimestamp(d.CreatedAt), Updated: rpc.NewTimestamp(d.UpdatedAt)}
}

func (h *Handlers) decisionCreate(ctx context.Context, call *rpc.Call, req *DecisionCreateRequest) (*Decision, error) {
	if len(req.Comment) > 2000 {
		return nil, rpc.ErrInvalidRequest("comment: must be at most 2000 characters")
	}
	dec, err := h.Verifications.DecideManually(ctx, call.AccountID(), call.Principal.APIKeyID, req.VerificationID, string(req.Status), req.Comment)
	if err != nil {
		return nil, missing(err, verifications.ErrNotFound, req.VerificationID)
	}
	out := decisionOf(dec)
	return &out, nil
}

func (h *Handlers) decisionList(ctx context.Context, call *rpc.Call, req *DecisionListRequest) (*DecisionList, error) {
	if _, err := h.DB.GetVerification(ctx, call.AccountID(), req.VerificationID); err != nil {
		return nil, missing(err, verifications.ErrNotFound, req.VerificationID)
	}
	list, err := h.decisionsOf(ctx, call.AccountID(), req.VerificationID, req.DocumentID)
	if err != nil {
		return nil, err
	}
	return &DecisionList{Data: list}, nil
}

// decisionsOf lists a verification's decisions (documentID > 0: one document's), newest first.
func (h *Handlers) decisionsOf(ctx context.Context, accountID, verificationID, documentID int64) ([]Decision, error) {
	rows, err := h.DB.ListDecisions(ctx, accountID, verificationID, documentID)
	if err != nil {
		return nil, err
	}
	out := make([]Decision, 0, len(rows))
	for i := range rows {
		out = append(out, decisionOf(&rows[i]))
	}
	return out, nil
}

func (h *Handlers) decisionGet(ctx context.Context, call *rpc.Call, req *DecisionIDRequest) (*Decision, error) {
	d, err := h.DB.GetDecision(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, verifications.ErrDecisionNotFound, req.ID)
	}
	out := decisionOf(d)
	return &out, nil
}

func (h *Handlers) decisionCancel(ctx context.Context, call *rpc.Call, req *DecisionIDRequest) (*Decision, error) {
	dec, err := h.Verifications.CancelDecision(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, verifications.ErrDecisionNotFound, req.ID)
	}
	out := decisionOf(dec)
	return &out, nil
}
