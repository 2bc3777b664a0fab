package api

import (
	"errors"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/retention"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/refuse"
	"github.com/veridoc/veridoc/internal/vision/imaging"
)

// ruleCodes maps each business rule of the domain packages to the error the
// API answers for it.
var ruleCodes = []struct {
	rule error
	code rpc.Code
}{
	{sessions.ErrWebhookSecretMissing, rpc.WebhookSecretMissing},
	{sessions.ErrExpired, rpc.SessionExpired},
	{sessions.ErrSubmitted, rpc.SessionSubmitted},
	{sessions.ErrProcessing, rpc.SessionProcessing},
	{verifications.ErrFlowMismatch, rpc.FlowMismatch},
	{verifications.ErrTypeNotAllowed, rpc.DocumentTypeNotAllowed},
	{verifications.ErrBackSideNotAllowed, rpc.BackSideNotAllowed},
	{verifications.ErrInvalidImage, rpc.InvalidImage},
	{verifications.ErrPDFNotAllowed, rpc.UnsupportedImageType},
	{verifications.ErrFileTooLarge, rpc.PhotoTooLarge},
	{verifications.ErrDuplicateType, rpc.DuplicateDocumentType},
	{verifications.ErrNotEditable, rpc.DocumentNotEditable},
	{verifications.ErrDocumentCanceled, rpc.DocumentCanceled},
	{verifications.ErrMissingDocuments, rpc.MissingDocuments},
	{verifications.ErrNotStarted, rpc.VerificationNotStarted},
	{verifications.ErrNotSubmitted, rpc.VerificationNotSubmitted},
	{verifications.ErrNotApproved, rpc.VerificationNotApproved},
	{verifications.ErrCanceled, rpc.VerificationCanceled},
	{verifications.ErrFinished, rpc.VerificationFinished},
	{verifications.ErrDecisionNotCancelable, rpc.DecisionNotCancelable},
	{retention.ErrTaskRunning, rpc.TaskProcessing},
	{retention.ErrDocumentsReading, rpc.DocumentsProcessing},
}

// MapError is the edge between the domain packages and the API: refusals,
// image errors, idempotency conflicts and outages of the database or the
// object store (503 with Retry-After) become errors of the catalogue.
// Anything else passes through (an *rpc.Error as it is, the rest as a 500).
func MapError(err error) error {
	var r *refuse.Error
	if errors.As(err, &r) {
		for _, rc := range ruleCodes {
			if errors.Is(r.Rule, rc.rule) {
				return rc.code.New("%s", r.Error())
			}
		}
	}
	switch {
	case errors.Is(err, imaging.ErrUnsupportedType):
		return rpc.UnsupportedImageType.New("%s", err.Error())
	case errors.Is(err, imaging.ErrTooLarge), errors.Is(err, imaging.ErrTooManyPixels):
		return rpc.PhotoTooLarge.New("%s", err.Error())
	case errors.Is(err, imaging.ErrUnreadable):
		return rpc.InvalidImage.New("%s", err.Error())
	case errors.Is(err, database.ErrIdempotencyKeyReused):
		return rpc.IdempotencyKeyReused.New("This Idempotency-Key was already used with a different request")
	case errors.Is(err, database.ErrIdempotencyKeyInProgress):
		return rpc.IdempotencyKeyInProgress.New("A request with this Idempotency-Key is still being processed; retry shortly")
	case objectstore.IsUnavailable(err): // before the database: both are network errors underneath
		return unavailable("The object store is not answering; retry shortly")
	case database.IsUnavailable(err):
		return unavailable("The database is not answering; retry shortly")
	}
	return err
}

// outageRetry is the Retry-After of a 503: long enough for a restart.
const outageRetry = 5

func unavailable(msg string) error {
	e := rpc.ServiceUnavailable.New("%s", msg)
	e.RetryAfter = outageRetry
	return e
}

// missing maps a models miss to the class's NotFound error.
func missing(err error, code rpc.Code, id int64) error {
	if errors.Is(err, database.ErrNotFound) {
		return rpc.ErrNotFound(code, id)
	}
	return err
}
