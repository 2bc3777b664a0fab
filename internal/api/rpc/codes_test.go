package rpc_test

import (
	"net/http"
	"testing"

	"github.com/veridoc/veridoc/internal/api"
	"github.com/veridoc/veridoc/internal/api/rpc"
)

// The API's catalogue is every rule the binary declares: the protocol's and,
// through the handlers, each domain package's.
func TestCatalogue(t *testing.T) {
	var _ api.Handlers // the handlers import every domain package that declares rules
	names := map[string]bool{}
	for _, c := range rpc.Catalogue() {
		names[c.Name()] = true
		if c.Status() < 400 || c.Status() > 599 || http.StatusText(c.Status()) == "" {
			t.Errorf("%s: status %d", c.Name(), c.Status())
		}
		e := rpc.AsError(c.New("x"))
		if e.Name != c.Name() || e.Status != c.Status() || e.Message != "x" {
			t.Errorf("%s: sent as %+v", c.Name(), e)
		}
	}
	for _, want := range []string{"InvalidRequest", "SessionNotFound", "SessionExpired", "ApiKeyNotFound", "PhotoTooLarge",
		"FlowMismatch", "TaskProcessing", "IdempotencyKeyReused", "CallbackPending", "PermissionDenied", "InsufficientBalance"} {
		if !names[want] || !rpc.Known(want) {
			t.Errorf("%s is not in the catalogue", want)
		}
	}
	if rpc.Known("SomethingMadeUp") {
		t.Error("Known accepts a made-up name")
	}
}
