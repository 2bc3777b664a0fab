package api

import (
	"errors"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
)

// MapError is the edge between the layers below and the API for what is not
// a rule's refusal: outages of the database or the object store become 503
// with Retry-After. Refusals (*fault.Error) carry their own name and status;
// anything else answers 500.
func MapError(err error) error {
	switch {
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

// missing maps a database miss to the class's NotFound rule.
func missing(err error, rule *fault.Rule, id int64) error {
	if errors.Is(err, database.ErrNotFound) {
		return rpc.ErrNotFound(rule, id)
	}
	return err
}
