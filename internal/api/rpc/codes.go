package rpc

import "net/http"

// Code is one entry of the error catalogue: the stable error_name clients
// switch on and the HTTP status it is sent with. Its fields are unexported, so
// the only codes are the ones declared below: an error name cannot be made up
// at a call site.
type Code struct {
	name   string
	status int
}

// Name is the error_name.
func (c Code) Name() string { return c.name }

// Status is the HTTP status.
func (c Code) Status() int { return c.status }

// New builds an error of this code with a formatted message.
//
//	return nil, rpc.SessionSubmitted.New("Session %d was submitted; it takes no more changes", id)
func (c Code) New(format string, args ...any) *Error { return newError(c, format, args...) }

// The catalogue. Each error is declared here once; Catalogue lists them for
// the OpenAPI document and the registry tests. Twirp's code table is the model.
var (
	// Requests and the protocol.
	InvalidRequest           = Code{"InvalidRequest", http.StatusBadRequest}
	Unauthorized             = Code{"Unauthorized", http.StatusUnauthorized}
	PermissionDenied         = Code{"PermissionDenied", http.StatusForbidden} // outside the key's scopes
	NotFound                 = Code{"NotFound", http.StatusNotFound}          // no such path
	MethodNotFound           = Code{"MethodNotFound", http.StatusNotFound}
	MethodNotAllowed         = Code{"MethodNotAllowed", http.StatusMethodNotAllowed}
	RequestTooLarge          = Code{"RequestTooLarge", http.StatusRequestEntityTooLarge}
	UnsupportedMediaType     = Code{"UnsupportedMediaType", http.StatusUnsupportedMediaType}
	RateLimited              = Code{"RateLimited", http.StatusTooManyRequests}
	IdempotencyKeyReused     = Code{"IdempotencyKeyReused", http.StatusConflict}
	IdempotencyKeyInProgress = Code{"IdempotencyKeyInProgress", http.StatusConflict}
	InternalError            = Code{"InternalError", http.StatusInternalServerError}
	// ServiceUnavailable: the database or the object store does not answer;
	// sent with Retry-After, and safe to retry.
	ServiceUnavailable = Code{"ServiceUnavailable", http.StatusServiceUnavailable}

	// Objects that are not there (or belong to another account).
	AccountNotFound         = Code{"AccountNotFound", http.StatusNotFound}
	APIKeyNotFound          = Code{"ApiKeyNotFound", http.StatusNotFound}
	SpecificationNotFound   = Code{"SpecificationNotFound", http.StatusNotFound}
	TaskNotFound            = Code{"TaskNotFound", http.StatusNotFound}
	TransactionNotFound     = Code{"TransactionNotFound", http.StatusNotFound}
	SessionNotFound         = Code{"SessionNotFound", http.StatusNotFound}
	FlowNotFound            = Code{"FlowNotFound", http.StatusNotFound}
	VerificationNotFound    = Code{"VerificationNotFound", http.StatusNotFound}
	DocumentNotFound        = Code{"DocumentNotFound", http.StatusNotFound}
	DecisionNotFound        = Code{"DecisionNotFound", http.StatusNotFound}
	WebhookEndpointNotFound = Code{"WebhookEndpointNotFound", http.StatusNotFound}
	UserNotFound            = Code{"UserNotFound", http.StatusNotFound}
	// UserExists: the email already signs in to the console.
	UserExists = Code{"UserExists", http.StatusConflict}

	// Images and files.
	InvalidImage         = Code{"InvalidImage", http.StatusBadRequest}
	UnsupportedImageType = Code{"UnsupportedImageType", http.StatusUnsupportedMediaType}
	PhotoTooLarge        = Code{"PhotoTooLarge", http.StatusRequestEntityTooLarge}

	// Billing.
	InsufficientBalance = Code{"InsufficientBalance", http.StatusPaymentRequired}
	SandboxOnly         = Code{"SandboxOnly", http.StatusForbidden}

	// Sessions and callbacks.
	WebhookSecretMissing = Code{"WebhookSecretMissing", http.StatusConflict}
	SessionExpired       = Code{"SessionExpired", http.StatusConflict}
	SessionSubmitted     = Code{"SessionSubmitted", http.StatusConflict}
	SessionProcessing    = Code{"SessionProcessing", http.StatusConflict}
	CallbackNotFound     = Code{"CallbackNotFound", http.StatusNotFound}
	CallbackPending      = Code{"CallbackPending", http.StatusConflict}
	EndpointDisabled     = Code{"EndpointDisabled", http.StatusConflict}

	// Document verification flows: a business rule refused is a 400, as in 002_*.
	FlowMismatch             = Code{"FlowMismatch", http.StatusBadRequest}
	DocumentTypeNotAllowed   = Code{"DocumentTypeNotAllowed", http.StatusBadRequest}
	BackSideNotAllowed       = Code{"BackSideNotAllowed", http.StatusBadRequest}
	DuplicateDocumentType    = Code{"DuplicateDocumentType", http.StatusBadRequest}
	DocumentNotEditable      = Code{"DocumentNotEditable", http.StatusBadRequest}
	DocumentCanceled         = Code{"DocumentCanceled", http.StatusBadRequest}
	MissingDocuments         = Code{"MissingDocuments", http.StatusBadRequest}
	VerificationNotStarted   = Code{"VerificationNotStarted", http.StatusBadRequest}
	VerificationNotSubmitted = Code{"VerificationNotSubmitted", http.StatusBadRequest}
	VerificationNotApproved  = Code{"VerificationNotApproved", http.StatusBadRequest}
	VerificationCanceled     = Code{"VerificationCanceled", http.StatusBadRequest}
	VerificationFinished     = Code{"VerificationFinished", http.StatusBadRequest}
	DecisionNotCancelable    = Code{"DecisionNotCancelable", http.StatusBadRequest}
	DocumentsProcessing      = Code{"DocumentsProcessing", http.StatusBadRequest}
	TaskProcessing           = Code{"TaskProcessing", http.StatusConflict}
)

// Catalogue lists every code (a test checks it against the declarations above).
func Catalogue() []Code {
	return []Code{
		InvalidRequest, Unauthorized, PermissionDenied, NotFound, MethodNotFound, MethodNotAllowed, RequestTooLarge,
		UnsupportedMediaType, RateLimited, IdempotencyKeyReused, IdempotencyKeyInProgress, InternalError, ServiceUnavailable,
		AccountNotFound, APIKeyNotFound, SpecificationNotFound, TaskNotFound, TransactionNotFound, SessionNotFound,
		FlowNotFound, VerificationNotFound, DocumentNotFound, DecisionNotFound, WebhookEndpointNotFound, UserNotFound, UserExists,
		InvalidImage, UnsupportedImageType, PhotoTooLarge,
		InsufficientBalance, SandboxOnly,
		WebhookSecretMissing, SessionExpired, SessionSubmitted, SessionProcessing, CallbackNotFound, CallbackPending, EndpointDisabled,
		FlowMismatch, DocumentTypeNotAllowed, BackSideNotAllowed, DuplicateDocumentType, DocumentNotEditable,
		DocumentCanceled, MissingDocuments, VerificationNotStarted, VerificationNotSubmitted, VerificationNotApproved,
		VerificationCanceled, VerificationFinished, DecisionNotCancelable, DocumentsProcessing, TaskProcessing,
	}
}

// Known tells whether name is in the catalogue.
func Known(name string) bool {
	for _, c := range Catalogue() {
		if c.name == name {
			return true
		}
	}
	return false
}
