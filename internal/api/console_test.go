package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string // the last form token seen
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(raw); m != nil {
		b.csrf = string(m[1])
	}
	return res, string(raw)
}

func (b *browser) get(path string) (*http.Response, string) { return b.do(http.MethodGet, path, nil) }

// post sends a form with the last token seen (unless the form has its own).
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", b.csrf)
	}
	return b.do(http.MethodPost, path, form)
}

func (b *browser) login(email, password string) *http.Response {
	b.t.Helper()
	b.get("/console/login")
	res, _ := b.post("/console/login", url.Values{"email": {email}, "password": {password}})
	return res
}

func consoleUser(t *testing.T, s *testenv.Server, accountID int64, email, role string) string {
	t.Helper()
	_, pw, err := s.Accounts.CreateUser(context.Background(), accountID, accounts.Full, accounts.UserRequest{Email: email, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return pw
}

// doubleCheck makes a submitted verification that waits for a person: a
// driver licence photo without a barcode cannot be read automatically.
func doubleCheck(t *testing.T, c *client) (int64, int64) {
	t.Helper()
	v := c.call("verification.create", expectAnna).num("id")
	id := c.call("document.create", doc("usps1583", v, "PHOTO_ID", 2, "US", testenv.ReadPhoto(t, testenv.PhotoGrace512))).num("id")
	c.call("document.create", doc("usps1583", v, "PROOF_OF_ADDRESS", 20, "USA", testenv.ReadPhoto(t, testenv.PhotoGrace512)))
	testenv.WaitFor(t, 60*time.Second, "documents extracted", func() bool {
		return c.call("document.get", map[string]any{"id": id}).num("status") == 7
	})
	if r := c.call("verification.submit", map[string]any{"id": v}); r.Status != 200 {
		t.Fatalf("submit: %s", r.Raw)
	}
	if got := waitVerification(t, c, v, "APPROVED", "REJECTED", "DOUBLE_CHECK"); got.str("status") != "DOUBLE_CHECK" {
		t.Fatalf("verification: %s", got.Raw)
	}
	return v, id
}

func TestConsole(t *testing.T) {
	s := sessionServer(t, testenv.SQLiteURL(t))
	c, accID, _, _ := account(t, s, "console")
	other, otherID, _, _ := account(t, s, "other")
	vid, docID := doubleCheck(t, c)
	otherV, _ := doubleCheck(t, other)
	ownerPW := consoleUser(t, s, accID, "owner@example.com", accounts.RoleOwner)
	reviewerPW := consoleUser(t, s, accID, "reviewer@example.com", accounts.RoleReviewer)
	viewerPW := consoleUser(t, s, accID, "viewer@example.com", accounts.RoleViewer)
	strangerPW := consoleUser(t, s, otherID, "stranger@example.com", accounts.RoleOwner)

	t.Run("login page, headers, refusals", func(t *testing.T) {
		b := newBrowser(t, s.URL)
		if res, _ := b.get("/console/review"); res.StatusCode != 303 || res.Header.Get("Location") != "/console/login" {
			t.Fatalf("signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		res, body := b.get("/console/login")
		csp := res.Header.Get("Content-Security-Policy")
		if res.StatusCode != 200 || b.csrf == "" || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(body, `type="password"`) {
			t.Fatalf("login page: %d csp %q", res.StatusCode, csp)
		}
		if res, _ := b.post("/console/login", url.Values{"email": {"owner@example.com"}, "password": {ownerPW}, "csrf_token": {"forged"}}); res.StatusCode != 403 {
			t.Errorf("a forged token: %d", res.StatusCode)
		}
		b.get("/console/login")
		if res, body := b.post("/console/login", url.Values{"email": {"owner@example.com"}, "password": {"wrong password!"}}); res.StatusCode != 401 || !strings.Contains(body, "Wrong email or password") {
			t.Errorf("a wrong password: %d", res.StatusCode)
		}
		b.get("/console/login")
		if res, _ := b.post("/console/login", url.Values{"email": {"nobody@example.com"}, "password": {"whatever12345"}}); res.StatusCode != 401 {
			t.Errorf("an unknown email: %d", res.StatusCode)
		}
		res = b.login("OWNER@example.com", ownerPW)
		if res.StatusCode != 303 || res.Header.Get("Location") != "/console/review" {
			t.Fatalf("login: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		var sc *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == "vd_console" && ck.Value != "" {
				sc = ck
			}
		}
		if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode {
			t.Fatalf("session cookie %+v", sc)
		}
		if res, body := b.get("/console/review"); res.StatusCode != 200 || !strings.Contains(body, "/console/verifications/"+strconv.FormatInt(vid, 10)) ||
			strings.Contains(body, "/console/verifications/"+strconv.FormatInt(otherV, 10)+`"`) {
			t.Fatalf("review queue: %d %s", res.StatusCode, body)
		}
		for _, p := range []string{"/console/sessions", "/console/photos", "/console/keys", "/console/billing", "/console/webhooks"} {
			if res, _ := b.get(p); res.StatusCode != 200 {
				t.Errorf("%s: %d", p, res.StatusCode)
			}
		}
		if res, _ := b.get("/console/photos/999999"); res.StatusCode != 404 {
			t.Errorf("a missing photo task: %d", res.StatusCode)
		}
		if res, body := b.get("/console/billing"); res.StatusCode != 200 || !strings.Contains(body, "per photo") {
			t.Errorf("billing: %d", res.StatusCode)
		}
		if res, _ := b.post("/console/billing/deposit", url.Values{"amount_usd": {"10.00"}}); res.StatusCode != 403 {
			t.Errorf("a deposit to a live account: %d", res.StatusCode)
		}
		if res, body := b.get("/console/webhooks"); res.StatusCode != 200 || !strings.Contains(body, "Deliveries") {
			t.Errorf("webhooks: %d", res.StatusCode)
		}
		consoleKeys(t, b, c, s.URL)
		// Signing out ends the session.
		b.get("/console/review")
		if res, _ := b.post("/console/logout", nil); res.StatusCode != 303 {
			t.Fatalf("logout: %d", res.StatusCode)
		}
		if res, _ := b.get("/console/review"); res.StatusCode != 303 {
			t.Errorf("after logout: %d", res.StatusCode)
		}
	})

	t.Run("roles", func(t *testing.T) {
		viewer := newBrowser(t, s.URL)
		viewer.login("viewer@example.com", viewerPW)
		res, body := viewer.get("/console/verifications/" + strconv.FormatInt(vid, 10))
		if res.StatusCode != 200 || strings.Contains(body, "Record decision") || !strings.Contains(body, "BARCODE_NOT_READ") {
			t.Fatalf("viewer's verification page: %d", res.StatusCode)
		}
		if res, _ := viewer.post("/console/verifications/"+strconv.FormatInt(vid, 10)+"/decision", url.Values{"status": {"APPROVED"}}); res.StatusCode != 403 {
			t.Errorf("a viewer approved: %d", res.StatusCode)
		}
		for _, p := range []string{"/console/keys", "/console/billing", "/console/webhooks"} {
			if res, _ := viewer.get(p); res.StatusCode != 403 {
				t.Errorf("viewer on %s: %d", p, res.StatusCode)
			}
		}
		reviewer := newBrowser(t, s.URL)
		reviewer.login("reviewer@example.com", reviewerPW)
		if res, _ := reviewer.get("/console/keys"); res.StatusCode != 403 {
			t.Errorf("reviewer on keys: %d", res.StatusCode)
		}
		stranger := newBrowser(t, s.URL)
		stranger.login("stranger@example.com", strangerPW)
		if res, _ := stranger.get("/console/verifications/" + strconv.FormatInt(vid, 10)); res.StatusCode != 404 {
			t.Errorf("another account's verification: %d", res.StatusCode)
		}
		stranger.get("/console/review")
		if res, _ := stranger.post("/console/verifications/"+strconv.FormatInt(vid, 10)+"/decision", url.Values{"status": {"APPROVED"}}); res.StatusCode != 404 {
			t.Errorf("deciding another account's verification: %d", res.StatusCode)
		}
	})

	t.Run("user methods", func(t *testing.T) {
		r := c.call("user.create", map[string]any{"email": "api-made@example.com", "role": "reviewer"})
		if r.Status != 200 || len(r.str("password")) < 12 || r.str("role") != "reviewer" {
			t.Fatalf("user.create: %s", r.Raw)
		}
		uid := r.num("user_id")
		for _, tc := range []struct {
			body map[string]any
			code int
			name string
		}{
			{map[string]any{"email": "api-made@example.com", "role": "viewer"}, 409, "UserExists"},
			{map[string]any{"email": "x@example.com", "role": "admin"}, 400, "InvalidRequest"},
			{map[string]any{"email": "not-an-email", "role": "viewer"}, 400, "InvalidRequest"},
			{map[string]any{"email": "y@example.com", "role": "viewer", "password": "short"}, 400, "InvalidRequest"},
		} {
			if got := c.call("user.create", tc.body); got.Status != tc.code || got.str("error_name") != tc.name {
				t.Errorf("user.create %v: %s", tc.body, got.Raw)
			}
		}
		b := newBrowser(t, s.URL)
		if res := b.login("api-made@example.com", r.str("password")); res.StatusCode != 303 {
			t.Fatalf("sign in as the API-made user: %d", res.StatusCode)
		}
		if got := other.call("user.delete", map[string]any{"id": uid}); got.Status != 404 || got.str("error_name") != "UserNotFound" {
			t.Errorf("another account's user: %s", got.Raw)
		}
		if got := c.call("user.delete", map[string]any{"id": uid}); got.Status != 200 || got.str("disabled") == "" {
			t.Fatalf("user.delete: %s", got.Raw)
		}
		if res, _ := b.get("/console/review"); res.StatusCode != 303 {
			t.Errorf("a disabled user's session still works: %d", res.StatusCode)
		}
		if res := b.login("api-made@example.com", r.str("password")); res.StatusCode != 401 {
			t.Errorf("a disabled user signed in: %d", res.StatusCode)
		}
		if l := c.call("user.list", nil); len(l.Body["data"].([]any)) != 4 {
			t.Errorf("user.list: %s", l.Raw)
		}
	})

	t.Run("sign-ins are limited per client address", func(t *testing.T) {
		limited := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.ConsoleLoginsPerHour, c.Workers = 3, 0 }))
		b := newBrowser(t, limited.URL)
		for i := 1; i <= 4; i++ {
			b.get("/console/login")
			res, _ := b.post("/console/login", url.Values{"email": {"nobody@example.com"}, "password": {"not the password"}})
			if want := map[bool]int{true: 401, false: 429}[i <= 3]; res.StatusCode != want {
				t.Fatalf("attempt %d: %d, want %d", i, res.StatusCode, want)
			}
		}
	})

	t.Run("a reviewer corrects and approves", func(t *testing.T) {
		b := newBrowser(t, s.URL)
		b.login("reviewer@example.com", reviewerPW)
		path := "/console/verifications/" + strconv.FormatInt(vid, 10)
		b.get(path)
		if res, _ := b.post("/console/verifications/"+strconv.FormatInt(vid, 10)+"/decision", url.Values{"status": {"APPROVED"}, "csrf_token": {"stale"}}); res.StatusCode != 403 {
			t.Errorf("a decision without the form's token: %d", res.StatusCode)
		}
		if res, _ := b.post("/console/documents/"+strconv.FormatInt(docID, 10)+"/extracted", url.Values{"person_surname": {"ERIKSSON"}, "document_number": {"D1234567"}}); res.StatusCode != 303 {
			t.Fatalf("correct: %d", res.StatusCode)
		}
		b.get(path)
		res, _ := b.post("/console/verifications/"+strconv.FormatInt(vid, 10)+"/decision", url.Values{"status": {"APPROVED"}, "comment": {"licence checked by hand"}})
		if res.StatusCode != 303 {
			t.Fatalf("decide: %d", res.StatusCode)
		}
		x := c.call("extracted_data.get", map[string]any{"document_id": docID})
		if x.str("person_surname") != "ERIKSSON" || x.str("document_number") != "D1234567" {
			t.Errorf("after the correction: %s", x.Raw)
		}
		if v := c.call("verification.get", map[string]any{"id": vid}); v.str("status") != "APPROVED" {
			t.Errorf("after the decision: %s", v.Raw)
		}
		dec := c.call("decision.list", map[string]any{"verification_id": vid})
		if !strings.Contains(dec.Raw, `"validation_workflow":"MANUAL"`) || !strings.Contains(dec.Raw, "licence checked by hand") {
			t.Errorf("decisions: %s", dec.Raw)
		}
		audit := c.call("audit_event.list", map[string]any{"object": "verification:" + strconv.FormatInt(vid, 10), "action": "decision.create"})
		if !strings.Contains(audit.Raw, `"actor":"console_user:`) {
			t.Errorf("audit: %s", audit.Raw)
		}
	})
}

var (
	publicKeyRE = regexp.MustCompile(`public-key-[A-Za-z0-9_-]+`)
	secretRE    = regexp.MustCompile(`secret-[A-Za-z0-9_-]{20,}`)
)

// consoleKeys: a key made in the console names its scopes and expires; it
// works within its scopes, and stops at the first call after the console
// revokes it (this process forgets it at once, cached or not).
func consoleKeys(t *testing.T, b *browser, owner *client, base string) {
	t.Helper()
	b.get("/console/keys")
	for _, bad := range []url.Values{
		{"name": {"no scopes"}, "expires_days": {"90"}},
		{"name": {"for ever"}, "scope": {"photos"}, "expires_days": {"0"}},
		{"name": {"made up"}, "scope": {"everything"}, "expires_days": {"30"}},
	} {
		if res, _ := b.post("/console/keys", bad); res.StatusCode != 400 {
			t.Errorf("key form %v: %d, want 400", bad, res.StatusCode)
		}
	}
	res, body := b.post("/console/keys", url.Values{"name": {"from the console"}, "scope": {"sessions", "read_only"}, "expires_days": {"30"}})
	pub, secret := publicKeyRE.FindString(body), secretRE.FindString(body)
	if res.StatusCode != 200 || pub == "" || secret == "" {
		t.Fatalf("create key: %d, public %q", res.StatusCode, pub)
	}
	key := &client{t: t, base: base, auth: basic(pub, secret)}
	if r := key.raw("POST", "/api/v1/session.list", nil); r.Status != 200 {
		t.Fatalf("the console's key in its scope: %s", r.Raw)
	}
	if r := key.raw("POST", "/api/v1/photo.list", nil); r.Status != 403 {
		t.Errorf("the console's key outside its scope: %s", r.Raw)
	}
	var id int64
	for _, k := range owner.call("api_key.list", nil).Body["data"].([]any) {
		k := k.(map[string]any)
		if k["public_key"] == pub {
			id = int64(k["id"].(float64))
			exp, _ := time.Parse(time.RFC3339, k["expires"].(string))
			if d := time.Until(exp); d < 29*24*time.Hour || d > 31*24*time.Hour || fmt.Sprint(k["scopes"]) != "[read_only sessions]" {
				t.Errorf("the console's key: expires in %s, scopes %v", d, k["scopes"])
			}
		}
	}
	b.get("/console/keys")
	if res, _ := b.post(fmt.Sprintf("/console/keys/%d/revoke", id), nil); res.StatusCode != 303 {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if r := key.raw("POST", "/api/v1/session.list", nil); r.Status != 401 {
		t.Errorf("the first call after the console revoked the key: %d, want 401", r.Status)
	}
}
