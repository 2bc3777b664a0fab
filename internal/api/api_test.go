package api_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

var timestampRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

// forEachDB runs a test against a fresh server on SQLite and on PostgreSQL.
func forEachDB(t *testing.T, fn func(t *testing.T, s *testenv.Server)) {
	for _, db := range testenv.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, testenv.NewServer(t, db.URL(t)))
		})
	}
}

func TestRequestRules(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *testenv.Server) {
		c, accID, pub, secret := apitest.Account(t, s, "rules")
		keyID := c.Call("api_key.list", nil).Body["data"].([]any)[0].(map[string]any)["id"]
		cases := []struct {
			name        string
			httpMethod  string
			path        string
			auth        *string
			body        string
			contentType string
			status      int
			errName     string
			message     string // substring of error_message
		}{
			{name: "empty body is {}", path: "/api/v1/account.get", status: 200},
			{name: "alias path", path: "/api/account.get", body: "{}", status: 200},
			{name: "unknown properties ignored", path: "/api/v1/api_key.get", body: fmt.Sprintf(`{"id": %v, "colour": "blue", "nested": {"a": 1}}`, keyID), status: 200},
			{name: "wrong type names property and type", path: "/api/v1/api_key.get", body: `{"id": "12"}`, status: 400, errName: "InvalidRequest", message: "id: expected integer"},
			{name: "fraction for integer", path: "/api/v1/api_key.get", body: `{"id": 1.5}`, status: 400, errName: "InvalidRequest", message: "id: expected integer"},
			{name: "wrong type for string", path: "/api/v1/api_key.create", body: `{"name": 5}`, status: 400, errName: "InvalidRequest", message: "name: expected string"},
			{name: "wrong type in embedded list fields", path: "/api/v1/api_key.list", body: `{"limit": "ten"}`, status: 400, errName: "InvalidRequest", message: "limit: expected integer"},
			{name: "missing required property", path: "/api/v1/api_key.get", body: `{}`, status: 400, errName: "InvalidRequest", message: "id: is required"},
			{name: "null required property", path: "/api/v1/api_key.get", body: `{"id": null}`, status: 400, errName: "InvalidRequest", message: "id: is required"},
			{name: "invalid JSON", path: "/api/v1/account.get", body: `{"id":`, status: 400, errName: "InvalidRequest", message: "not valid JSON"},
			{name: "array body", path: "/api/v1/account.get", body: `[1,2]`, status: 400, errName: "InvalidRequest", message: "JSON object"},
			{name: "null body", path: "/api/v1/account.get", body: `null`, status: 400, errName: "InvalidRequest", message: "JSON object"},
			{name: "limit above 100", path: "/api/v1/api_key.list", body: `{"limit": 101}`, status: 400, errName: "InvalidRequest", message: "limit"},
			{name: "foreign cursor", path: "/api/v1/api_key.list", body: `{"cursor": "%%%"}`, status: 400, errName: "InvalidRequest", message: "cursor"},
			{name: "unknown method", path: "/api/v1/nothing.here", status: 404, errName: "MethodNotFound"},
			{name: "unknown path", path: "/api/v1/a/b", status: 404, errName: "NotFound"},
			{name: "GET is 405", httpMethod: "GET", path: "/api/v1/account.get", status: 405, errName: "MethodNotAllowed"},
			{name: "PUT is 405", httpMethod: "PUT", path: "/api/account.get", status: 405, errName: "MethodNotAllowed"},
			{name: "body over the limit", path: "/api/v1/api_key.create", body: `{"name": "` + strings.Repeat("x", 17<<10) + `"}`, status: 413, errName: "RequestTooLarge"},
			{name: "no credentials", path: "/api/v1/account.get", auth: ptr(""), status: 401, errName: "Unauthorized"},
			{name: "wrong secret", path: "/api/v1/account.get", auth: ptr(apitest.Basic(pub, "secret-wrong")), status: 401, errName: "Unauthorized"},
			{name: "wrong public key", path: "/api/v1/account.get", auth: ptr(apitest.Basic("public-key-other", secret)), status: 401, errName: "Unauthorized"},
			{name: "prefixes are part of the key", path: "/api/v1/account.get", auth: ptr(apitest.Basic(strings.TrimPrefix(pub, "public-key-"), strings.TrimPrefix(secret, "secret-"))), status: 401, errName: "Unauthorized"},
			{name: "bearer secret", path: "/api/v1/account.get", auth: ptr("Bearer " + secret), status: 200},
			{name: "bearer public key is not a secret", path: "/api/v1/account.get", auth: ptr("Bearer " + pub), status: 401, errName: "Unauthorized"},
			{name: "multipart to a JSON-only method", path: "/api/v1/account.get", body: "--x--", contentType: "multipart/form-data; boundary=x", status: 415, errName: "UnsupportedMediaType"},
			{name: "garbage scheme", path: "/api/v1/account.get", auth: ptr("Token " + secret), status: 401, errName: "Unauthorized"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				cc := *c
				cc.T = t
				if tc.auth != nil {
					cc.Auth = *tc.auth
				}
				m := tc.httpMethod
				if m == "" {
					m = http.MethodPost
				}
				if tc.contentType != "" {
					cc = *cc.With("Content-Type", tc.contentType)
					cc.T = t
				}
				r := cc.Do(m, tc.path, []byte(tc.body))
				if r.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
				}
				if r.Header.Get("X-Request-Id") == "" {
					t.Error("no X-Request-Id header")
				}
				if tc.errName != "" {
					if r.Str("error_name") != tc.errName || !strings.Contains(r.Str("error_message"), tc.message) {
						t.Fatalf("got %s, want error %s containing %q", r.Raw, tc.errName, tc.message)
					}
					if len(r.Body) != 2 {
						t.Errorf("error envelope has extra fields: %s", r.Raw)
					}
				}
			})
		}
		// The account answer is flat, with the API's formats.
		r := c.Call("account.get", nil)
		if r.Num("id") != accID || r.Str("name") != "rules" || !timestampRE.MatchString(r.Str("created")) {
			t.Errorf("account.get = %s", r.Raw)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestAPIKeys(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *testenv.Server) {
		c, accID, _, _ := apitest.Account(t, s, "keys")
		created := c.Call("api_key.create", map[string]any{"name": "ci"})
		if created.Status != 200 {
			t.Fatalf("create: %s", created.Raw)
		}
		secret, pub := created.Str("secret"), created.Str("public_key")
		if !strings.HasPrefix(secret, "secret-") || len(secret) < len("secret-")+43 || !strings.HasPrefix(pub, "public-key-") {
			t.Fatalf("credentials %q / %q", pub, secret)
		}
		if created.Num("account_id") != accID || !timestampRE.MatchString(created.Str("created")) {
			t.Errorf("create answer %s", created.Raw)
		}
		id := created.Num("id")

		// The new key works, and its use is recorded.
		k2 := &apitest.Client{T: t, Base: s.URL, Auth: apitest.Basic(pub, secret)}
		if r := k2.Call("account.get", nil); r.Status != 200 || r.Num("id") != accID {
			t.Fatalf("new key: %s", r.Raw)
		}
		got := c.Call("api_key.get", map[string]any{"id": id})
		if _, has := got.Body["secret"]; has {
			t.Error("api_key.get shows the secret")
		}
		if !timestampRE.MatchString(got.Str("last_used")) {
			t.Errorf("last_used not recorded: %s", got.Raw)
		}
		if !strings.HasSuffix(got.Str("secret_hint"), secret[len(secret)-4:]) {
			t.Errorf("secret_hint %q", got.Str("secret_hint"))
		}

		// The database holds a hash, not the secret.
		var stored string
		if err := s.DB.SQL.QueryRow(fmt.Sprintf("SELECT secret_hash FROM api_keys WHERE id = %d", int64(id))).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored == secret || strings.Contains(stored, secret[7:]) || len(stored) != 64 {
			t.Errorf("stored secret form %q", stored)
		}

		// Revoked keys stop working at once.
		if r := c.Call("api_key.delete", map[string]any{"id": id}); r.Status != 200 || !timestampRE.MatchString(r.Str("revoked")) {
			t.Fatalf("delete: %s", r.Raw)
		}
		if r := k2.Call("account.get", nil); r.Status != 401 {
			t.Fatalf("revoked key answered %d", r.Status)
		}
		if r := c.Call("api_key.get", map[string]any{"id": id}); r.Status != 404 || r.Str("error_name") != "ApiKeyNotFound" {
			t.Fatalf("get revoked: %s", r.Raw)
		}
		if r := c.Call("api_key.delete", map[string]any{"id": id}); r.Status != 404 {
			t.Fatalf("second delete: %s", r.Raw)
		}
	})
}

func TestListPagination(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *testenv.Server) {
		c, _, _, _ := apitest.Account(t, s, "pages")
		want := map[int64]bool{}
		for i := 0; i < 6; i++ {
			want[c.Call("api_key.create", map[string]any{"name": fmt.Sprint("k", i)}).Num("id")] = true
		}
		seen := map[int64]bool{}
		cursor, pages := "", 0
		for {
			r := c.Call("api_key.list", map[string]any{"limit": 3, "cursor": cursor})
			if r.Status != 200 {
				t.Fatalf("list: %s", r.Raw)
			}
			pages++
			var last int64 = 1 << 62
			for _, row := range r.Body["data"].([]any) {
				id := int64(row.(map[string]any)["id"].(float64))
				if seen[id] || id >= last {
					t.Fatalf("id %d repeated or out of order", id)
				}
				seen[id], last = true, id
			}
			if r.Body["has_more"] != true {
				if r.Str("next_cursor") != "" {
					t.Error("next_cursor on the last page")
				}
				break
			}
			cursor = r.Str("next_cursor")
		}
		// 6 created + the key the account started with = 7 → pages of 3, 3, 1.
		if len(seen) != 7 || pages != 3 {
			t.Fatalf("saw %d keys in %d pages", len(seen), pages)
		}
		for id := range want {
			if !seen[id] {
				t.Errorf("key %d missing from the list", id)
			}
		}
	})
}

func TestCrossAccountIsNotFound(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *testenv.Server) {
		alice, _, _, _ := apitest.Account(t, s, "alice")
		mallory, _, _, _ := apitest.Account(t, s, "mallory")
		aliceKey := alice.Call("api_key.create", map[string]any{"name": "a"}).Num("id")
		for _, method := range []string{"api_key.get", "api_key.delete"} {
			r := mallory.Call(method, map[string]any{"id": aliceKey})
			if r.Status != 404 || r.Str("error_name") != "ApiKeyNotFound" {
				t.Errorf("%s of another account's key: %s", method, r.Raw)
			}
		}
		for _, row := range mallory.Call("api_key.list", nil).Body["data"].([]any) {
			if int64(row.(map[string]any)["id"].(float64)) == aliceKey {
				t.Error("another account's key is listed")
			}
		}
		if r := alice.Call("api_key.get", map[string]any{"id": aliceKey}); r.Status != 200 {
			t.Errorf("owner lost the key after the attempts: %s", r.Raw)
		}
	})
}

func TestIdempotency(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *testenv.Server) {
		c, _, _, _ := apitest.Account(t, s, "idem")
		ic := c.With("Idempotency-Key", "create-1")
		first := ic.Call("api_key.create", map[string]any{"name": "once"})
		again := ic.Call("api_key.create", map[string]any{"name": "once"})
		if first.Status != 200 || again.Raw != first.Raw || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s\n%s", first.Raw, again.Raw)
		}
		if r := ic.Call("api_key.create", map[string]any{"name": "other"}); r.Status != 409 || r.Str("error_name") != "IdempotencyKeyReused" {
			t.Fatalf("reuse with another body: %s", r.Raw)
		}
		// The same key on another method is a reuse too.
		if r := ic.Call("api_key.delete", map[string]any{"id": first.Num("id")}); r.Status != 409 {
			t.Fatalf("reuse on another method: %s", r.Raw)
		}
		// Keys are per account: another account's identical key is independent.
		other, _, _, _ := apitest.Account(t, s, "idem-other")
		if r := other.With("Idempotency-Key", "create-1").Call("api_key.create", map[string]any{"name": "once"}); r.Status != 200 || r.Num("id") == first.Num("id") {
			t.Fatalf("other account's key: %s", r.Raw)
		}
		// A 4xx is a result: it replays too.
		bad := c.With("Idempotency-Key", "bad-1")
		if a, b := bad.Call("api_key.create", `{"name": 1}`), bad.Call("api_key.create", `{"name": 1}`); a.Status != 400 || b.Raw != a.Raw {
			t.Fatalf("4xx replay: %s / %s", a.Raw, b.Raw)
		}

		// Concurrent double submits create exactly one key.
		before := countKeys(t, c)
		var wg sync.WaitGroup
		results := make([]apitest.Reply, 8)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cc := *c.With("Idempotency-Key", "race-1")
				cc.T = t
				results[i] = cc.Call("api_key.create", map[string]any{"name": "race"})
			}()
		}
		wg.Wait()
		ids := map[int64]bool{}
		for _, r := range results {
			switch {
			case r.Status == 200:
				ids[r.Num("id")] = true
			case r.Status == 409 && r.Str("error_name") == "IdempotencyKeyInProgress":
			default:
				t.Errorf("concurrent submit: %d %s", r.Status, r.Raw)
			}
		}
		if len(ids) != 1 || countKeys(t, c) != before+1 {
			t.Fatalf("concurrent submits made %d distinct keys (%d → %d rows)", len(ids), before, countKeys(t, c))
		}
	})
}

func countKeys(t testing.TB, c *apitest.Client) int {
	return len(c.Call("api_key.list", map[string]any{"limit": 100}).Body["data"].([]any))
}

// Text the databases cannot hold is refused by the decoder with 400 naming the
// property, on both databases (PostgreSQL rejects NUL in text columns).
func TestTextTheDatabaseCannotHold(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *testenv.Server) {
		c, _, _, _ := apitest.Account(t, s, "text")
		cases := []struct {
			method, prop string
			body         string
			status       int // the verification flow methods answer validation errors with 422
		}{
			{"session.create", "reference", `{"reference": "order\u0000"}`, 400},
			{"session.list", "reference", `{"reference": "\u0000"}`, 400},
			{"verification.create", "expected_surname", `{"flow": "usps1583", "expected_surname": "Eriks\u0000son"}`, 422},
			{"api_key.create", "name", `{"name": "k\u0000"}`, 400},
			{"api_key.create", "name", "{\"name\": \"k\xff\"}", 400},
		}
		for _, tc := range cases {
			r := c.Call(tc.method, tc.body)
			if r.Status != tc.status || r.Str("error_name") != "InvalidRequest" || !strings.HasPrefix(r.Str("error_message"), tc.prop+":") {
				t.Errorf("%s %q: %d %s", tc.method, tc.body, r.Status, r.Raw)
			}
		}
		if r := c.Call("session.create", `{"reference": "order-1"}`); r.Status != 200 {
			t.Fatalf("clean text: %s", r.Raw)
		}
	})
}

// webhook_endpoint.update changes only what it is given and re-enables an
// endpoint that answered 410 Gone.
func TestWebhookEndpointUpdate(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "hooks")
	c.Call("webhook_secret.rotate", nil)
	e := c.Call("webhook_endpoint.create", map[string]any{"url": "https://example.com/a", "events": []string{"decision.made"}})
	id := e.Num("id")
	if err := s.DB.DisableEndpoint(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if r := c.Call("webhook_endpoint.list", nil); !r.Body["data"].([]any)[0].(map[string]any)["disabled"].(bool) {
		t.Fatalf("not disabled: %s", r.Raw)
	}
	r := c.Call("webhook_endpoint.update", map[string]any{"id": id, "events": []string{"verification.finished", "decision.made"}})
	if r.Status != 200 || r.Str("url") != "https://example.com/a" || len(r.Body["events"].([]any)) != 2 || !r.Body["disabled"].(bool) {
		t.Fatalf("events only: %s", r.Raw)
	}
	r = c.Call("webhook_endpoint.update", map[string]any{"id": id, "url": "https://example.com/b", "disabled": false})
	if r.Status != 200 || r.Str("url") != "https://example.com/b" || r.Body["disabled"].(bool) || len(r.Body["events"].([]any)) != 2 {
		t.Fatalf("url and re-enable: %s", r.Raw)
	}
	for _, bad := range []map[string]any{{"id": id, "events": []string{"nope"}}, {"id": id, "url": "ftp://x"}} {
		if r := c.Call("webhook_endpoint.update", bad); r.Status != 400 {
			t.Errorf("%v: %s", bad, r.Raw)
		}
	}
	if r := c.Call("webhook_endpoint.update", map[string]any{"id": id + 1000}); r.Status != 404 || r.Str("error_name") != "WebhookEndpointNotFound" {
		t.Errorf("unknown id: %s", r.Raw)
	}
}
