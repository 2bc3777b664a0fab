package api

import (
	"context"
	"strings"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// WebhookEndpointCreateRequest adds an endpoint for verification events.
type WebhookEndpointCreateRequest struct {
	URL    string   `json:"url" rpc:"required"`
	Events []string `json:"events"` // empty: every event
}

// WebhookEndpointUpdateRequest changes only the given properties. Setting
// disabled to false re-enables an endpoint that answered 410 Gone.
type WebhookEndpointUpdateRequest struct {
	ID       int64     `json:"id" rpc:"required"`
	URL      *string   `json:"url"`
	Events   *[]string `json:"events"`
	Disabled *bool     `json:"disabled"`
}

// WebhookEndpoint receives the account's verification events.
type WebhookEndpoint struct {
	ID       int64         `json:"id"`
	URL      string        `json:"url"`
	Events   []string      `json:"events"`
	Disabled bool          `json:"disabled"`
	Created  rpc.Timestamp `json:"created"`
}

// WebhookEndpointCreated is a new endpoint and, when it is the account's
// first use of callbacks, the webhook secret that signs them, shown once.
type WebhookEndpointCreated struct {
	WebhookEndpoint
	WebhookSecret string `json:"webhook_secret,omitempty"`
}

// WebhookEndpointIDRequest addresses one endpoint.
type WebhookEndpointIDRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

// WebhookEndpointTestRequest sends a sample event to an endpoint.
type WebhookEndpointTestRequest struct {
	ID    int64  `json:"id" rpc:"required"`
	Event string `json:"event"` // default verification.finished
}

// WebhookEndpointTestSent is the queued sample: callback.list
// {webhook_endpoint_id} shows its delivery attempts.
type WebhookEndpointTestSent struct {
	CallbackID int64        `json:"callback_id"`
	EndpointID int64        `json:"webhook_endpoint_id"`
	Event      string       `json:"event"`
	State      pendingState `json:"state"`
	WebhookID  string       `json:"webhook_id"`
}

// WebhookEndpointListRequest has no properties.
type WebhookEndpointListRequest struct{}

// WebhookEndpointList lists live endpoints.
type WebhookEndpointList struct {
	Data []WebhookEndpoint `json:"data"`
}

func (h *Handlers) registerWebhookEndpoint(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "webhook_endpoint.create", Summary: "Add an endpoint for the account's verification events (signed like session callbacks).",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody, SideEffects: true}, h.endpointCreate)
	rpc.Register(reg, rpc.Spec{Name: "webhook_endpoint.update", Summary: "Change an endpoint's URL or events, or re-enable one that answered 410 Gone.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody, SideEffects: true}, h.endpointUpdate)
	rpc.Register(reg, rpc.Spec{Name: "webhook_endpoint.list", Summary: "List the account's webhook endpoints.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody}, h.endpointList)
	rpc.Register(reg, rpc.Spec{Name: "webhook_endpoint.test", Summary: "Send a signed sample event (\"test\": true, ids 0) to an endpoint, delivered and logged like a real one.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody, SideEffects: true}, h.endpointTest)
	rpc.Register(reg, rpc.Spec{Name: "webhook_endpoint.delete", Summary: "Delete a webhook endpoint.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermDocuments, MaxBody: smallBody, SideEffects: true}, h.endpointDelete)
}

func (h *Handlers) endpointCreate(ctx context.Context, call *rpc.Call, req *WebhookEndpointCreateRequest) (*WebhookEndpointCreated, error) {
	e, secret, err := h.Accounts.CreateEndpoint(ctx, call.AccountID(), accounts.EndpointChange{URL: &req.URL, Events: &req.Events}, verifications.AllEvents)
	if err != nil {
		return nil, err
	}
	return &WebhookEndpointCreated{WebhookEndpoint: endpointOf(e), WebhookSecret: secret}, nil
}

func endpointOf(e *database.WebhookEndpoint) WebhookEndpoint {
	events := []string{}
	if e.Events != "" {
		events = strings.Split(e.Events, ",")
	}
	return WebhookEndpoint{ID: e.ID, URL: e.URL, Events: events, Disabled: e.Disabled, Created: rpc.NewTimestamp(e.CreatedAt)}
}

func (h *Handlers) endpointList(ctx context.Context, call *rpc.Call, _ *WebhookEndpointListRequest) (*WebhookEndpointList, error) {
	rows, err := h.Accounts.ListEndpoints(ctx, call.AccountID())
	if err != nil {
		return nil, err
	}
	out := &WebhookEndpointList{Data: []WebhookEndpoint{}}
	for i := range rows {
		out.Data = append(out.Data, endpointOf(&rows[i]))
	}
	return out, nil
}

func (h *Handlers) endpointDelete(ctx context.Context, call *rpc.Call, req *WebhookEndpointIDRequest) (*WebhookEndpoint, error) {
	e, err := h.Accounts.DeleteEndpoint(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, err
	}
	out := endpointOf(e)
	return &out, nil
}

func (h *Handlers) endpointUpdate(ctx context.Context, call *rpc.Call, req *WebhookEndpointUpdateRequest) (*WebhookEndpoint, error) {
	e, err := h.Accounts.UpdateEndpoint(ctx, call.AccountID(), req.ID,
		accounts.EndpointChange{URL: req.URL, Events: req.Events, Disabled: req.Disabled}, verifications.AllEvents)
	if err != nil {
		return nil, err
	}
	out := endpointOf(e)
	return &out, nil
}

func (h *Handlers) endpointTest(ctx context.Context, call *rpc.Call, req *WebhookEndpointTestRequest) (*WebhookEndpointTestSent, error) {
	e, err := h.Accounts.GetEndpoint(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, err
	}
	c, err := h.Verifications.SendTest(ctx, e, req.Event)
	if err != nil {
		return nil, err
	}
	return &WebhookEndpointTestSent{CallbackID: c.ID, EndpointID: e.ID, Event: c.Event, State: pendingState(c.State), WebhookID: c.MessageID}, nil
}
