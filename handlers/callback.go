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

// CallbackListRequest names the session whose callback attempts to list.
type CallbackListRequest struct {
	rpc.ListRequest
	SessionID int64 `json:"session_id" rpc:"required"`
}

// CallbackAttempt is one delivery attempt of a signed callback.
type CallbackAttempt struct {
	ID            int64         `json:"id"`
	CallbackID    int64         `json:"callback_id"`
	SessionID     int64         `json:"session_id"`
	Event         string        `json:"event"`
	URL           string        `json:"url"`
	WebhookID     string        `json:"webhook_id"`
	Attempt       int           `json:"attempt"`
	StatusCode    int           `json:"status_code"` // 0: no HTTP answer
	Error         string        `json:"error"`
	DurationMs    int64         `json:"duration_ms"`
	CallbackState string        `json:"callback_state" enum:"PENDING,DELIVERED,FAILED,DISABLED"`
	Created       rpc.Timestamp `json:"created"`
}

func (h *Handlers) registerCallback(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "webhook_secret.rotate", Summary: "Make a new secret that signs callbacks (Standard Webhooks); it is shown only in this answer.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody, SideEffects: true}, h.webhookSecretRotate)
	rpc.Register(reg, rpc.Spec{Name: "callback.list", Summary: "List the delivery attempts of a session's callbacks, newest first.",
		Scope: rpc.ScopeAccount, MaxBody: smallBody}, h.callbackList)
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
	if _, err := h.DB.GetSession(ctx, call.AccountID(), req.SessionID); err != nil {
		return nil, missing(err, "Session", req.SessionID)
	}
	rows, err := h.DB.ListAttempts(ctx, call.AccountID(), models.SubjectSession, req.SessionID, page.BeforeID, page.Limit+1)
	if err != nil {
		return nil, err
	}
	out := make([]CallbackAttempt, 0, len(rows))
	for _, r := range rows {
		out = append(out, CallbackAttempt{ID: r.ID, CallbackID: r.CallbackID, SessionID: r.SubjectID, Event: r.Event, URL: r.URL,
			WebhookID: r.MessageID, Attempt: r.Attempt, StatusCode: r.StatusCode, Error: r.Error, DurationMs: r.DurationMs,
			CallbackState: r.CallbackState, Created: rpc.NewTimestamp(r.CreatedAt)})
	}
	return rpc.NewList(out, page, func(a CallbackAttempt) int64 { return a.ID }), nil
}
