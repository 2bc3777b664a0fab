package openapi

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"sort"
	"strings"
)

// Docs renders the reference page (GET /docs) from an OpenAPI document: every
// method with its summary, auth, an example request and an example response
// built from the schemas, and a form to try it (PlaygroundJS, served beside
// the page); then the webhook events. Nothing is fetched from elsewhere.
func Docs(spec []byte) ([]byte, error) {
	var doc struct {
		Info struct {
			Title, Version, Description string
		}
		Paths      map[string]map[string]map[string]any
		Webhooks   map[string]map[string]map[string]any
		Components struct {
			Schemas map[string]map[string]any
		}
	}
	if err := json.Unmarshal(spec, &doc); err != nil {
		return nil, err
	}
	ex := &exampler{schemas: doc.Components.Schemas}
	type method struct {
		Name, Class, Summary, Auth, Request, Response, Status string
		Idempotent                                            bool
		Limit                                                 string
		Try                                                   string // the required properties: a body to start from
		Scope                                                 string // "session" for end-user methods
	}
	var methods []method
	for path, ops := range doc.Paths {
		op := ops["post"]
		m := method{Name: strings.TrimPrefix(path, "/api/v1/"), Summary: fmt.Sprint(op["summary"])}
		m.Class, _, _ = strings.Cut(m.Name, ".")
		m.Auth = "API key (Basic public-key:secret, or Bearer secret)"
		if sc, _ := op["x-key-scope"].(string); sc != "" {
			m.Auth += ", key scope " + sc
		}
		if op["x-scope"] == "session" {
			m.Auth, m.Scope = "Session token (Bearer st_…)", "session"
		}
		if params, ok := op["parameters"].([]any); ok && len(params) > 0 {
			m.Idempotent = true
		}
		if lim, ok := op["x-body-limit-bytes"].(float64); ok {
			m.Limit = humanBytes(int64(lim))
		}
		m.Request = ex.body(op["requestBody"])
		m.Try = ex.required(op["requestBody"])
		for code, r := range op["responses"].(map[string]any) {
			if code != "default" {
				m.Status = code
				m.Response = ex.body(r)
			}
		}
		methods = append(methods, m)
	}
	sort.Slice(methods, func(i, j int) bool { return methods[i].Name < methods[j].Name })
	type hook struct{ Name, Summary, Payload string }
	var hooks []hook
	for name, ops := range doc.Webhooks {
		hooks = append(hooks, hook{Name: name, Summary: fmt.Sprint(ops["post"]["summary"]), Payload: ex.body(ops["post"]["requestBody"])})
	}
	sort.Slice(hooks, func(i, j int) bool { return hooks[i].Name < hooks[j].Name })
	var classes []string
	for _, m := range methods {
		if len(classes) == 0 || classes[len(classes)-1] != m.Class {
			classes = append(classes, m.Class)
		}
	}
	var buf bytes.Buffer
	err := docsPage.Execute(&buf, map[string]any{"Info": doc.Info, "Methods": methods, "Hooks": hooks, "Classes": classes,
		"Error": `{"error_name": "SessionNotFound", "error_message": "No session found with id: 123"}`})
	return buf.Bytes(), err
}

func humanBytes(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

type exampler struct{ schemas map[string]map[string]any }

// body is the pretty JSON example of a request body or response.
func (e *exampler) body(v any) string {
	m, _ := v.(map[string]any)
	content, _ := m["content"].(map[string]any)
	js, _ := content["application/json"].(map[string]any)
	schema, _ := js["schema"].(map[string]any)
	if schema == nil {
		return "{}"
	}
	b, _ := json.MarshalIndent(e.value(schema, "", 0), "", "  ")
	return string(b)
}

// required is a request body with only its required properties, each with
// an example value: what the playground starts from.
func (e *exampler) required(v any) string {
	m, _ := v.(map[string]any)
	content, _ := m["content"].(map[string]any)
	js, _ := content["application/json"].(map[string]any)
	schema, _ := js["schema"].(map[string]any)
	if ref, ok := schema["$ref"].(string); ok {
		schema = e.schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
	}
	props, _ := schema["properties"].(map[string]any)
	req, _ := schema["required"].([]any)
	out := map[string]any{}
	for _, name := range req {
		if p, ok := props[fmt.Sprint(name)].(map[string]any); ok {
			out[fmt.Sprint(name)] = e.value(p, fmt.Sprint(name), 0)
		}
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	return string(b)
}

// value makes an example for a schema; name is the property it is for.
func (e *exampler) value(s map[string]any, name string, depth int) any {
	if ref, ok := s["$ref"].(string); ok {
		if depth > 4 {
			return map[string]any{}
		}
		return e.value(e.schemas[strings.TrimPrefix(ref, "#/components/schemas/")], name, depth+1)
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	typ := s["type"]
	if list, ok := typ.([]any); ok && len(list) > 0 {
		typ = list[0]
	}
	switch typ {
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		for k, p := range props {
			out[k] = e.value(p.(map[string]any), k, depth+1)
		}
		return out
	case "array":
		items, _ := s["items"].(map[string]any)
		if items == nil {
			return []any{}
		}
		return []any{e.value(items, strings.TrimSuffix(name, "s"), depth+1)}
	case "integer":
		if name == "limit" {
			return 20
		}
		return 123
	case "number":
		return 1.5
	case "boolean":
		return true
	case "string":
		switch {
		case s["format"] == "date-time":
			return "2024-01-27T00:00:00Z"
		case strings.HasSuffix(name, "_usd") || strings.HasSuffix(name, "_mm"):
			return "10.50"
		case strings.Contains(name, "country"):
			return "US"
		case strings.HasSuffix(name, "_url") || name == "url":
			return "https://example.com/…"
		case strings.HasSuffix(name, "_data") || name == "photo" || name == "image" || strings.HasSuffix(name, "_base64"):
			return "/9j/4AAQ…base64…"
		case strings.Contains(name, "date"):
			return "2024-01-27"
		}
		return "…"
	}
	return nil
}

var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Info.Title}} reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;display:flex;color:#1d2330}
nav{width:240px;flex:none;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f5f8;padding:16px;box-sizing:border-box;font-size:13px}
nav a{display:block;color:#1d2330;text-decoration:none;padding:1px 0}nav h4{margin:12px 0 4px;text-transform:uppercase;font-size:11px;color:#667}
main{padding:24px 40px;max-width:960px}section{border-top:1px solid #e3e5ea;padding:12px 0}
h2{font-size:18px;margin:8px 0}code,pre{font:13px/1.4 ui-monospace,monospace}pre{background:#f6f8fa;padding:10px;overflow:auto;border-radius:4px}
.meta{color:#555;font-size:13px}.cols{display:grid;grid-template-columns:1fr 1fr;gap:12px}@media(max-width:800px){nav{display:none}.cols{display:block}}
.keys{display:grid;grid-template-columns:auto 1fr;gap:6px 10px;align-items:center;max-width:640px}input,textarea{font:13px ui-monospace,monospace;padding:4px;border:1px solid #c8ccd4;border-radius:4px}
textarea{width:100%;box-sizing:border-box}details.try{margin-top:8px}details.try summary{cursor:pointer;color:#2456c9}button{margin:6px 0;padding:4px 14px}
pre.curl:empty,pre.answer:empty{display:none}
</style><script src="/docs/playground.js" defer></script></head><body>
<nav><strong>{{.Info.Title}} {{.Info.Version}}</strong>{{range $c := .Classes}}<h4>{{$c}}</h4>{{range $.Methods}}{{if eq .Class $c}}<a href="#{{.Name}}">{{.Name}}</a>{{end}}{{end}}{{end}}<h4>webhooks</h4>{{range .Hooks}}<a href="#hook-{{.Name}}">{{.Name}}</a>{{end}}</nav>
<main>
<h1>{{.Info.Title}} reference</h1>
<p>{{.Info.Description}} Requests are JSON objects (a missing body is <code>{}</code>; unknown properties are ignored).
Errors use one envelope, with the HTTP status as fits:</p><pre>{{.Error}}</pre>
<p>The machine-readable document is <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<section id="playground"><h2>Try it</h2><p>Every method below has a <em>Try it</em> form that calls this server with the key you give here.
The key stays in this page's memory: it is not stored, and the curl shown names the secret <code>$VERIDOC_SECRET</code>.</p>
<div class="keys"><label for="pg-public">Public key</label><input id="pg-public" autocomplete="off" spellcheck="false" placeholder="public-key-…">
<label for="pg-secret">Secret</label><input id="pg-secret" type="password" autocomplete="off" placeholder="secret-…">
<label for="pg-token">Session token</label><input id="pg-token" autocomplete="off" spellcheck="false" placeholder="st_… (end-user methods)"></div></section>
{{range .Methods}}<section id="{{.Name}}"><h2>{{.Name}}</h2><p>{{.Summary}}</p>
<p class="meta">POST /api/v1/{{.Name}} · {{.Auth}} · body up to {{.Limit}}{{if .Idempotent}} · honours <code>Idempotency-Key</code>{{end}}</p>
<div class="cols"><div><strong>Request</strong><pre>{{.Request}}</pre></div><div><strong>Response {{.Status}}</strong><pre>{{.Response}}</pre></div></div>
<details class="try"><summary>Try it</summary><textarea rows="6" spellcheck="false" aria-label="{{.Name}} request body">{{.Try}}</textarea>
{{if .Idempotent}}<label>Idempotency-Key <input class="idem" autocomplete="off"></label><br>{{end}}<button type="button" data-method="{{.Name}}" data-scope="{{.Scope}}">Send</button>
<pre class="curl"></pre><pre class="answer" aria-live="polite"></pre></details></section>
{{end}}
<h1 id="webhooks">Webhooks</h1><p>Signed per Standard Webhooks: <code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code> (HMAC-SHA256 with the account's <code>whsec_…</code> secret).</p>
{{range .Hooks}}<section id="hook-{{.Name}}"><h2>{{.Name}}</h2><p>{{.Summary}}</p><pre>{{.Payload}}</pre></section>{{end}}
</main></body></html>
`))

// PlaygroundJS is the reference page's one script, served at /docs/playground.js.
//
//go:embed playground.js
var PlaygroundJS []byte

// DocsStyleHash is the CSP source of the reference page's one inline style
// ('sha256-…'), so the page needs no 'unsafe-inline'.
func DocsStyleHash(page []byte) string {
	start := bytes.Index(page, []byte("<style>"))
	end := bytes.Index(page, []byte("</style>"))
	if start < 0 || end < start {
		return "'none'"
	}
	sum := sha256.Sum256(page[start+len("<style>") : end])
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}
