package rpc

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"time"

	"github.com/veridoc/veridoc/internal/domain/accounts"
)

// Scope says who may call a method.
type Scope string

const (
	// ScopeAccount: an account's API key (Basic public-key/secret, or Bearer secret).
	ScopeAccount Scope = "account"
	// ScopeSession: a verification session's token (Bearer), held by the end
	// user's device; it reaches that one session only.
	ScopeSession Scope = "session"
)

// Permission is the API key scope a method needs (api_key.create's scopes).
type Permission string

// The key scopes (package accounts says what each reaches). A key with none
// may call everything; ReadOnly, alone or beside others, allows only methods
// without side effects.
const (
	PermPhotos    Permission = accounts.ScopePhotos
	PermSessions  Permission = accounts.ScopeSessions
	PermDocuments Permission = accounts.ScopeDocuments
	PermBilling   Permission = accounts.ScopeBilling
	PermKeys      Permission = accounts.ScopeKeys
	ReadOnly                 = accounts.ScopeReadOnly
)

// KeyScopes lists every scope a key may be given.
var KeyScopes = accounts.Scopes

// Spec describes a method once; the server, the OpenAPI document and the SDK read it.
type Spec struct {
	Name        string // "class.method"
	Summary     string
	Scope       Scope
	Permission  Permission // the key scope it needs (ScopeAccount methods)
	MaxBody     int64      // bytes
	SideEffects bool       // honours Idempotency-Key
	Status      int        // success status, 200 unless set
	Multipart   bool       // also accepts multipart/form-data (file parts arrive as base64)
	// Statuses answers some errors of the catalogue with another status for
	// this method, where the API answers so (the verification flow methods: 422 for a
	// validation error), keeping the error_name.
	Statuses map[string]int
}

// restatus applies the method's own status for err, if it has one.
func (spec Spec) restatus(err error) error {
	if len(spec.Statuses) == 0 || err == nil {
		return err
	}
	e := AsError(err)
	st, ok := spec.Statuses[e.Name]
	if !ok {
		return err
	}
	c := *e
	c.Status = st
	return &c
}

// Principal is who a request acts for, set by authentication.
type Principal struct {
	AccountID int64
	APIKeyID  int64
	SessionID int64 // set for ScopeSession
	// RateLimit is the account's requests per hour (0: the server default).
	RateLimit int
	// Scopes limit what the key may call (empty: everything).
	Scopes []string
	// Expires is when the key stops working (nil: never).
	Expires *time.Time
}

// Reach is how far the principal's key reaches: no key it makes, and no user
// it adds, may reach further.
func (p Principal) Reach() accounts.Reach {
	return accounts.Reach{Scopes: p.Scopes, Expires: p.Expires}
}

// Allows tells whether the principal's key scopes let it call m.
func (p Principal) Allows(m *Method) bool {
	return m.Scope != ScopeAccount || p.Reach().Allows(string(m.Permission), m.SideEffects)
}

// Call carries per-request facts into a handler.
type Call struct {
	RequestID string
	Principal Principal
	Request   *http.Request
}

// AccountID is the owner every query of the call must be scoped by.
func (c *Call) AccountID() int64 { return c.Principal.AccountID }

// Handler is a typed method implementation.
type Handler[Req, Res any] func(ctx context.Context, call *Call, req *Req) (*Res, error)

// Method is a registered method with its types.
type Method struct {
	Spec
	Request  reflect.Type
	Response reflect.Type
	invoke   func(ctx context.Context, call *Call, body []byte) (any, error)
}

// Registry holds every method by name.
type Registry struct {
	methods map[string]*Method
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{methods: map[string]*Method{}} }

var methodName = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$`)

// Register adds a typed method. It panics on a malformed or duplicate spec:
// registration happens at start, and a bad table must stop the process.
//
//	rpc.Register(reg, rpc.Spec{Name: "api_key.get", Summary: "…", Scope: rpc.ScopeAccount, MaxBody: 4 << 10}, h.Get)
func Register[Req, Res any](r *Registry, spec Spec, h Handler[Req, Res]) {
	if !methodName.MatchString(spec.Name) {
		panic(fmt.Sprintf("rpc: bad method name %q", spec.Name))
	}
	if _, dup := r.methods[spec.Name]; dup {
		panic(fmt.Sprintf("rpc: method %q registered twice", spec.Name))
	}
	if spec.Summary == "" || spec.Scope == "" || spec.MaxBody <= 0 {
		panic(fmt.Sprintf("rpc: method %q needs a summary, a scope and a body limit", spec.Name))
	}
	if spec.Scope == ScopeAccount && !slices.Contains(KeyScopes, string(spec.Permission)) {
		panic(fmt.Sprintf("rpc: method %q needs the key scope (Permission) that may call it", spec.Name))
	}
	if reflect.TypeFor[Req]().Kind() != reflect.Struct || reflect.TypeFor[Res]().Kind() != reflect.Struct {
		panic(fmt.Sprintf("rpc: method %q: request and response must be structs", spec.Name))
	}
	if spec.Status == 0 {
		spec.Status = http.StatusOK
	}
	r.methods[spec.Name] = &Method{
		Spec:     spec,
		Request:  reflect.TypeFor[Req](),
		Response: reflect.TypeFor[Res](),
		invoke: func(ctx context.Context, call *Call, body []byte) (any, error) {
			req := new(Req)
			if err := Decode(body, req); err != nil {
				return nil, err
			}
			res, err := h(ctx, call, req)
			if err != nil {
				return nil, err
			}
			if res == nil {
				res = new(Res)
			}
			return res, nil
		},
	}
}

// Lookup finds a method by name.
func (r *Registry) Lookup(name string) (*Method, bool) {
	m, ok := r.methods[name]
	return m, ok
}

// Methods lists every method sorted by name.
func (r *Registry) Methods() []*Method {
	out := make([]*Method, 0, len(r.methods))
	for _, m := range r.methods {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
