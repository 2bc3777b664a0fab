package handlers

import (
	"context"

	"github.com/veridoc/veridoc/callbacks"
	"github.com/veridoc/veridoc/models"
	"github.com/veridoc/veridoc/rpc"
)

// WebhookSecretRotateRequest has no properties.
type WebhookSecretRotateRequest struct{}

// WebhookSecret is shown once, when it is made.
type WebhookSecret struct {
	Secret string `json:"secret"`
}

// CallbackListRequest names the session or the verification whose callback attempts to list.
type CallbackListRequest struct {
	rpc.ListRequest
	SessionID      int64 `json:"session_id"`
	VerificationID int64 `json:"verification_id"`
}

// CallbackAttempt is one delivery attempt of a signed callback.
type CallbackAttempt struct {
	ID             int64         `json:"id"`
	CallbackID     int64         `json:"callback_id"`
	SessionID      int64         `json:"session_id"`
	VerificationID int64         `json:"verification_id"`
	EndpointID     int64         `json:"webhook_endpoint_id"`
	Event          string        `json:"event"`
	URL            string        `json:"url"`
	WebhookID      string        `json:"webhook_id"`
	Attempt        int           `json:"attempt"`
	StatusCode     int           `json:"status_code"` // 0: no HTTP answer
	Error          string        `json:"error"`
	DurationMs     int64         `json:"duration_ms"`
	CallbackState  string        `json:"callback_state" enum:"PENDING,DELIVERED,FAILED,DISABLED"`
	Created        rpc.Timestamp `json:"created"`
}

func (h *Handlers) registerCallback(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "webhook_secret.rotate", Summary: "Make a new secret that signs callbacks (Standard Webhooks); it is shown only in this answer.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermKeys, MaxBody: smallBody, SideEffects: true}, h.webhookSecretRotate)
	rpc.Register(reg, rpc.Spec{Name: "callback.list", Summary: "List the delivery attempts of a session's or a verification's callbacks, newest first.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody}, h.callbackList)
}

func (h *Handlers) webhookSecretRotate(ctx context.Context, call *rpc.Call, _ *WebhookSecretRotateRequest) (*WebhookSecret, error) {
	secret := callbacks.NewSecret()
	if err := h.DB.SetWebhookSecret(ctx, call.AccountID(), secret); err != nil {
		return nil, err
	}
	return &WebhookSecret{Secret: secret}, nil
}

func (h *Handlers) callbackList(ctx context.Context, call *rpc.Call, req *CallbackListRequest) (*rpc.ListResponse[CallbackAttempt], error) {
	page, err := req.Page()
	if err != nil {
		return nil, err
	}
	subject, id := models.SubjectSession, req.SessionID
	switch {
	case (req.SessionID == 0) == (req.VerificationID == 0):
		return nil, rpc.ErrInvalidRequest("session_id or verification_id: give exactly one")
	case req.SessionID != 0:
		if _, err := h.DB.GetSession(ctx, call.AccountID(), req.SessionID); err != nil {
			return nil, missing(err, rpc.SessionNotFound, req.SessionID)
		}
	default:
		subject, id = models.SubjectVerification, req.VerificationID
		if _, err := h.DB.GetVerification(ctx, call.AccountID(), req.VerificationID); err != nil {
			return nil, missing(err, rpc.VerificationNotFound, req.VerificationID)
		}
	}
	rows, err := h.DB.ListAttempts(ctx, call.AccountID(), subject, id, page.BeforeID, page.Limit+1)
	if err != nil {
		return nil, err
	}
	out := make([]CallbackAttempt, 0, len(rows))
	for _, r := range rows {
		a := CallbackAttempt{ID: r.ID, CallbackID: r.CallbackID, EndpointID: r.EndpointID, Event: r.Event, URL: r.URL,
			WebhookID: r.MessageID, Attempt: r.Attempt, StatusCode: r.StatusCode, Error: r.Error, DurationMs: r.DurationMs,
			CallbackState: r.CallbackState, Created: rpc.NewTimestamp(r.CreatedAt)}
		if r.Subject == models.SubjectSession {
			a.SessionID = r.SubjectID
		} else {
			a.VerificationID = r.SubjectID
		}
		out = append(out, a)
	}
	return rpc.NewList(out, page, func(a CallbackAttempt) int64 { return a.ID }), nil
}
