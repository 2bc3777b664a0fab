// Package fault names errors for the people and programs that receive them: a
// rule has a stable name (the API's error_name) and a kind that fixes its HTTP
// status, and is declared once, beside the code that refuses by it. The API's
// error catalogue is every rule declared in the binary.
package fault

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Kind is the sort of refusal; it decides the HTTP status.
type Kind uint8

// The kinds, each with the status it is sent with.
const (
	Invalid          Kind = iota + 1 // 400: the request cannot be done as asked
	Unauthorized                     // 401: no valid credentials
	PaymentRequired                  // 402: the balance does not cover it
	Forbidden                        // 403: the credentials may not do this
	NotFound                         // 404: no such object (or another account's)
	MethodNotAllowed                 // 405
	Conflict                         // 409: the object's state refuses it
	TooLarge                         // 413
	UnsupportedMedia                 // 415
	TooManyRequests                  // 429: sent with Retry-After
	Internal                         // 500: a bug or an unexpected failure
	Unavailable                      // 503: a service we need is down; retry
)

var statuses = map[Kind]int{
	Invalid: http.StatusBadRequest, Unauthorized: http.StatusUnauthorized, PaymentRequired: http.StatusPaymentRequired,
	Forbidden: http.StatusForbidden, NotFound: http.StatusNotFound, MethodNotAllowed: http.StatusMethodNotAllowed,
	Conflict: http.StatusConflict, TooLarge: http.StatusRequestEntityTooLarge, UnsupportedMedia: http.StatusUnsupportedMediaType,
	TooManyRequests: http.StatusTooManyRequests, Internal: http.StatusInternalServerError, Unavailable: http.StatusServiceUnavailable,
}

// Status is the HTTP status the kind is sent with.
func (k Kind) Status() int { return statuses[k] }

// ErrInvalidRequest is the usual 400 of every layer: the message names the
// property and what it must be.
var ErrInvalidRequest = Declare("InvalidRequest", Invalid)

// Rule is one named error. Declare it once, at package level:
//
//	var ErrExpired = fault.Declare("SessionExpired", fault.Conflict)
//
// and refuse by it with a message for people:
//
//	return ErrExpired.New("Session %d expired at %s", id, at)
type Rule struct {
	name string
	kind Kind
}

// catalogue holds every declared rule. Rules are declared while packages
// initialise and only read afterwards, as image.RegisterFormat's table is.
var catalogue struct {
	sync.Mutex
	byName map[string]*Rule
}

// Declare registers a rule. A name declared twice is a programming error and
// panics at start, so a name always means one thing.
func Declare(name string, kind Kind) *Rule {
	if name == "" || strings.ContainsAny(name, " _") || name[0] < 'A' || name[0] > 'Z' {
		panic(fmt.Sprintf("fault: %q is not an UpperCamelCase name", name))
	}
	if kind.Status() == 0 {
		panic(fmt.Sprintf("fault: %s has no kind", name))
	}
	catalogue.Lock()
	defer catalogue.Unlock()
	if catalogue.byName == nil {
		catalogue.byName = map[string]*Rule{}
	}
	if _, dup := catalogue.byName[name]; dup {
		panic("fault: " + name + " declared twice")
	}
	r := &Rule{name: name, kind: kind}
	catalogue.byName[name] = r
	return r
}

// Catalogue lists every declared rule, by name.
func Catalogue() []*Rule {
	catalogue.Lock()
	defer catalogue.Unlock()
	out := make([]*Rule, 0, len(catalogue.byName))
	for _, r := range catalogue.byName {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *Rule) int { return strings.Compare(a.name, b.name) })
	return out
}

// Lookup finds a declared rule by name.
func Lookup(name string) (*Rule, bool) {
	catalogue.Lock()
	defer catalogue.Unlock()
	r, ok := catalogue.byName[name]
	return r, ok
}

// Name is the stable error_name.
func (r *Rule) Name() string { return r.name }

// Kind is the sort of refusal.
func (r *Rule) Kind() Kind { return r.kind }

// Status is the HTTP status of the rule's kind.
func (r *Rule) Status() int { return r.kind.Status() }

// Error makes the rule itself an error, so errors.Is(err, rule) finds it.
func (r *Rule) Error() string { return r.name }

// New refuses by the rule with a formatted message.
func (r *Rule) New(format string, args ...any) *Error {
	return &Error{Rule: r, Message: fmt.Sprintf(format, args...)}
}

// Is tells whether err is, or wraps, a refusal by this rule.
func (r *Rule) Is(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Rule == r
}

// Error is a refusal: the rule and a message for people.
type Error struct {
	Rule    *Rule
	Message string
	// RetryAfter, in seconds, is sent as Retry-After (429 and 503).
	RetryAfter int64
}

func (e *Error) Error() string { return e.Rule.name + ": " + e.Message }

// Unwrap lets errors.Is find the rule.
func (e *Error) Unwrap() error { return e.Rule }

// Name is the rule's name.
func (e *Error) Name() string { return e.Rule.name }

// Status is the HTTP status.
func (e *Error) Status() int { return e.Rule.Status() }
