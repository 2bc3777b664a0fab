package rpc

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/platform/clientip"
	"github.com/veridoc/veridoc/internal/platform/fault"
)

// Authenticator resolves the credentials of a request for a scope. It returns
// ErrUnauthorized (or another *Error, e.g. RateLimited) when they do not hold.
type Authenticator func(ctx context.Context, r *http.Request, scope Scope) (Principal, error)

// StoredResponse is a response kept for Idempotency-Key replays.
type StoredResponse struct {
	Status int
	Body   []byte
}

// IdemScope is whose Idempotency-Key it is: the account's and, within it, the
// caller's (an API key, or one session's token): one end user's token can
// never replay an answer another session's token stored.
type IdemScope struct {
	AccountID int64
	Caller    string // "key:12", "session:7"
}

// ScopeOf is the Idempotency-Key scope of a principal.
func ScopeOf(p Principal) IdemScope {
	if p.SessionID != 0 {
		return IdemScope{AccountID: p.AccountID, Caller: fmt.Sprintf("session:%d", p.SessionID)}
	}
	return IdemScope{AccountID: p.AccountID, Caller: fmt.Sprintf("key:%d", p.APIKeyID)}
}

// IdempotencyStore keeps the first result of a side-effecting call per (scope, key).
type IdempotencyStore interface {
	// Begin claims the key. It returns a stored response to replay, or nil to go
	// ahead; an *Error when the key was used with another request or is in flight.
	Begin(ctx context.Context, scope IdemScope, key, method string, requestHash []byte) (*StoredResponse, error)
	// Complete records the response of a claimed key.
	Complete(ctx context.Context, scope IdemScope, key string, res StoredResponse) error
	// Release frees a claimed key whose call failed on our side, so a retry runs again.
	Release(ctx context.Context, scope IdemScope, key string) error
}

// Quota is a caller's rate-limit position after counting a request.
type Quota struct {
	Limit     int64
	Remaining int64 // below zero: over the limit
	Reset     time.Duration
	Scope     LimitScope
}

// LimitScope is whose requests one budget counts.
type LimitScope string

// The budgets: an account's keys together, one API key, one session token.
const (
	LimitAccount LimitScope = "account"
	LimitKey     LimitScope = "key"
	LimitSession LimitScope = "session"
)

// who words a scope for a RateLimited message.
func (s LimitScope) who() string {
	switch s {
	case LimitAccount:
		return "This account"
	case LimitSession:
		return "This session"
	}
	return "This API key"
}

// Limiter counts a request against its caller's limit.
type Limiter func(ctx context.Context, p Principal) (Quota, error)

// Server answers POST /api/v1/<class>.<method> from a Registry.
type Server struct {
	Registry     *Registry
	Authenticate Authenticator
	Idempotency  IdempotencyStore
	Limit        Limiter // nil: no rate limit
	Logger       *slog.Logger
	// MapError turns the errors of domain packages (sentinels, refusals) into
	// *Error values of the catalogue; errors it leaves alone answer 500.
	MapError func(error) error
	// Audit is told of every successful call of a method with side effects
	// (nil: nothing is recorded).
	Audit func(ctx context.Context, r AuditRecord)
}

// AuditRecord is a call worth recording: who did what to which object.
type AuditRecord struct {
	AccountID, APIKeyID, SessionID int64
	Action                         string // the method, or another named action
	Object                         string // "<class>:<id>", "" when the call names none
	IP, RequestID                  string
}

// NewAuditRecord fills the actor, IP and request of a call.
func NewAuditRecord(ctx context.Context, call *Call, action, object string) AuditRecord {
	return AuditRecord{AccountID: call.Principal.AccountID, APIKeyID: call.Principal.APIKeyID, SessionID: call.Principal.SessionID,
		Action: action, Object: object, IP: clientip.From(ctx), RequestID: call.RequestID}
}

// auditObject names the object of a call: the id in its answer, else the id
// in its request, else the first <class>_id there, as "<class>:<id>".
func auditObject(m *Method, body, out []byte) string {
	class, _, _ := strings.Cut(m.Name, ".")
	var res struct {
		ID json.Number `json:"id"`
	}
	if json.Unmarshal(out, &res) == nil && res.ID != "" && res.ID != "0" {
		return class + ":" + res.ID.String()
	}
	var req map[string]json.RawMessage
	if json.Unmarshal(body, &req) != nil {
		return ""
	}
	if id, ok := req["id"]; ok {
		return class + ":" + strings.Trim(string(id), `"`)
	}
	keys := make([]string, 0, len(req))
	for k := range req {
		if strings.HasSuffix(k, "_id") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		var n json.Number
		if json.Unmarshal(req[k], &n) == nil {
			return strings.TrimSuffix(k, "_id") + ":" + n.String()
		}
	}
	return ""
}

func (s *Server) mapError(err error) error {
	if s.MapError != nil {
		return s.MapError(err)
	}
	return err
}

// logged logs an error that will be answered with a 5xx.
func (s *Server) logged(err error, method, reqID string) error {
	if AsError(err).Status >= 500 {
		s.Logger.Error("method failed", "method", method, "err", err, "request_id", reqID)
	}
	return err
}

// Header names.
const (
	HeaderRequestID      = "X-Request-Id"
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderReplayed       = "Idempotent-Replayed"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// RequestID reuses a well-formed client request id or makes a new one.
func RequestID(r *http.Request) string {
	if id := r.Header.Get(HeaderRequestID); requestIDPattern.MatchString(id) {
		return id
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ServeMethod handles one API call to the named method: find it,
// authenticate and authorise, count it, read the body, then run it (through
// the Idempotency-Key store when the caller sent one).
func (s *Server) ServeMethod(w http.ResponseWriter, r *http.Request, name string) {
	reqID := w.Header().Get(HeaderRequestID)
	if reqID == "" {
		reqID = RequestID(r)
		w.Header().Set(HeaderRequestID, reqID)
	}
	m, ok := s.Registry.Lookup(name)
	if !ok {
		WriteError(w, ErrMethodNotFound(name))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		WriteError(w, ErrMethodNotAllowed(r.Method))
		return
	}
	principal, err := s.admit(w, r, m)
	if err != nil {
		WriteError(w, s.logged(err, name, reqID))
		return
	}
	body, err := s.body(w, r, m)
	if err != nil {
		WriteError(w, err)
		return
	}
	call := &Call{RequestID: reqID, Principal: principal, Request: r}
	if key := r.Header.Get(HeaderIdempotencyKey); key != "" && m.SideEffects && s.Idempotency != nil {
		s.once(w, m, call, body, key)
		return
	}
	status, out := s.invoke(r.Context(), w, m, call, body)
	writeRaw(w, status, out)
}

// admit authenticates the caller, checks its key's scopes and counts the
// call against its limit (sending the RateLimit headers).
func (s *Server) admit(w http.ResponseWriter, r *http.Request, m *Method) (Principal, error) {
	ctx := r.Context()
	principal, err := s.Authenticate(ctx, r, m.Scope)
	if err != nil {
		return principal, s.mapError(err)
	}
	if !principal.Allows(m) {
		need := string(m.Permission)
		if m.SideEffects {
			need += ", and it has side effects"
		}
		return principal, PermissionDenied.New("This API key's scopes (%s) do not allow %s (scope %s)", strings.Join(principal.Scopes, ", "), m.Name, need)
	}
	if s.Limit == nil {
		return principal, nil
	}
	q, err := s.Limit(ctx, principal)
	if err != nil {
		return principal, s.mapError(err)
	}
	reset := int64(math.Ceil(q.Reset.Seconds()))
	w.Header().Set("RateLimit-Limit", strconv.FormatInt(q.Limit, 10))
	w.Header().Set("RateLimit-Remaining", strconv.FormatInt(max(q.Remaining, 0), 10))
	w.Header().Set("RateLimit-Reset", strconv.FormatInt(reset, 10))
	// The policy as the IETF RateLimit header draft writes it, and whose budget it is.
	w.Header().Set("RateLimit-Policy", fmt.Sprintf("%d;w=3600", q.Limit))
	w.Header().Set("RateLimit-Scope", string(q.Scope))
	if q.Remaining < 0 {
		e := RateLimited.New("%s made more than %d requests this hour; retry in %d s", q.Scope.who(), q.Limit, reset)
		e.RetryAfter = reset
		return principal, e
	}
	return principal, nil
}

// body reads the request body within the method's limit; a multipart form
// (for methods that take one) becomes the same JSON object.
func (s *Server) body(w http.ResponseWriter, r *http.Request, m *Method) ([]byte, error) {
	body, err := readBody(w, r, m.MaxBody)
	if err != nil {
		return nil, err
	}
	boundary, ok := isMultipart(r.Header.Get("Content-Type"))
	if !ok {
		return body, nil
	}
	if !m.Multipart {
		return nil, UnsupportedMediaType.New("%s takes a JSON body", m.Name)
	}
	return multipartToJSON(body, boundary, m.Request)
}

// once runs a call under its Idempotency-Key: the first result (2xx or 4xx)
// is stored and replayed to retries; a 5xx frees the key so a retry runs again.
func (s *Server) once(w http.ResponseWriter, m *Method, call *Call, body []byte, key string) {
	ctx := call.Request.Context()
	if len(key) > 255 {
		WriteError(w, ErrInvalidRequest("Idempotency-Key: must be at most 255 characters"))
		return
	}
	sum := sha256.Sum256(append([]byte(m.Name+"\n"), body...))
	scope := ScopeOf(call.Principal)
	stored, err := s.Idempotency.Begin(ctx, scope, key, m.Name, sum[:])
	if err != nil {
		WriteError(w, s.mapError(err))
		return
	}
	if stored != nil {
		w.Header().Set(HeaderReplayed, "true")
		writeRaw(w, stored.Status, stored.Body)
		return
	}
	status, out := s.invoke(ctx, w, m, call, body)
	// The claim is finished with a context of its own so a client that hung up
	// does not leave the key claimed.
	finishCtx := context.WithoutCancel(ctx)
	if status >= 500 {
		if err := s.Idempotency.Release(finishCtx, scope, key); err != nil {
			s.Logger.Error("idempotency release", "err", err, "request_id", call.RequestID)
		}
	} else if err := s.Idempotency.Complete(finishCtx, scope, key, StoredResponse{Status: status, Body: out}); err != nil {
		s.Logger.Error("idempotency complete", "err", err, "request_id", call.RequestID)
	}
	writeRaw(w, status, out)
}

// invoke runs the handler, turning panics and unknown errors into 500s.
func (s *Server) invoke(ctx context.Context, w http.ResponseWriter, m *Method, call *Call, body []byte) (status int, out []byte) {
	defer func() {
		if p := recover(); p != nil {
			s.Logger.Error("panic in method", "method", m.Name, "panic", fmt.Sprint(p), "request_id", call.RequestID, "stack", string(debug.Stack()))
			status, out = encodeError(ErrInternal())
		}
	}()
	res, err := m.invoke(ctx, call, body)
	if err != nil {
		err = s.logged(m.restatus(s.mapError(err)), m.Name, call.RequestID)
		setRetryAfter(w, err)
		return encodeError(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		s.Logger.Error("encode response", "method", m.Name, "err", err)
		return encodeError(ErrInternal())
	}
	if m.SideEffects && s.Audit != nil {
		s.Audit(context.WithoutCancel(ctx), NewAuditRecord(ctx, call, m.Name, auditObject(m, body, b)))
	}
	return m.Status, b
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, ErrRequestTooLarge(limit)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, ErrRequestTooLarge(limit)
		}
		return nil, ErrInvalidRequest("The request body could not be read")
	}
	return b, nil
}

// AsError turns any error into the *Error that is sent for it: a refusal of
// the catalogue as its rule says, anything else as a 500.
func AsError(err error) *Error {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr
	}
	var f *fault.Error
	if errors.As(err, &f) {
		return wire(f)
	}
	return wire(ErrInternal())
}

func encodeError(err error) (int, []byte) {
	e := AsError(err)
	b, _ := json.Marshal(e)
	return e.Status, b
}

// WriteError sends err as the error envelope.
func WriteError(w http.ResponseWriter, err error) {
	setRetryAfter(w, err)
	status, b := encodeError(err)
	writeRaw(w, status, b)
}

// setRetryAfter sends Retry-After for an error that carries one (429, 503).
func setRetryAfter(w http.ResponseWriter, err error) {
	if e := AsError(err); e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(e.RetryAfter, 10))
	}
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	if !bytes.HasSuffix(b, []byte("\n")) {
		_, _ = w.Write([]byte("\n"))
	}
}
