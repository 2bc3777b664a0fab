package verifications

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/domain/callbacks"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
)

// ErrUnknownEvent: a test of an event no endpoint can receive.
var ErrUnknownEvent = fault.Declare("UnknownEvent", fault.Invalid)

// sampleStatus is the status a sample of each event carries: the one its
// real counterpart most often has.
func sampleStatus(event string) string {
	switch event {
	case EventVerificationStarted, EventDocumentUploaded:
		return database.VerificationStarted
	case EventVerificationSubmitted:
		return database.VerificationSubmitted
	case EventVerificationCanceled, EventDocumentCanceled:
		return database.VerificationCanceled
	case EventDecisionCanceled:
		return database.VerificationDoubleCheck
	}
	return database.VerificationApproved
}

// SendTest queues a signed sample of event to an endpoint of the account
// (loaded by the accounts service), delivered, retried and logged like a
// real one. The sample says "test": true and its ids are 0, so a receiver
// cannot mistake it for a verification.
func (sv *Service) SendTest(ctx context.Context, e *database.WebhookEndpoint, event string) (*database.Callback, error) {
	if event == "" {
		event = EventVerificationFinished
	}
	if !slices.Contains(AllEvents, event) {
		return nil, ErrUnknownEvent.New("event: %q is not an event; use one of %s", event, strings.Join(AllEvents, ", "))
	}
	if e.Disabled {
		return nil, callbacks.ErrEndpointDisabled.New("Webhook endpoint %d is disabled; re-enable it with webhook_endpoint.update first", e.ID)
	}
	body, err := json.Marshal(Event{Type: event, Timestamp: sv.Now().UTC().Format(time.RFC3339), Status: sampleStatus(event), Test: true})
	if err != nil {
		return nil, err
	}
	c := &database.Callback{AccountID: e.AccountID, Subject: database.SubjectTest, SubjectID: e.ID, EndpointID: e.ID,
		Event: event, URL: e.URL, Payload: string(body)}
	return c, sv.DB.InTx(ctx, func(tx *database.Tx) error { return callbacks.Enqueue(ctx, sv.Queue, tx, c) })
}
