// Package callbacks delivers signed event notifications (Standard Webhooks)
// to integrators: a durable job per event with exponential backoff over more
// than three days, every attempt logged, and a dialer that refuses internal
// addresses.
package callbacks

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/platform/jobs"
)

// Args is the delivery job of one callback.
type Args struct {
	CallbackID int64 `json:"callback_id"`
}

// Kind names the job.
func (Args) Kind() string { return "callback.deliver" }

// Schedule is the wait after each failed attempt: quick retries for a blip,
// then every 10 h, 77 h in all (Standard Webhooks suggests a similar curve).
var Schedule = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
	10 * time.Hour, 10 * time.Hour, 10 * time.Hour, 10 * time.Hour, 10 * time.Hour, 10 * time.Hour, 10 * time.Hour,
}

// NewSecret makes a signing secret in Standard Webhooks form.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// Enqueue stores a callback and queues its delivery inside tx.
func Enqueue(ctx context.Context, q jobs.Queue, tx *database.Tx, c *database.Callback) error {
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	c.MessageID = "msg_" + hex.EncodeToString(id)
	c.State = database.CallbackPending
	if err := tx.CreateCallback(c); err != nil {
		return err
	}
	_, err := q.InsertTx(ctx, tx, Args{CallbackID: c.ID}, &river.InsertOpts{MaxAttempts: len(Schedule) + 1})
	return err
}

// SecretOverlap is how long a rotated-out secret keeps signing beside the new one.
const SecretOverlap = 24 * time.Hour

// The rules of callbacks.
var (
	ErrNotFound = fault.Declare("CallbackNotFound", fault.NotFound)
	// ErrStillPending: the callback is queued already.
	ErrStillPending = fault.Declare("CallbackPending", fault.Conflict)
	// ErrEndpointDisabled: the callback's endpoint answered 410 or was deleted.
	ErrEndpointDisabled = fault.Declare("EndpointDisabled", fault.Conflict)
)

// Redeliver queues a finished callback again, with the same webhook-id so a
// receiver can tell a repeat. Its attempts go on counting in its log.
func Redeliver(ctx context.Context, db *database.DB, q jobs.Queue, c *database.Callback, now time.Time) error {
	return db.InTx(ctx, func(tx *database.Tx) error {
		if c.EndpointID != 0 {
			disabled, err := tx.EndpointDisabled(c.EndpointID)
			if err != nil {
				return err
			}
			if disabled {
				return ErrEndpointDisabled.New("The endpoint of callback %d is disabled or deleted; re-enable it with webhook_endpoint.update first", c.ID)
			}
		}
		ok, err := tx.RequeueCallback(c, now)
		if err != nil {
			return err
		}
		if !ok {
			return ErrStillPending.New("Callback %d is still being delivered", c.ID)
		}
		_, err = q.InsertTx(ctx, tx, Args{CallbackID: c.ID}, &river.InsertOpts{MaxAttempts: len(Schedule) + 1})
		return err
	})
}

// Worker delivers callbacks.
type Worker struct {
	river.WorkerDefaults[Args]
	DB     *database.DB
	Client *http.Client // from Guard.Client
	Scale  float64      // multiplies Schedule (1 in production)
	Now    func() time.Time
	Logger *slog.Logger
	// Gone is told when a receiver answers 410: stop sending there.
	Gone func(ctx context.Context, c *database.Callback) error
}

// NextRetry follows Schedule.
func (w *Worker) NextRetry(job *river.Job[Args]) time.Time {
	i := min(max(job.Attempt-1, 0), len(Schedule)-1)
	scale := w.Scale
	if scale <= 0 {
		scale = 1
	}
	return w.Now().Add(time.Duration(float64(Schedule[i]) * scale))
}

// Timeout bounds one attempt (the client has its own, shorter, timeout).
func (w *Worker) Timeout(*river.Job[Args]) time.Duration { return jobs.MaxJobTimeout }

// Work makes one delivery attempt.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	c, err := w.DB.CallbackByID(ctx, job.Args.CallbackID)
	if errors.Is(err, database.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if c.State != database.CallbackPending {
		return nil
	}
	attempt := &database.CallbackAttempt{CallbackID: c.ID, AccountID: c.AccountID, Attempt: c.Attempts + 1, CreatedAt: w.Now()}
	account, err := w.DB.GetAccount(ctx, c.AccountID)
	if err != nil {
		return err
	}
	secrets := account.SigningSecrets(w.Now())
	if len(secrets) == 0 {
		// Never send unsigned: the receiver could not tell us from anyone.
		attempt.Error = "the account has no webhook secret (webhook_secret.rotate)"
		return w.finish(ctx, c, attempt, database.CallbackFailed, river.JobCancel(errors.New(attempt.Error)))
	}
	status, sendErr := w.send(ctx, c, secrets)
	attempt.DurationMs = w.Now().Sub(attempt.CreatedAt).Milliseconds()
	attempt.StatusCode = status
	switch {
	case sendErr == nil && status >= 200 && status < 300:
		return w.finish(ctx, c, attempt, database.CallbackDelivered, nil)
	case sendErr == nil && status == http.StatusGone:
		attempt.Error = "410 Gone: deliveries to this URL are disabled"
		if w.Gone != nil {
			if err := w.Gone(ctx, c); err != nil {
				return err
			}
		}
		return w.finish(ctx, c, attempt, database.CallbackDisabled, river.JobCancel(errors.New(attempt.Error)))
	}
	if sendErr != nil {
		attempt.Error = truncate(sendErr.Error(), 500)
		if _, refused := AsRefused(sendErr); refused {
			return w.finish(ctx, c, attempt, database.CallbackFailed, river.JobCancel(sendErr))
		}
	} else {
		attempt.Error = "HTTP " + strconv.Itoa(status)
		sendErr = errors.New(attempt.Error)
	}
	state := database.CallbackPending
	if job.Attempt >= job.MaxAttempts {
		state = database.CallbackFailed
	}
	return w.finish(ctx, c, attempt, state, fmt.Errorf("callback %d attempt %d: %w", c.ID, attempt.Attempt, sendErr))
}

func (w *Worker) finish(ctx context.Context, c *database.Callback, a *database.CallbackAttempt, state string, result error) error {
	if err := w.DB.RecordAttempt(context.WithoutCancel(ctx), c, a, state, w.Now()); err != nil {
		return err
	}
	return result
}

// send POSTs the payload with the Standard Webhooks headers, signed with
// each secret: webhook-signature holds the signatures space-separated, and a
// receiver accepts the message if one of them verifies with its secret.
func (w *Worker) send(ctx context.Context, c *database.Callback, secrets []string) (int, error) {
	ts := w.Now()
	var sigs []string
	for _, secret := range secrets {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			return 0, err
		}
		sig, err := wh.Sign(c.MessageID, ts, []byte(c.Payload))
		if err != nil {
			return 0, err
		}
		sigs = append(sigs, sig)
	}
	sig := strings.Join(sigs, " ")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader([]byte(c.Payload)))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Veridoc-Webhooks/1")
	req.Header.Set(standardwebhooks.HeaderWebhookID, c.MessageID)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	res, err := w.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	return res.StatusCode, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
