package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// A progressive JPEG with thousands of scans is refused at every upload an
// end user's session token or a key reaches, before anything is stored or
// queued: the check reads the markers, it decodes nothing.
func TestScanBombRefusedAtEveryUpload(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := account(t, s, "scan bomb")
	bomb := b64(testenv.ScanBomb(t, 1500, 3000))
	refused := func(what string, r reply) {
		t.Helper()
		if r.Status != 400 || r.str("error_name") != "InvalidImage" {
			t.Errorf("%s: %d %s", what, r.Status, r.Raw)
		}
	}
	cr := c.call("session.create", nil)
	dev := device(c, cr.str("token"))
	refused("session.upload", dev.call("session.upload", map[string]any{"kind": "document_front", "image": bomb}))
	if r := c.call("session.get", map[string]any{"id": cr.num("id")}); r.str("state") != "CREATED" {
		t.Errorf("the session moved on after a refused upload: %s", r.Raw)
	}
	spec := c.call("specification.list", map[string]any{"country_code": "US"}).Body["data"].([]any)[0].(map[string]any)["id"]
	refused("photo.process", c.call("photo.process", map[string]any{"photo": bomb, "spec_id": spec}))
	v := c.call("verification.create", expectAnna).num("id")
	d := doc("usps1583", v, "PHOTO_ID", 2, "US", nil)
	d["front_side_data"] = bomb
	refused("document.create", c.call("document.create", d))
}

// A PDF that declares a huge page is refused from its header: nothing is
// drawn in the request (the worker draws accepted pages, within the pixel limit).
func TestPDFPageBombRefused(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := account(t, s, "pdf bomb")
	v := c.call("verification.create", expectAnna).num("id")
	if r := c.call("document.create", doc("usps1583", v, "PROOF_OF_ADDRESS", 20, "USA", testenv.BlankPDF(100000, 100000))); r.Status != 400 || r.str("error_name") != "PhotoTooLarge" {
		t.Errorf("a 100000 pt page: %d %s", r.Status, r.Raw)
	}
	if r := c.call("document.create", doc("usps1583", v, "PROOF_OF_ADDRESS", 20, "USA", testenv.BlankPDF(612, 792))); r.Status != 200 {
		t.Errorf("a letter page: %d %s", r.Status, r.Raw)
	}
}

// keyClient makes a key through the API with the given request and returns a client for it.
func keyClient(t *testing.T, c *client, req map[string]any) (*client, reply) {
	t.Helper()
	r := c.call("api_key.create", req)
	if r.Status != 200 {
		return nil, r
	}
	return &client{t: t, base: c.base, auth: basic(r.str("public_key"), r.str("secret"))}, r
}

// No credential makes another that reaches further than itself: a scoped key
// adds no console user above its scopes, and a key that expires makes none
// that outlives it.
func TestNoCredentialMintsMore(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	full, _, _, _ := account(t, s, "reach")
	keysOnly, r := keyClient(t, full, map[string]any{"name": "keys only", "scopes": []string{"keys"}})
	if keysOnly == nil {
		t.Fatalf("keys-only key: %s", r.Raw)
	}
	for _, role := range []string{"owner", "reviewer", "viewer"} {
		if r := keysOnly.call("user.create", map[string]any{"email": role + "@example.com", "role": role}); r.Status != 403 || r.str("error_name") != "PermissionDenied" {
			t.Errorf("a keys-only key made a %s: %d %s", role, r.Status, r.Raw)
		}
	}
	if r := full.call("user.create", map[string]any{"email": "owner@example.com", "role": "owner"}); r.Status != 200 {
		t.Errorf("a full key made no owner: %s", r.Raw)
	}
	in1h := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	expiring, r := keyClient(t, full, map[string]any{"name": "an hour", "expires": in1h.Format(time.RFC3339)})
	if expiring == nil {
		t.Fatalf("expiring key: %s", r.Raw)
	}
	if r := expiring.call("api_key.create", map[string]any{"name": "longer", "expires": in1h.Add(time.Hour).Format(time.RFC3339)}); r.Status != 403 {
		t.Errorf("a child outliving its parent: %d %s", r.Status, r.Raw)
	}
	if _, r := keyClient(t, expiring, map[string]any{"name": "no expiry asked"}); r.str("expires") != in1h.Format(time.RFC3339) {
		t.Errorf("a child without expiry: expires %q, want its parent's %s", r.str("expires"), in1h.Format(time.RFC3339))
	}
	if r := expiring.call("user.create", map[string]any{"email": "forever@example.com", "role": "owner"}); r.Status != 403 {
		t.Errorf("an expiring key made an owner, who never expires: %d %s", r.Status, r.Raw)
	}
	// read_only reads every class but the keys class: keys, users, the audit log.
	readOnly, _ := keyClient(t, full, map[string]any{"name": "reader", "scopes": []string{"read_only"}})
	for _, m := range []string{"api_key.list", "user.list", "audit_event.list"} {
		if r := readOnly.call(m, nil); r.Status != 403 {
			t.Errorf("read_only on %s: %d", m, r.Status)
		}
	}
	if r := readOnly.call("session.list", nil); r.Status != 200 {
		t.Errorf("read_only on session.list: %d %s", r.Status, r.Raw)
	}
}

// An Idempotency-Key is the caller's: one session's token never replays
// what another session's token stored under the same key.
func TestIdempotencyKeysPerCaller(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := account(t, s, "idempotency")
	img := b64(testenv.ReadPhoto(t, testenv.PhotoGrace512))
	a, b := c.call("session.create", nil), c.call("session.create", nil)
	devA, devB := device(c, a.str("token")), device(c, b.str("token"))
	for _, dev := range []*client{devA, devB} {
		if r := dev.call("session.upload", map[string]any{"kind": "document_front", "image": img}); r.Status != 200 {
			t.Fatalf("upload: %s", r.Raw)
		}
	}
	if r := devA.with("Idempotency-Key", "submit-1").call("session.submit", nil); r.Status != 200 {
		t.Fatalf("A: %s", r.Raw)
	}
	if r := devA.with("Idempotency-Key", "submit-1").call("session.submit", nil); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("A's own retry was not replayed: %s", r.Raw)
	}
	r := devB.with("Idempotency-Key", "submit-1").call("session.submit", nil)
	if r.Status != 200 || r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("B got A's stored answer: %d replayed=%q", r.Status, r.Header.Get("Idempotent-Replayed"))
	}
	if st := c.call("session.get", map[string]any{"id": b.num("id")}); st.str("state") != "PROCESSING" {
		t.Errorf("B was not submitted: %s", st.str("state"))
	}
}

// A console email is unique within an account only: another account may use
// it, without learning that it exists elsewhere, and signs in by naming the
// account when the same password opens both.
func TestConsoleEmailPerAccount(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	one, oneID, _, _ := account(t, s, "one")
	two, twoID, _, _ := account(t, s, "two")
	for _, c := range []*client{one, two} {
		if r := c.call("user.create", map[string]any{"email": "pat@example.com", "role": "viewer", "password": "same password 123"}); r.Status != 200 {
			t.Fatalf("user.create: %s", r.Raw)
		}
	}
	if r := one.call("user.create", map[string]any{"email": "PAT@example.com", "role": "viewer"}); r.Status != 409 || r.str("error_name") != "UserExists" {
		t.Errorf("the same email twice in one account: %d %s", r.Status, r.Raw)
	}
	b := newBrowser(t, s.URL)
	b.get("/console/login")
	if res, body := b.post("/console/login", url.Values{"email": {"pat@example.com"}, "password": {"same password 123"}}); res.StatusCode != 401 || !strings.Contains(body, "several accounts") {
		t.Errorf("one password, two accounts: %d", res.StatusCode)
	}
	for _, id := range []int64{oneID, twoID} {
		b := newBrowser(t, s.URL)
		b.get("/console/login")
		if res, _ := b.post("/console/login", url.Values{"email": {"pat@example.com"}, "password": {"same password 123"}, "account": {fmt.Sprint(id)}}); res.StatusCode != 303 {
			t.Errorf("sign-in to account %d: %d", id, res.StatusCode)
		}
	}
}

// The sign-in form's token is one the server issued: a pair the client made
// up, even an empty one, is refused.
func TestSignInTokenIssuedByServer(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := account(t, s, "csrf")
	c.call("user.create", map[string]any{"email": "o@example.com", "role": "owner", "password": "a long password 1"})
	for _, token := range []string{"", "made-up", "0123.9999999999.abcd"} {
		b := newBrowser(t, s.URL)
		u, _ := url.Parse(s.URL + "/console/")
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "vd_login_csrf", Value: token, Path: "/console"}})
		res, _ := b.post("/console/login", url.Values{"email": {"o@example.com"}, "password": {"a long password 1"}, "csrf_token": {token}})
		if res.StatusCode != 403 {
			t.Errorf("a client-made pair %q: %d", token, res.StatusCode)
		}
	}
	b := newBrowser(t, s.URL)
	if res := b.login("o@example.com", "a long password 1"); res.StatusCode != 303 {
		t.Errorf("the server's token: %d", res.StatusCode)
	}
}

// With trusted proxies, only the listed ranges are: a client on loopback
// cannot rotate X-Forwarded-For past the failed-authentication limit.
func TestTrustedProxiesTrustOnlyTheirRanges(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) {
		c.TrustedProxies = []string{"10.99.0.0/16"}
		c.AuthFailuresPerHour = 3
	}))
	bad := &client{t: t, base: s.URL, auth: basic("public-key-nope", "secret-nope")}
	var last reply
	for i := range 6 {
		last = bad.with("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1)).call("account.get", nil)
	}
	if last.Status != 429 {
		t.Errorf("after 6 failures from loopback with 6 forwarded addresses: %d, want 429", last.Status)
	}
}

// Security headers: stored files are sandboxed downloads; JSON answers and
// the reference page are never sniffed or framed.
func TestSecurityHeaders(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := account(t, s, "headers")
	v := c.call("verification.create", expectAnna).num("id")
	d := c.call("document.create", doc("usps1583", v, "PROOF_OF_ADDRESS", 20, "USA", testenv.BlankPDF(612, 792)))
	get := func(u string) http.Header {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header
	}
	files := get(d.str("url_front"))
	if !strings.HasPrefix(files.Get("Content-Disposition"), "attachment") || !strings.Contains(files.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("/files: %v", files)
	}
	for _, h := range []http.Header{c.call("account.get", nil).Header, get(s.URL + "/api/v1/openapi.json"), get(s.URL + "/healthz")} {
		if h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("JSON answer: %v", h)
		}
	}
	docs := get(s.URL + "/docs")
	if csp := docs.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "'sha256-") {
		t.Errorf("/docs CSP: %q", csp)
	}
}
