package api

import (
	"reflect"
	"strings"

	"github.com/veridoc/veridoc/internal/api/openapi"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/domain/verifications"
)

// Webhooks describes the session callbacks and the verification events for
// the OpenAPI document.
func Webhooks() []openapi.Webhook {
	var out []openapi.Webhook
	for _, st := range sessions.CallbackStates {
		out = append(out, openapi.Webhook{Name: "session." + strings.ToLower(st),
			Summary: "A session moved to " + st + " (sent to its callback_url)", Payload: reflect.TypeFor[sessions.Event]()})
	}
	for _, e := range verifications.AllEvents {
		out = append(out, openapi.Webhook{Name: e, Summary: "Sent to the account's webhook endpoints that want " + e,
			Payload: reflect.TypeFor[verifications.Event]()})
	}
	return out
}
