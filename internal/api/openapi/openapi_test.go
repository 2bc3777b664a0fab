package openapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/veridoc/veridoc/internal/api"
	"github.com/veridoc/veridoc/internal/api/openapi"
	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/tools/sdkgen"
)

var update = flag.Bool("update", false, "rewrite testdata/openapi.json")

// registry is the server's method registry (the one the SDK is generated from).
func registry(t *testing.T) *rpc.Registry {
	reg, err := sdkgen.Registry()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func build(t *testing.T) []byte {
	doc, err := openapi.Build(registry(t), api.Webhooks()...)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The document changes only together with its golden copy (go test ./openapi -update).
func TestGolden(t *testing.T) {
	doc := build(t)
	const golden = "testdata/openapi.json"
	if *update {
		if err := os.WriteFile(golden, append(doc, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(doc, '\n'), want) {
		t.Fatal("the OpenAPI document changed; review it and run go test ./openapi -update")
	}
}

func TestValidOpenAPI31(t *testing.T) {
	doc := build(t)
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("%s: %s", e.Message, e.Reason)
		}
	}
	var parsed struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatal(err)
	}
	reg := registry(t)
	if parsed.OpenAPI != "3.1.0" || len(parsed.Paths) != len(reg.Methods()) {
		t.Fatalf("openapi %s with %d paths for %d methods", parsed.OpenAPI, len(parsed.Paths), len(reg.Methods()))
	}
	create := parsed.Paths["/api/v1/api_key.create"]["post"].(map[string]any)
	if params, _ := create["parameters"].([]any); len(params) != 1 {
		t.Error("api_key.create lacks the Idempotency-Key header")
	}
	if _, ok := parsed.Paths["/api/v1/photo.process"]["post"].(map[string]any)["responses"].(map[string]any)["202"]; !ok {
		t.Error("photo.process has no 202 response")
	}
}

// The reference page lists every method with examples and loads nothing from elsewhere.
func TestDocs(t *testing.T) {
	doc := build(t)
	page, err := openapi.Docs(doc)
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	for _, m := range registry(t).Methods() {
		if !strings.Contains(html, `<section id="`+m.Name+`">`) {
			t.Errorf("no section for %s", m.Name)
		}
	}
	// One script, from this server; nothing else loaded, nothing inline.
	if strings.Count(html, "<script") != 1 || !strings.Contains(html, `<script src="/docs/playground.js" defer></script>`) {
		t.Error("the page must load exactly its playground script, from /docs/playground.js")
	}
	for _, bad := range []string{"<link", "@import", "src=\"http", " onclick=", "javascript:"} {
		if strings.Contains(html, bad) {
			t.Errorf("page contains %q: it must not load anything else or run inline code", bad)
		}
	}
	// Each method can be tried, starting from its required properties.
	for _, want := range []string{`data-method="session.get"`, `data-method="session.upload" data-scope="session"`, "&#34;id&#34;: 123"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, want := range []string{`&#34;face_verification&#34;: true`, `&#34;token&#34;: &#34;…&#34;`, "session.approved", "Idempotency-Key"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}
