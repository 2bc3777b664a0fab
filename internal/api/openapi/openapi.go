// Package openapi generates the OpenAPI 3.1 document of the API from the
// method registry and the Go request and response types, so the document
// cannot drift from the server.
package openapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/veridoc/veridoc/internal/api/rpc"
)

// Build returns the document as JSON (stable order, indented).
func Build(reg *rpc.Registry, hooks ...Webhook) ([]byte, error) {
	g := &gen{schemas: map[string]any{}}
	paths := map[string]any{}
	for _, m := range reg.Methods() {
		paths["/api/v1/"+m.Name] = map[string]any{"post": g.operation(m)}
	}
	var names []string
	for _, c := range rpc.Catalogue() {
		names = append(names, c.Name())
	}
	sort.Strings(names)
	g.schemas["Error"] = map[string]any{
		"type": "object", "required": []string{"error_name", "error_message"},
		"properties": map[string]any{
			"error_name": map[string]any{"type": "string", "enum": names,
				"description": "Stable name to switch on, e.g. SessionNotFound; every name the API sends is listed (rpc/codes.go)"},
			"error_message": map[string]any{"type": "string"},
		},
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Veridoc API", "version": "v1",
			"description": "Identity verification and ID photos. Every operation is POST /api/v1/<class>.<method> (alias /api/<class>.<method>)."},
		"servers": []any{map[string]any{"url": "http://localhost:4000"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": g.schemas,
			"securitySchemes": map[string]any{
				"basicAuth":  map[string]any{"type": "http", "scheme": "basic", "description": "public-key-… as user, secret-… as password"},
				"bearerAuth": map[string]any{"type": "http", "scheme": "bearer", "description": "secret-…"},
				"sessionToken": map[string]any{"type": "http", "scheme": "bearer",
					"description": "st_…: the token of one verification session (session.create), for the end user's device"},
			},
			"responses": map[string]any{
				"Error": map[string]any{"description": "Error envelope", "content": jsonContent(ref("Error"))},
			},
		},
		"security": []any{map[string]any{"basicAuth": []any{}}, map[string]any{"bearerAuth": []any{}}},
	}
	if len(hooks) > 0 {
		webhooks := map[string]any{}
		for _, h := range hooks {
			webhooks[h.Name] = g.webhook(h)
		}
		doc["webhooks"] = webhooks
	}
	return json.MarshalIndent(doc, "", "  ")
}

// Webhook is an event Veridoc POSTs to integrators (signed per Standard Webhooks).
type Webhook struct {
	Name    string // e.g. "session.approved"
	Summary string
	Payload reflect.Type
}

func (g *gen) webhook(h Webhook) map[string]any {
	header := func(name, desc string) map[string]any {
		return map[string]any{"name": name, "in": "header", "required": true, "description": desc, "schema": map[string]any{"type": "string"}}
	}
	return map[string]any{"post": map[string]any{
		"operationId": "webhook_" + nonIdent.ReplaceAllString(h.Name, "_"),
		"summary":     h.Summary,
		"parameters": []any{
			header("webhook-id", "Message id, the same on every retry of one event: deduplicate on it"),
			header("webhook-timestamp", "Unix seconds when this attempt was signed"),
			header("webhook-signature", "v1,<base64 HMAC-SHA256 of id.timestamp.body> with the account's webhook secret"),
		},
		"requestBody": map[string]any{"required": true, "content": jsonContent(g.schemaFor(h.Payload, false))},
		"responses": map[string]any{
			"2XX": map[string]any{"description": "Received; no more attempts"},
			"410": map[string]any{"description": "Gone: Veridoc stops sending to this URL"},
		},
	}}
}

type gen struct {
	schemas map[string]any
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func jsonContent(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

func (g *gen) operation(m *rpc.Method) map[string]any {
	req := g.schemaFor(m.Request, true)
	content := jsonContent(req)
	if m.Multipart {
		content["multipart/form-data"] = map[string]any{"schema": req}
	}
	op := map[string]any{
		"operationId": strings.ReplaceAll(m.Name, ".", "_"),
		"summary":     m.Summary,
		"tags":        []string{strings.SplitN(m.Name, ".", 2)[0]},
		"requestBody": map[string]any{"required": false, "content": content},
		"responses": map[string]any{
			strconv.Itoa(m.Status): map[string]any{"description": http.StatusText(m.Status), "content": jsonContent(g.schemaFor(m.Response, false))},
			"default":              map[string]any{"$ref": "#/components/responses/Error"},
		},
		"x-body-limit-bytes": m.MaxBody,
		"x-scope":            string(m.Scope),
		"x-key-scope":        string(m.Permission), // what api_key.create's scopes must include
	}
	if m.Scope == rpc.ScopeSession {
		op["security"] = []any{map[string]any{"sessionToken": []any{}}}
	}
	if m.SideEffects {
		op["parameters"] = []any{map[string]any{
			"name": "Idempotency-Key", "in": "header", "required": false,
			"description": "The first result is stored and replayed for 24 h; reuse with another body is 409 IdempotencyKeyReused.",
			"schema":      map[string]any{"type": "string", "maxLength": 255},
		}}
	}
	return op
}

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9]+`)

// componentName turns "ListResponse[github.com/…/api.Task]" into "ListResponse_Task".
func componentName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		inner := name[i+1 : len(name)-1]
		if j := strings.LastIndexByte(inner, '.'); j >= 0 {
			inner = inner[j+1:]
		}
		name = name[:i] + "_" + inner
	}
	return nonIdent.ReplaceAllString(name, "_")
}

var timestampType = reflect.TypeFor[rpc.Timestamp]()

// schemaFor describes a type; named structs become components.
func (g *gen) schemaFor(t reflect.Type, request bool) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	var s map[string]any
	switch {
	case t == timestampType:
		s = map[string]any{"type": "string", "format": "date-time", "examples": []string{"2024-01-27T00:00:00Z"}}
	case t.Kind() == reflect.Struct:
		name := componentName(t)
		if request {
			name += "Request"
			if strings.HasSuffix(componentName(t), "Request") {
				name = componentName(t)
			}
		}
		if _, done := g.schemas[name]; !done {
			g.schemas[name] = map[string]any{} // placeholder for recursion
			g.schemas[name] = g.object(t, request)
		}
		s = ref(name)
	case t.Kind() == reflect.Slice:
		s = map[string]any{"type": "array", "items": g.schemaFor(t.Elem(), request)}
	case t.Kind() == reflect.Bool:
		s = map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		s = map[string]any{"type": "integer", "format": "int64"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		s = map[string]any{"type": "number"}
	case t.Kind() == reflect.String:
		s = map[string]any{"type": "string"}
	default:
		s = map[string]any{}
	}
	if nullable {
		return map[string]any{"oneOf": []any{s, map[string]any{"type": "null"}}}
	}
	return s
}

func (g *gen) object(t reflect.Type, request bool) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, request, props, &required)
	sort.Strings(required)
	obj := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		obj["required"] = required
	}
	return obj
}

func (g *gen) fields(t reflect.Type, request bool, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			g.fields(f.Type, request, props, required)
			continue
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.schemaFor(f.Type, request)
		if enum := rpc.EnumValues(f.Type); enum != nil {
			s = copyMap(s)
			if items, ok := s["items"].(map[string]any); ok && s["type"] == "array" {
				// An enum on a list applies to its elements (the decoder checks each).
				items = copyMap(items)
				items["enum"] = enum
				s["items"] = items
			} else {
				s["enum"] = enum
			}
		}
		props[name] = s
		switch {
		case request && strings.Contains(f.Tag.Get("rpc"), "required"):
			*required = append(*required, name)
		case !request && !strings.Contains(opts, "omitempty"):
			*required = append(*required, name)
		}
	}
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
