package rpc

import (
	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/platform/fault"
)

// Code is one rule of the error catalogue (package fault): a stable
// error_name and the kind that fixes its HTTP status. The protocol's own rules
// are declared here; each domain package declares its rules beside the code
// that refuses by them.
type Code = *fault.Rule

// The protocol's rules.
var (
	InvalidRequest       = fault.ErrInvalidRequest
	Unauthorized         = fault.Declare("Unauthorized", fault.Unauthorized)
	PermissionDenied     = accounts.ErrPermissionDenied              // outside the key's scopes
	NotFound             = fault.Declare("NotFound", fault.NotFound) // no such path
	MethodNotFound       = fault.Declare("MethodNotFound", fault.NotFound)
	MethodNotAllowed     = fault.Declare("MethodNotAllowed", fault.MethodNotAllowed)
	RequestTooLarge      = fault.Declare("RequestTooLarge", fault.TooLarge)
	UnsupportedMediaType = fault.Declare("UnsupportedMediaType", fault.UnsupportedMedia)
	RateLimited          = fault.Declare("RateLimited", fault.TooManyRequests)
	// HTTPSRequired: a plain-HTTP call to a server that takes HTTPS only.
	HTTPSRequired = fault.Declare("HTTPSRequired", fault.Forbidden)
	InternalError = fault.Declare("InternalError", fault.Internal)
	// ServiceUnavailable: the database or the object store does not answer;
	// sent with Retry-After, and safe to retry.
	ServiceUnavailable = fault.Declare("ServiceUnavailable", fault.Unavailable)
)

// Catalogue lists every rule declared in the binary, by name: the protocol's
// and the domain packages'.
func Catalogue() []Code { return fault.Catalogue() }

// Known tells whether name is in the catalogue.
func Known(name string) bool {
	_, ok := fault.Lookup(name)
	return ok
}
