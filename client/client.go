// Package client is the Go SDK for the Veridoc API. One typed method per API
// method is generated from the server's registry (api_gen.go); this file has
// the transport: authentication, retries as the API recommends (network errors,
// 5xx and 429, up to 4 retries at 2, 4, 8, 16 s plus jitter, never other
// 4xx), an Idempotency-Key on every side-effecting call before its first
// attempt, typed errors and webhook signature checks.
//
//	c := client.New("http://localhost:4000", "public-key-…", "secret-…")
//	s, err := c.Session.Create(ctx, &client.SessionCreateRequest{FaceVerification: true})
package client

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Client calls one Veridoc server.
type Client struct {
	services
	// Tasks is Task under the name the integration guide uses (c.Tasks.Wait).
	Tasks      *TaskService
	baseURL    string
	auth       string
	http       *http.Client
	maxRetries int
	backoff    time.Duration // first retry delay; doubles each time
	userAgent  string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient replaces the HTTP client (its Timeout bounds each attempt).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithTimeout sets the per-attempt timeout (60 s by default: a call may take up to 60 s).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.http.Timeout = d } }

// WithRetries sets how many times a failed call is retried (4 by default) and
// the first delay (2 s by default; then 4, 8, 16 s), each plus up to 25% jitter.
func WithRetries(n int, first time.Duration) Option {
	return func(c *Client) { c.maxRetries, c.backoff = n, first }
}

// New makes a client that authenticates with an API key pair (HTTP Basic).
func New(baseURL, publicKey, secret string, opts ...Option) *Client {
	req, _ := http.NewRequest(http.MethodPost, "http://x", nil)
	req.SetBasicAuth(publicKey, secret)
	return newClient(baseURL, req.Header.Get("Authorization"), opts)
}

// NewWithToken makes a client for the end user's device, authenticated with
// a session token: it may call session.upload, session.submit and session.current.
func NewWithToken(baseURL, sessionToken string, opts ...Option) *Client {
	return newClient(baseURL, "Bearer "+sessionToken, opts)
}

func newClient(baseURL, auth string, opts []Option) *Client {
	c := &Client{baseURL: strings.TrimRight(baseURL, "/"), auth: auth, http: &http.Client{Timeout: 60 * time.Second},
		maxRetries: 4, backoff: 2 * time.Second, userAgent: "veridoc-go/1"}
	for _, o := range opts {
		o(c)
	}
	c.initServices()
	c.Tasks = c.Task
	return c
}

// Error is an answer in the API's error envelope (or a failure to get one).
type Error struct {
	Name       string `json:"error_name"`
	Message    string `json:"error_message"`
	HTTPStatus int    `json:"-"`
	RequestID  string `json:"-"`
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("veridoc: %s (HTTP %d): %s", e.Name, e.HTTPStatus, e.Message)
}

// Sentinels for errors.Is: they match by HTTP status. ErrInvalidRequest also
// matches a 422, which the verification flow methods answer for validation
// errors.
var (
	ErrInvalidRequest = &Error{HTTPStatus: http.StatusBadRequest}
	ErrUnauthorized   = &Error{HTTPStatus: http.StatusUnauthorized}
	ErrForbidden      = &Error{HTTPStatus: http.StatusForbidden}
	ErrNotFound       = &Error{HTTPStatus: http.StatusNotFound}
	ErrConflict       = &Error{HTTPStatus: http.StatusConflict}
	ErrRateLimited    = &Error{HTTPStatus: http.StatusTooManyRequests}
	ErrServer         = &Error{HTTPStatus: http.StatusInternalServerError} // any 5xx
)

// Is matches the sentinels by status (any 5xx for ErrServer) and other
// *Errors by name.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	if t.Name != "" {
		return t.Name == e.Name
	}
	switch t.HTTPStatus {
	case http.StatusInternalServerError:
		return e.HTTPStatus >= 500
	case http.StatusBadRequest:
		return e.HTTPStatus == http.StatusBadRequest || e.HTTPStatus == http.StatusUnprocessableEntity
	}
	return t.HTTPStatus == e.HTTPStatus
}

// Call invokes any method: req is sent as JSON, the answer decoded into res.
// A side-effecting call carries one Idempotency-Key on all its attempts.
func (c *Client) Call(ctx context.Context, method string, sideEffects bool, req, res any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	key := ""
	if sideEffects {
		b := make([]byte, 16)
		_, _ = crand.Read(b)
		key = hex.EncodeToString(b)
	}
	for attempt := 0; ; attempt++ {
		retry, wait, err := c.attempt(ctx, method, body, key, res)
		if !retry || attempt >= c.maxRetries {
			return err
		}
		delay := c.backoff << attempt
		delay += time.Duration(rand.Int64N(int64(delay)/4 + 1))
		if wait > delay {
			delay = wait
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(ctx.Err(), err)
		case <-t.C:
		}
	}
}

// attempt makes one request; retry tells whether a failure may be retried.
func (c *Client) attempt(ctx context.Context, method string, body []byte, key string, res any) (retry bool, wait time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/api/v1/"+method, bytes.NewReader(body))
	if err != nil {
		return false, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Authorization", c.auth)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// Network errors are retried unless the caller gave up.
		return ctx.Err() == nil, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return true, 0, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, res); err != nil {
			return false, 0, fmt.Errorf("veridoc: %s: decode answer: %w", method, err)
		}
		return false, 0, nil
	}
	e := &Error{HTTPStatus: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	if json.Unmarshal(raw, e) != nil || e.Name == "" {
		e.Name, e.Message = "HTTPError", strings.TrimSpace(string(raw))
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests, e.RetryAfter, e
}

// ListRequest is embedded by list methods: limit 1–100 (default 20) and the
// cursor of the previous page.
type ListRequest struct {
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// ListResponse is a page of a list method.
type ListResponse[T any] struct {
	Data       []T    `json:"data"`
	HasMore    bool   `json:"has_more"`
	NextCursor string `json:"next_cursor"`
}

// Timestamp is the API's time format, YYYY-MM-DDTHH:MM:SSZ in UTC (null when zero).
type Timestamp struct{ time.Time }

// MarshalJSON writes the API format.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format("2006-01-02T15:04:05Z") + `"`), nil
}

// UnmarshalJSON reads the API format.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = Timestamp{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339, s)
	t.Time = v
	return err
}

// listAll pages through a list method from start's cursor on, yielding each
// item; the caller's request is copied, never changed.
func listAll[T, R any](ctx context.Context, start R, page func(*R) *ListRequest, list func(context.Context, *R) (*ListResponse[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		req := start
		for {
			res, err := list(ctx, &req)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range res.Data {
				if !yield(item, nil) {
					return
				}
			}
			if !res.HasMore || res.NextCursor == "" {
				return
			}
			page(&req).Cursor = res.NextCursor
		}
	}
}
