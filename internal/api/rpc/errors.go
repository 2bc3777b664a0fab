// Package rpc is Veridoc's Class.method API layer: the method registry, the typed
// adapter that decodes, authorizes, calls and encodes, and the one error type.
package rpc

import (
	"errors"
	"strings"

	"github.com/veridoc/veridoc/internal/platform/fault"
)

// Error is an API error as sent: a stable name clients switch on, a human
// message and the HTTP status. Code refuses with *fault.Error values (a rule of
// the catalogue and a message); everything that answers a request (auth,
// limits, recovery, handlers) writes them through AsError the same way.
type Error struct {
	Name    string `json:"error_name"`
	Message string `json:"error_message"`
	Status  int    `json:"-"`
	// RetryAfter, in seconds, is sent as Retry-After (429s).
	RetryAfter int64 `json:"-"`
}

func (e *Error) Error() string { return e.Name + ": " + e.Message }

// Is matches errors by name, so errors.Is(err, rpc.SessionNotFound.New("")) holds
// for any SessionNotFound.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Name == e.Name
	}
	return false
}

// wire is the *Error sent for a refusal of the catalogue.
func wire(f *fault.Error) *Error {
	return &Error{Name: f.Name(), Message: f.Message, Status: f.Status(), RetryAfter: f.RetryAfter}
}

// ErrInvalidRequest is the usual 400: the message names the property.
func ErrInvalidRequest(format string, args ...any) *fault.Error {
	return InvalidRequest.New(format, args...)
}

// ErrUnauthorized never says which part of the credentials was wrong.
func ErrUnauthorized() *fault.Error {
	return Unauthorized.New("No valid API credentials were provided")
}

// ErrNotFound is a class's NotFound with the usual message:
// ErrNotFound(rpc.APIKeyNotFound, 12) says "No api key found with id: 12".
func ErrNotFound(c Code, id int64) *fault.Error {
	return c.New("No %s found with id: %d", humanClass(strings.TrimSuffix(c.Name(), "NotFound")), id)
}

func ErrMethodNotFound(name string) *fault.Error {
	return MethodNotFound.New("No method named %q", name)
}

func ErrMethodNotAllowed(method string) *fault.Error {
	return MethodNotAllowed.New("%s is not allowed; all API requests are POST", method)
}

func ErrRequestTooLarge(limit int64) *fault.Error {
	return RequestTooLarge.New("The request body exceeds this method's limit of %d bytes", limit)
}

func ErrInternal() *fault.Error {
	return InternalError.New("Something went wrong on our end; the request can be retried")
}

// humanClass turns "ApiKey" into "api key" for messages.
func humanClass(class string) string {
	out := make([]rune, 0, len(class)+4)
	for i, r := range class {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				out = append(out, ' ')
			}
			r += 'a' - 'A'
		}
		out = append(out, r)
	}
	return string(out)
}
