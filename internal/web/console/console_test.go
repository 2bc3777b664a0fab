package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	sdkclient "github.com/veridoc/veridoc/client"
	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

func TestConsole(t *testing.T) {
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, accID, pub, secret := apitest.Account(t, s, "console")
	other, otherID, _, _ := apitest.Account(t, s, "other")
	vid, docID := apitest.DoubleCheck(t, c)
	otherV, _ := apitest.DoubleCheck(t, other)
	ownerPW := apitest.ConsoleUser(t, s, accID, "owner@example.com", accounts.RoleOwner)
	reviewerPW := apitest.ConsoleUser(t, s, accID, "reviewer@example.com", accounts.RoleReviewer)
	viewerPW := apitest.ConsoleUser(t, s, accID, "viewer@example.com", accounts.RoleViewer)
	strangerPW := apitest.ConsoleUser(t, s, otherID, "stranger@example.com", accounts.RoleOwner)

	t.Run("login page, headers, refusals", func(t *testing.T) {
		b := apitest.NewBrowser(t, s.URL)
		if res, _ := b.Get("/console/review"); res.StatusCode != 303 || res.Header.Get("Location") != "/console/login" {
			t.Fatalf("signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		res, body := b.Get("/console/login")
		csp := res.Header.Get("Content-Security-Policy")
		if res.StatusCode != 200 || b.CSRF == "" || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(body, `type="password"`) {
			t.Fatalf("login page: %d csp %q", res.StatusCode, csp)
		}
		if res, _ := b.Post("/console/login", url.Values{"email": {"owner@example.com"}, "password": {ownerPW}, "csrf_token": {"forged"}}); res.StatusCode != 403 {
			t.Errorf("a forged token: %d", res.StatusCode)
		}
		b.Get("/console/login")
		if res, body := b.Post("/console/login", url.Values{"email": {"owner@example.com"}, "password": {"wrong password!"}}); res.StatusCode != 401 || !strings.Contains(body, "Wrong email or password") {
			t.Errorf("a wrong password: %d", res.StatusCode)
		}
		b.Get("/console/login")
		if res, _ := b.Post("/console/login", url.Values{"email": {"nobody@example.com"}, "password": {"whatever12345"}}); res.StatusCode != 401 {
			t.Errorf("an unknown email: %d", res.StatusCode)
		}
		res = b.Login("OWNER@example.com", ownerPW)
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
		if res, body := b.Get("/console/review"); res.StatusCode != 200 || !strings.Contains(body, "/console/verifications/"+strconv.FormatInt(vid, 10)) ||
			strings.Contains(body, "/console/verifications/"+strconv.FormatInt(otherV, 10)+`"`) {
			t.Fatalf("review queue: %d %s", res.StatusCode, body)
		}
		for _, p := range []string{"/console/sessions", "/console/photos", "/console/keys", "/console/billing", "/console/webhooks"} {
			if res, _ := b.Get(p); res.StatusCode != 200 {
				t.Errorf("%s: %d", p, res.StatusCode)
			}
		}
		if res, _ := b.Get("/console/photos/999999"); res.StatusCode != 404 {
			t.Errorf("a missing photo task: %d", res.StatusCode)
		}
		if res, body := b.Get("/console/billing"); res.StatusCode != 200 || !strings.Contains(body, "per photo") {
			t.Errorf("billing: %d", res.StatusCode)
		}
		if res, _ := b.Post("/console/billing/deposit", url.Values{"amount_usd": {"10.00"}}); res.StatusCode != 403 {
			t.Errorf("a deposit to a live account: %d", res.StatusCode)
		}
		if res, body := b.Get("/console/webhooks"); res.StatusCode != 200 || !strings.Contains(body, "Deliveries") {
			t.Errorf("webhooks: %d", res.StatusCode)
		}
		consoleKeys(t, b, c, s.URL)
		// Signing out ends the session.
		b.Get("/console/review")
		if res, _ := b.Post("/console/logout", nil); res.StatusCode != 303 {
			t.Fatalf("logout: %d", res.StatusCode)
		}
		if res, _ := b.Get("/console/review"); res.StatusCode != 303 {
			t.Errorf("after logout: %d", res.StatusCode)
		}
	})

	t.Run("roles", func(t *testing.T) {
		viewer := apitest.NewBrowser(t, s.URL)
		viewer.Login("viewer@example.com", viewerPW)
		res, body := viewer.Get("/console/verifications/" + strconv.FormatInt(vid, 10))
		if res.StatusCode != 200 || strings.Contains(body, "Record decision") || !strings.Contains(body, "BARCODE_NOT_READ") {
			t.Fatalf("viewer's verification page: %d", res.StatusCode)
		}
		if res, _ := viewer.Post("/console/verifications/"+strconv.FormatInt(vid, 10)+"/decision", url.Values{"status": {"APPROVED"}}); res.StatusCode != 403 {
			t.Errorf("a viewer approved: %d", res.StatusCode)
		}
		for _, p := range []string{"/console/keys", "/console/billing", "/console/webhooks"} {
			if res, _ := viewer.Get(p); res.StatusCode != 403 {
				t.Errorf("viewer on %s: %d", p, res.StatusCode)
			}
		}
		reviewer := apitest.NewBrowser(t, s.URL)
		reviewer.Login("reviewer@example.com", reviewerPW)
		if res, _ := reviewer.Get("/console/keys"); res.StatusCode != 403 {
			t.Errorf("reviewer on keys: %d", res.StatusCode)
		}
		stranger := apitest.NewBrowser(t, s.URL)
		stranger.Login("stranger@example.com", strangerPW)
		if res, _ := stranger.Get("/console/verifications/" + strconv.FormatInt(vid, 10)); res.StatusCode != 404 {
			t.Errorf("another account's verification: %d", res.StatusCode)
		}
		stranger.Get("/console/review")
		if res, _ := stranger.Post("/console/verifications/"+strconv.FormatInt(vid, 10)+"/decision", url.Values{"status": {"APPROVED"}}); res.StatusCode != 404 {
			t.Errorf("deciding another account's verification: %d", res.StatusCode)
		}
	})

	t.Run("a reviewer decides a session in review", func(t *testing.T) {
		// The account sends sessions without a document to a person.
		if r := c.Call("account.update", map[string]any{"policy": map[string]any{"DOCUMENT_MISSING": "review"}}); r.Status != 200 {
			t.Fatal(r.Raw)
		}
		cr, err := sdkclient.New(s.URL, pub, secret).Session.Create(t.Context(), &sdkclient.SessionCreateRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sdkclient.NewWithToken(s.URL, cr.Token).Session.Submit(t.Context(), &sdkclient.SessionSubmitRequest{}); err != nil {
			t.Fatal(err)
		}
		testenv.WaitFor(t, 60*time.Second, "the session in review", func() bool {
			return c.Call("session.get", map[string]any{"id": cr.ID}).Str("state") == "REVIEW"
		})
		path := "/console/sessions/" + strconv.FormatInt(cr.ID, 10)
		reviewer := apitest.NewBrowser(t, s.URL)
		reviewer.Login("reviewer@example.com", reviewerPW)
		if res, body := reviewer.Get("/console/review"); res.StatusCode != 200 || !strings.Contains(body, path) {
			t.Fatalf("review queue without the session: %d", res.StatusCode)
		}
		viewer := apitest.NewBrowser(t, s.URL)
		viewer.Login("viewer@example.com", viewerPW)
		if res, body := viewer.Get(path); res.StatusCode != 200 || strings.Contains(body, "Record decision") {
			t.Errorf("viewer's session page: %d", res.StatusCode)
		}
		if res, _ := viewer.Post(path+"/decision", url.Values{"state": {"APPROVED"}}); res.StatusCode != 403 {
			t.Errorf("a viewer decided: %d", res.StatusCode)
		}
		if res, body := reviewer.Get(path); res.StatusCode != 200 || !strings.Contains(body, "Record decision") {
			t.Fatalf("reviewer's session page: %d", res.StatusCode)
		}
		if res, _ := reviewer.Post(path+"/decision", url.Values{"state": {"MAYBE"}}); res.StatusCode != 400 {
			t.Errorf("a state that is none: %d", res.StatusCode)
		}
		reviewer.Get(path)
		if res, _ := reviewer.Post(path+"/decision", url.Values{"state": {"DECLINED"}, "comment": {"no document"}}); res.StatusCode != 303 {
			t.Fatalf("decision: %d", res.StatusCode)
		}
		if st := c.Call("session.get", map[string]any{"id": cr.ID}).Str("state"); st != "DECLINED" {
			t.Errorf("after the decision: %s", st)
		}
		reviewer.Get(path)
		if res, _ := reviewer.Post(path+"/decision", url.Values{"state": {"APPROVED"}}); res.StatusCode != 409 {
			t.Errorf("deciding twice: %d", res.StatusCode)
		}
	})

	t.Run("sign-ins are limited per client address", func(t *testing.T) {
		limited := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.ConsoleLoginsPerHour, c.Workers = 3, 0 }))
		b := apitest.NewBrowser(t, limited.URL)
		for i := 1; i <= 4; i++ {
			b.Get("/console/login")
			res, _ := b.Post("/console/login", url.Values{"email": {"nobody@example.com"}, "password": {"not the password"}})
			if want := map[bool]int{true: 401, false: 429}[i <= 3]; res.StatusCode != want {
				t.Fatalf("attempt %d: %d, want %d", i, res.StatusCode, want)
			}
		}
	})

	t.Run("a reviewer corrects and approves", func(t *testing.T) {
		b := apitest.NewBrowser(t, s.URL)
		b.Login("reviewer@example.com", reviewerPW)
		path := "/console/verifications/" + strconv.FormatInt(vid, 10)
		b.Get(path)
		if res, _ := b.Post("/console/verifications/"+strconv.FormatInt(vid, 10)+"/decision", url.Values{"status": {"APPROVED"}, "csrf_token": {"stale"}}); res.StatusCode != 403 {
			t.Errorf("a decision without the form's token: %d", res.StatusCode)
		}
		if res, _ := b.Post("/console/documents/"+strconv.FormatInt(docID, 10)+"/extracted", url.Values{"person_surname": {"ERIKSSON"}, "document_number": {"D1234567"}}); res.StatusCode != 303 {
			t.Fatalf("correct: %d", res.StatusCode)
		}
		b.Get(path)
		res, _ := b.Post("/console/verifications/"+strconv.FormatInt(vid, 10)+"/decision", url.Values{"status": {"APPROVED"}, "comment": {"licence checked by hand"}})
		if res.StatusCode != 303 {
			t.Fatalf("decide: %d", res.StatusCode)
		}
		x := c.Call("extracted_data.get", map[string]any{"document_id": docID})
		if x.Str("person_surname") != "ERIKSSON" || x.Str("document_number") != "D1234567" {
			t.Errorf("after the correction: %s", x.Raw)
		}
		if v := c.Call("verification.get", map[string]any{"id": vid}); v.Str("status") != "APPROVED" {
			t.Errorf("after the decision: %s", v.Raw)
		}
		dec := c.Call("decision.list", map[string]any{"verification_id": vid})
		if !strings.Contains(dec.Raw, `"validation_workflow":"MANUAL"`) || !strings.Contains(dec.Raw, "licence checked by hand") {
			t.Errorf("decisions: %s", dec.Raw)
		}
		audit := c.Call("audit_event.list", map[string]any{"object": "verification:" + strconv.FormatInt(vid, 10), "action": "decision.create"})
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
func consoleKeys(t *testing.T, b *apitest.Browser, owner *apitest.Client, base string) {
	t.Helper()
	b.Get("/console/keys")
	for _, bad := range []url.Values{
		{"name": {"no scopes"}, "expires_days": {"90"}},
		{"name": {"for ever"}, "scope": {"photos"}, "expires_days": {"0"}},
		{"name": {"made up"}, "scope": {"everything"}, "expires_days": {"30"}},
	} {
		if res, _ := b.Post("/console/keys", bad); res.StatusCode != 400 {
			t.Errorf("key form %v: %d, want 400", bad, res.StatusCode)
		}
	}
	res, body := b.Post("/console/keys", url.Values{"name": {"from the console"}, "scope": {"sessions", "read_only"}, "expires_days": {"30"}})
	pub, secret := publicKeyRE.FindString(body), secretRE.FindString(body)
	if res.StatusCode != 200 || pub == "" || secret == "" {
		t.Fatalf("create key: %d, public %q", res.StatusCode, pub)
	}
	key := &apitest.Client{T: t, Base: base, Auth: apitest.Basic(pub, secret)}
	if r := key.Do("POST", "/api/v1/session.list", nil); r.Status != 200 {
		t.Fatalf("the console's key in its scope: %s", r.Raw)
	}
	if r := key.Do("POST", "/api/v1/photo.list", nil); r.Status != 403 {
		t.Errorf("the console's key outside its scope: %s", r.Raw)
	}
	var id int64
	for _, k := range owner.Call("api_key.list", nil).Body["data"].([]any) {
		k := k.(map[string]any)
		if k["public_key"] == pub {
			id = int64(k["id"].(float64))
			exp, _ := time.Parse(time.RFC3339, k["expires"].(string))
			if d := time.Until(exp); d < 29*24*time.Hour || d > 31*24*time.Hour || fmt.Sprint(k["scopes"]) != "[read_only sessions]" {
				t.Errorf("the console's key: expires in %s, scopes %v", d, k["scopes"])
			}
		}
	}
	b.Get("/console/keys")
	if res, _ := b.Post(fmt.Sprintf("/console/keys/%d/revoke", id), nil); res.StatusCode != 303 {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if r := key.Do("POST", "/api/v1/session.list", nil); r.Status != 401 {
		t.Errorf("the first call after the console revoked the key: %d, want 401", r.Status)
	}
}

// A console email is unique within an account only: another account may use
// it, without learning that it exists elsewhere, and signs in by naming the
// account when the same password opens both.
func TestConsoleEmailPerAccount(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	one, oneID, _, _ := apitest.Account(t, s, "one")
	two, twoID, _, _ := apitest.Account(t, s, "two")
	for _, c := range []*apitest.Client{one, two} {
		if r := c.Call("user.create", map[string]any{"email": "pat@example.com", "role": "viewer", "password": "same password 123"}); r.Status != 200 {
			t.Fatalf("user.create: %s", r.Raw)
		}
	}
	if r := one.Call("user.create", map[string]any{"email": "PAT@example.com", "role": "viewer"}); r.Status != 409 || r.Str("error_name") != "UserExists" {
		t.Errorf("the same email twice in one account: %d %s", r.Status, r.Raw)
	}
	b := apitest.NewBrowser(t, s.URL)
	b.Get("/console/login")
	if res, body := b.Post("/console/login", url.Values{"email": {"pat@example.com"}, "password": {"same password 123"}}); res.StatusCode != 401 || !strings.Contains(body, "several accounts") {
		t.Errorf("one password, two accounts: %d", res.StatusCode)
	}
	for _, id := range []int64{oneID, twoID} {
		b := apitest.NewBrowser(t, s.URL)
		b.Get("/console/login")
		if res, _ := b.Post("/console/login", url.Values{"email": {"pat@example.com"}, "password": {"same password 123"}, "account": {fmt.Sprint(id)}}); res.StatusCode != 303 {
			t.Errorf("sign-in to account %d: %d", id, res.StatusCode)
		}
	}
}

// The sign-in form's token is one the server issued: a pair the client made
// up, even an empty one, is refused.
func TestSignInTokenIssuedByServer(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "csrf")
	c.Call("user.create", map[string]any{"email": "o@example.com", "role": "owner", "password": "a long password 1"})
	for _, token := range []string{"", "made-up", "0123.9999999999.abcd"} {
		b := apitest.NewBrowser(t, s.URL)
		u, _ := url.Parse(s.URL + "/console/")
		b.C.Jar.SetCookies(u, []*http.Cookie{{Name: "vd_login_csrf", Value: token, Path: "/console"}})
		res, _ := b.Post("/console/login", url.Values{"email": {"o@example.com"}, "password": {"a long password 1"}, "csrf_token": {token}})
		if res.StatusCode != 403 {
			t.Errorf("a client-made pair %q: %d", token, res.StatusCode)
		}
	}
	b := apitest.NewBrowser(t, s.URL)
	if res := b.Login("o@example.com", "a long password 1"); res.StatusCode != 303 {
		t.Errorf("the server's token: %d", res.StatusCode)
	}
}
