package api

import (
	"context"
	"fmt"
	"time"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// AuditEventListRequest filters the account's audit log.
type AuditEventListRequest struct {
	rpc.ListRequest
	Object        string         `json:"object"` // "<class>:<id>", e.g. "document:12"
	Action        string         `json:"action"` // a method name, or image.link, erasure
	CreatedAfter  *rpc.Timestamp `json:"created_after"`
	CreatedBefore *rpc.Timestamp `json:"created_before"`
}

// AuditEvent is one recorded action.
type AuditEvent struct {
	ID        int64         `json:"id"`
	AccountID int64         `json:"account_id"`
	Actor     string        `json:"actor"` // api_key:<id>, session:<id> (the end user's token) or system
	Action    string        `json:"action"`
	Object    string        `json:"object"`
	IP        string        `json:"ip"`
	RequestID string        `json:"request_id"`
	Created   rpc.Timestamp `json:"created"`
}

// Audit actions that are not method names.
const (
	// AuditImageLink: signed links to personal images were handed out.
	AuditImageLink = "image.link"
)

func (h *Handlers) registerAudit(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "audit_event.list", Summary: "List the account's audit log, newest first: every state-changing call, every link to a personal image handed out.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermKeys, MaxBody: smallBody}, h.auditEventList)
}

// Audit appends a record to the audit log. The call it records has already
// happened, so a failed write is logged, not answered.
func (h *Handlers) Audit(ctx context.Context, r rpc.AuditRecord) {
	actor := "system"
	switch {
	case r.SessionID != 0 && r.APIKeyID == 0:
		actor = fmt.Sprintf("session:%d", r.SessionID)
	case r.APIKeyID != 0:
		actor = fmt.Sprintf("api_key:%d", r.APIKeyID)
	}
	e := &database.AuditEvent{AccountID: r.AccountID, CreatedAt: h.Now().UTC(), Actor: actor, Action: r.Action, Object: r.Object, IP: r.IP, RequestID: r.RequestID}
	if err := h.DB.AppendAudit(ctx, e); err != nil && h.Logger != nil {
		h.Logger.Error("audit log", "err", err, "action", r.Action, "object", r.Object, "request_id", r.RequestID)
	}
}

// auditLinks records that a call handed out signed links to an object's personal images.
func (h *Handlers) auditLinks(ctx context.Context, call *rpc.Call, object string) {
	h.Audit(context.WithoutCancel(ctx), rpc.NewAuditRecord(ctx, call, AuditImageLink, object))
}

func (h *Handlers) auditEventList(ctx context.Context, call *rpc.Call, req *AuditEventListRequest) (*rpc.ListResponse[AuditEvent], error) {
	page, err := req.Page()
	if err != nil {
		return nil, err
	}
	f := database.AuditFilter{Object: req.Object, Action: req.Action, BeforeID: page.BeforeID, BeforeAt: page.BeforeAt, Limit: page.Limit + 1}
	if req.CreatedAfter != nil {
		f.After = &req.CreatedAfter.Time
	}
	if req.CreatedBefore != nil {
		f.Before = &req.CreatedBefore.Time
	}
	rows, err := h.DB.ListAudit(ctx, call.AccountID(), f)
	if err != nil {
		return nil, err
	}
	out := make([]AuditEvent, 0, len(rows))
	created := make(map[int64]time.Time, len(rows)) // as stored, for the cursor
	for _, e := range rows {
		out = append(out, AuditEvent{ID: e.ID, AccountID: e.AccountID, Actor: e.Actor, Action: e.Action, Object: e.Object,
			IP: e.IP, RequestID: e.RequestID, Created: rpc.NewTimestamp(e.CreatedAt)})
		created[e.ID] = e.CreatedAt
	}
	return rpc.NewListAt(out, page, func(e AuditEvent) (int64, time.Time) { return e.ID, created[e.ID] }), nil
}
