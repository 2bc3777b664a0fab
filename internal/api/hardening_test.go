package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// A progressive JPEG with thousands of scans is refused at every upload an
// end user's session token or a key reaches, before anything is stored or
// queued: the check reads the markers, it decodes nothing.
func TestScanBombRefusedAtEveryUpload(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "scan bomb")
	bomb := apitest.B64(testenv.ScanBomb(t, 1500, 3000))
	refused := func(what string, r apitest.Reply) {
		t.Helper()
		if r.Status != 400 || r.Str("error_name") != "InvalidImage" {
			t.Errorf("%s: %d %s", what, r.Status, r.Raw)
		}
	}
	cr := c.Call("session.create", nil)
	dev := apitest.Device(c, cr.Str("token"))
	refused("session.upload", dev.Call("session.upload", map[string]any{"kind": "document_front", "image": bomb}))
	if r := c.Call("session.get", map[string]any{"id": cr.Num("id")}); r.Str("state") != "CREATED" {
		t.Errorf("the session moved on after a refused upload: %s", r.Raw)
	}
	spec := c.Call("specification.list", map[string]any{"country_code": "US"}).Body["data"].([]any)[0].(map[string]any)["id"]
	refused("photo.process", c.Call("photo.process", map[string]any{"photo": bomb, "spec_id": spec}))
	v := c.Call("verification.create", apitest.ExpectAnna).Num("id")
	d := apitest.Doc("usps1583", v, "PHOTO_ID", 2, "US", nil)
	d["front_side_data"] = bomb
	refused("document.create", c.Call("document.create", d))
}

// A PDF that declares a huge page is refused from its header: nothing is
// drawn in the request (the worker draws accepted pages, within the pixel limit).
func TestPDFPageBombRefused(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "pdf bomb")
	v := c.Call("verification.create", apitest.ExpectAnna).Num("id")
	if r := c.Call("document.create", apitest.Doc("usps1583", v, "PROOF_OF_ADDRESS", 20, "USA", testenv.BlankPDF(100000, 100000))); r.Status != 400 || r.Str("error_name") != "PhotoTooLarge" {
		t.Errorf("a 100000 pt page: %d %s", r.Status, r.Raw)
	}
	if r := c.Call("document.create", apitest.Doc("usps1583", v, "PROOF_OF_ADDRESS", 20, "USA", testenv.BlankPDF(612, 792))); r.Status != 200 {
		t.Errorf("a letter page: %d %s", r.Status, r.Raw)
	}
}

// keyClient makes a key through the API with the given request and returns a client for it.
func keyClient(t *testing.T, c *apitest.Client, req map[string]any) (*apitest.Client, apitest.Reply) {
	t.Helper()
	r := c.Call("api_key.create", req)
	if r.Status != 200 {
		return nil, r
	}
	return &apitest.Client{T: t, Base: c.Base, Auth: apitest.Basic(r.Str("public_key"), r.Str("secret"))}, r
}

// No credential makes another that reaches further than itself: a scoped key
// adds no console user above its scopes, and a key that expires makes none
// that outlives it.
func TestNoCredentialMintsMore(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	full, _, _, _ := apitest.Account(t, s, "reach")
	keysOnly, r := keyClient(t, full, map[string]any{"name": "keys only", "scopes": []string{"keys"}})
	if keysOnly == nil {
		t.Fatalf("keys-only key: %s", r.Raw)
	}
	for _, role := range []string{"owner", "reviewer", "viewer"} {
		if r := keysOnly.Call("user.create", map[string]any{"email": role + "@example.com", "role": role}); r.Status != 403 || r.Str("error_name") != "PermissionDenied" {
			t.Errorf("a keys-only key made a %s: %d %s", role, r.Status, r.Raw)
		}
	}
	if r := full.Call("user.create", map[string]any{"email": "owner@example.com", "role": "owner"}); r.Status != 200 {
		t.Errorf("a full key made no owner: %s", r.Raw)
	}
	in1h := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	expiring, r := keyClient(t, full, map[string]any{"name": "an hour", "expires": in1h.Format(time.RFC3339)})
	if expiring == nil {
		t.Fatalf("expiring key: %s", r.Raw)
	}
	if r := expiring.Call("api_key.create", map[string]any{"name": "longer", "expires": in1h.Add(time.Hour).Format(time.RFC3339)}); r.Status != 403 {
		t.Errorf("a child outliving its parent: %d %s", r.Status, r.Raw)
	}
	if _, r := keyClient(t, expiring, map[string]any{"name": "no expiry asked"}); r.Str("expires") != in1h.Format(time.RFC3339) {
		t.Errorf("a child without expiry: expires %q, want its parent's %s", r.Str("expires"), in1h.Format(time.RFC3339))
	}
	if r := expiring.Call("user.create", map[string]any{"email": "forever@example.com", "role": "owner"}); r.Status != 403 {
		t.Errorf("an expiring key made an owner, who never expires: %d %s", r.Status, r.Raw)
	}
	// read_only reads every class but the keys class: keys, users, the audit log.
	readOnly, _ := keyClient(t, full, map[string]any{"name": "reader", "scopes": []string{"read_only"}})
	for _, m := range []string{"api_key.list", "user.list", "audit_event.list"} {
		if r := readOnly.Call(m, nil); r.Status != 403 {
			t.Errorf("read_only on %s: %d", m, r.Status)
		}
	}
	if r := readOnly.Call("session.list", nil); r.Status != 200 {
		t.Errorf("read_only on session.list: %d %s", r.Status, r.Raw)
	}
}

// An Idempotency-Key is the caller's: one session's token never replays
// what another session's token stored under the same key.
func TestIdempotencyKeysPerCaller(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "idempotency")
	img := apitest.B64(testenv.ReadPhoto(t, testenv.PhotoGrace512))
	a, b := c.Call("session.create", nil), c.Call("session.create", nil)
	devA, devB := apitest.Device(c, a.Str("token")), apitest.Device(c, b.Str("token"))
	for _, dev := range []*apitest.Client{devA, devB} {
		if r := dev.Call("session.upload", map[string]any{"kind": "document_front", "image": img}); r.Status != 200 {
			t.Fatalf("upload: %s", r.Raw)
		}
	}
	if r := devA.With("Idempotency-Key", "submit-1").Call("session.submit", nil); r.Status != 200 {
		t.Fatalf("A: %s", r.Raw)
	}
	if r := devA.With("Idempotency-Key", "submit-1").Call("session.submit", nil); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("A's own retry was not replayed: %s", r.Raw)
	}
	r := devB.With("Idempotency-Key", "submit-1").Call("session.submit", nil)
	if r.Status != 200 || r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("B got A's stored answer: %d replayed=%q", r.Status, r.Header.Get("Idempotent-Replayed"))
	}
	if st := c.Call("session.get", map[string]any{"id": b.Num("id")}); st.Str("state") != "PROCESSING" {
		t.Errorf("B was not submitted: %s", st.Str("state"))
	}
}

// With trusted proxies, only the listed ranges are: a client on loopback
// cannot rotate X-Forwarded-For past the failed-authentication limit.
func TestTrustedProxiesTrustOnlyTheirRanges(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) {
		c.TrustedProxies = []string{"10.99.0.0/16"}
		c.AuthFailuresPerHour = 3
	}))
	bad := &apitest.Client{T: t, Base: s.URL, Auth: apitest.Basic("public-key-nope", "secret-nope")}
	var last apitest.Reply
	for i := range 6 {
		last = bad.With("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1)).Call("account.get", nil)
	}
	if last.Status != 429 {
		t.Errorf("after 6 failures from loopback with 6 forwarded addresses: %d, want 429", last.Status)
	}
}

// Security headers: stored files are sandboxed downloads; JSON answers and
// the reference page are never sniffed or framed.
func TestSecurityHeaders(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "headers")
	v := c.Call("verification.create", apitest.ExpectAnna).Num("id")
	d := c.Call("document.create", apitest.Doc("usps1583", v, "PROOF_OF_ADDRESS", 20, "USA", testenv.BlankPDF(612, 792)))
	get := func(u string) http.Header {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header
	}
	files := get(d.Str("url_front"))
	if !strings.HasPrefix(files.Get("Content-Disposition"), "attachment") || !strings.Contains(files.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("/files: %v", files)
	}
	for _, h := range []http.Header{c.Call("account.get", nil).Header, get(s.URL + "/api/v1/openapi.json"), get(s.URL + "/healthz")} {
		if h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("JSON answer: %v", h)
		}
	}
	docs := get(s.URL + "/docs")
	if csp := docs.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "'sha256-") {
		t.Errorf("/docs CSP: %q", csp)
	}
}
