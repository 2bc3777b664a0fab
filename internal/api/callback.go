package api

import (
	"context"
	"errors"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/callbacks"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// WebhookSecretRotateRequest has no properties.
type WebhookSecretRotateRequest struct{}

// WebhookSecret is shown once, when it is made. The secret it replaced keeps
// signing beside it until previous_secret_expires (absent for a first secret).
type WebhookSecret struct {
	Secret                string         `json:"secret"`
	PreviousSecretExpires *rpc.Timestamp `json:"previous_secret_expires"`
}

// CallbackRedeliverRequest names a callback (callback_id in callback.list).
type CallbackRedeliverRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

// CallbackRedelivered says the callback is queued again.
type CallbackRedelivered struct {
	ID        int64        `json:"id"`
	State     pendingState `json:"state"`
	WebhookID string       `json:"webhook_id"` // the same as before: receivers can tell a repeat
}

// CallbackListRequest names the session, the verification or the webhook
// endpoint (its webhook_endpoint.test samples) whose callback attempts to list.
type CallbackListRequest struct {
	rpc.ListRequest
	SessionID         int64 `json:"session_id"`
	VerificationID    int64 `json:"verification_id"`
	WebhookEndpointID int64 `json:"webhook_endpoint_id"`
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
	CallbackState  callbackState `json:"callback_state"`
	Created        rpc.Timestamp `json:"created"`
}

func (h *Handlers) registerCallback(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "webhook_secret.rotate", Summary: "Make a new secret that signs callbacks (Standard Webhooks); it is shown only in this answer.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermKeys, MaxBody: smallBody, SideEffects: true}, h.webhookSecretRotate)
	rpc.Register(reg, rpc.Spec{Name: "callback.redeliver", Summary: "Send a delivered or failed callback again, with the same webhook-id.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody, SideEffects: true}, h.callbackRedeliver)
	rpc.Register(reg, rpc.Spec{Name: "callback.list", Summary: "List the delivery attempts of a session's or a verification's callbacks, newest first.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody}, h.callbackList)
}

func (h *Handlers) webhookSecretRotate(ctx context.Context, call *rpc.Call, _ *WebhookSecretRotateRequest) (*WebhookSecret, error) {
	r, err := h.Accounts.RotateWebhookSecret(ctx, call.AccountID())
	if err != nil {
		return nil, err
	}
	return &WebhookSecret{Secret: r.Secret, PreviousSecretExpires: rpc.TimestampPtr(r.PreviousUntil)}, nil
}

func (h *Handlers) callbackRedeliver(ctx context.Context, call *rpc.Call, req *CallbackRedeliverRequest) (*CallbackRedelivered, error) {
	c, err := h.DB.GetCallback(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, callbacks.ErrNotFound, req.ID)
	}
	switch err := callbacks.Redeliver(ctx, h.DB, h.Queue, c, h.Now()); {
	case errors.Is(err, callbacks.ErrStillPending):
		return nil, callbacks.ErrStillPending.New("Callback %d is still being delivered", c.ID)
	case errors.Is(err, callbacks.ErrEndpointDisabled):
		return nil, callbacks.ErrEndpointDisabled.New("The endpoint of callback %d is disabled or deleted; re-enable it with webhook_endpoint.update first", c.ID)
	case err != nil:
		return nil, err
	}
	return &CallbackRedelivered{ID: c.ID, State: pendingState(c.State), WebhookID: c.MessageID}, nil
}

func (h *Handlers) callbackList(ctx context.Context, call *rpc.Call, req *CallbackListRequest) (*rpc.ListResponse[CallbackAttempt], error) {
	page, err := req.Page()
	if err != nil {
		return nil, err
	}
	subject, id, err := h.callbackSubject(ctx, call.AccountID(), req)
	if err != nil {
		return nil, err
	}
	rows, err := h.DB.ListAttempts(ctx, call.AccountID(), subject, id, page.BeforeID, page.Limit+1)
	if err != nil {
		return nil, err
	}
	out := make([]CallbackAttempt, 0, len(rows))
	for _, r := range rows {
		a := CallbackAttempt{ID: r.ID, CallbackID: r.CallbackID, EndpointID: r.EndpointID, Event: r.Event, URL: r.URL,
			WebhookID: r.MessageID, Attempt: r.Attempt, StatusCode: r.StatusCode, Error: r.Error, DurationMs: r.DurationMs,
			CallbackState: callbackState(r.CallbackState), Created: rpc.NewTimestamp(r.CreatedAt)}
		switch r.Subject {
		case database.SubjectSession:
			a.SessionID = r.SubjectID
		case database.SubjectVerification:
			a.VerificationID = r.SubjectID
		}
		out = append(out, a)
	}
	return rpc.NewList(out, page, func(a CallbackAttempt) int64 { return a.ID }), nil
}

// callbackSubject checks that the one subject named is the account's.
func (h *Handlers) callbackSubject(ctx context.Context, accountID int64, req *CallbackListRequest) (string, int64, error) {
	named := 0
	for _, id := range []int64{req.SessionID, req.VerificationID, req.WebhookEndpointID} {
		if id != 0 {
			named++
		}
	}
	switch {
	case named != 1:
		return "", 0, rpc.ErrInvalidRequest("session_id, verification_id or webhook_endpoint_id: give exactly one")
	case req.SessionID != 0:
		if _, err := h.DB.GetSession(ctx, accountID, req.SessionID); err != nil {
			return "", 0, missing(err, sessions.ErrNotFound, req.SessionID)
		}
		return database.SubjectSession, req.SessionID, nil
	case req.VerificationID != 0:
		if _, err := h.DB.GetVerification(ctx, accountID, req.VerificationID); err != nil {
			return "", 0, missing(err, verifications.ErrNotFound, req.VerificationID)
		}
		return database.SubjectVerification, req.VerificationID, nil
	}
	if _, err := h.Accounts.GetEndpoint(ctx, accountID, req.WebhookEndpointID); err != nil {
		return "", 0, err
	}
	return database.SubjectTest, req.WebhookEndpointID, nil
}
