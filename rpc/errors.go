// Package rpc is Veridoc's Class.method API layer: the method registry, the typed
// adapter that decodes, authorizes, calls and encodes, and the one error type.
package rpc

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an API error: a stable name clients switch on, a human message and the
// HTTP status it is sent with. Domain code returns *Error values; everything that
// answers a request (auth, limits, recovery, handlers) writes them the same way.
type Error struct {
	Name    string `json:"error_name"`
	Message string `json:"error_message"`
	Status  int    `json:"-"`
	// RetryAfter, in seconds, is sent as Retry-After (429s).
	RetryAfter int64 `json:"-"`
}

func (e *Error) Error() string { return e.Name + ": " + e.Message }

// Is matches errors by name so callers can write errors.Is(err, rpc.ErrNotFound("x")).
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Name == e.Name
	}
	return false
}

// NewError builds an *Error with a formatted message.
func NewError(status int, name, format string, args ...any) *Error {
	return &Error{Name: name, Message: fmt.Sprintf(format, args...), Status: status}
}

// Common errors. Classes add their own (SessionNotFound, …) with NewError.
func ErrInvalidRequest(format string, args ...any) *Error {
	return NewError(http.StatusBadRequest, "InvalidRequest", format, args...)
}

// ErrUnauthorized never says which part of the credentials was wrong.
func ErrUnauthorized() *Error {
	return NewError(http.StatusUnauthorized, "Unauthorized", "No valid API credentials were provided")
}

func ErrForbidden(format string, args ...any) *Error {
	return NewError(http.StatusForbidden, "Forbidden", format, args...)
}

// ErrNotFound names the class: ErrNotFound("ApiKey", 12) → ApiKeyNotFound.
func ErrNotFound(class string, id int64) *Error {
	return NewError(http.StatusNotFound, class+"NotFound", "No %s found with id: %d", humanClass(class), id)
}

func ErrMethodNotFound(name string) *Error {
	return NewError(http.StatusNotFound, "MethodNotFound", "No method named %q", name)
}

func ErrMethodNotAllowed(method string) *Error {
	return NewError(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed; all API requests are POST", method)
}

func ErrRequestTooLarge(limit int64) *Error {
	return NewError(http.StatusRequestEntityTooLarge, "RequestTooLarge", "The request body exceeds this method's limit of %d bytes", limit)
}

func ErrConflict(name, format string, args ...any) *Error {
	return NewError(http.StatusConflict, name, format, args...)
}

func ErrInternal() *Error {
	return NewError(http.StatusInternalServerError, "InternalError", "Something went wrong on our end; the request can be retried")
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
