package client

import (
	"context"
	"errors"
	"net/http"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Wait polls task.get until the photo task finishes (SUCCESS or FAILURE),
// backing off from 250 ms to 4 s between polls. ctx bounds the wait.
func (s *TaskService) Wait(ctx context.Context, id int64) (*Task, error) {
	delay := 250 * time.Millisecond
	for {
		t, err := s.Get(ctx, &TaskIDRequest{ID: id})
		if err != nil {
			return nil, err
		}
		if t.State == "SUCCESS" || t.State == "FAILURE" {
			return t, nil
		}
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return t, ctx.Err()
		case <-timer.C:
		}
		delay = min(2*delay, 4*time.Second)
	}
}

// ErrBadSignature is returned by VerifyWebhook for a callback that was not
// signed with the secret, or is more than five minutes old or ahead.
var ErrBadSignature = errors.New("veridoc: webhook signature does not verify")

// VerifyWebhook checks a callback's Standard Webhooks signature
// (webhook-id, webhook-timestamp, webhook-signature) against the account's
// secret (webhook_secret.rotate). Use it before trusting the body.
func VerifyWebhook(secret string, header http.Header, body []byte) error {
	if secret == "" {
		return ErrBadSignature
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return err
	}
	if err := wh.Verify(body, header); err != nil {
		return errors.Join(ErrBadSignature, err)
	}
	return nil
}
