package api_test

import (
	"context"
	"maps"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// ownedIDs creates one object of every class for an account and returns
// their ids by class name ("api_key", "session", …).
func ownedIDs(t *testing.T, s *testenv.Server, c *apitest.Client, accountID int64) map[string]int64 {
	t.Helper()
	img := apitest.B64(testenv.ReadPhoto(t, testenv.PhotoGrace512))
	ids := map[string]int64{}
	must := func(r apitest.Reply) int64 {
		t.Helper()
		if r.Status != 200 && r.Status != 202 {
			t.Fatalf("setup: %s", r.Raw)
		}
		return r.Num("id")
	}
	ids["api_key"] = must(c.Call("api_key.create", map[string]any{"name": "spare"}))
	ids["session"] = must(c.Call("session.create", nil))
	v := must(c.Call("verification.create", map[string]any{"flow": "usps1583"}))
	ids["verification"] = v
	ids["document"] = must(c.Call("document.create", apitest.Doc("usps1583", v, "PHOTO_ID", 1, "US", testenv.ReadPhoto(t, testenv.PhotoGrace512))))
	must(c.Call("document.create", map[string]any{"flow": "usps1583", "verification_id": v, "context_type": "PROOF_OF_ADDRESS",
		"document_type_id": 20, "country": "US", "front_side_data": img}))
	must(c.Call("verification.submit", map[string]any{"id": v}))
	ids["decision"] = must(c.Call("decision.create", map[string]any{"verification_id": v, "status": "HOLD"}))
	t0, err := s.DB.Deposit(context.Background(), accountID, 1000, "test")
	if err != nil {
		t.Fatal(err)
	}
	ids["transaction"] = t0.ID
	spec := c.Call("specification.list", map[string]any{"country_code": "US"}).Body["data"].([]any)[0].(map[string]any)["id"]
	r := c.Call("photo.process", map[string]any{"photo": img, "spec_id": spec})
	if r.Status != 202 {
		t.Fatalf("setup photo.process: %s", r.Raw)
	}
	ids["task"] = r.Num("task_id")
	c.Call("webhook_secret.rotate", nil)
	ids["webhook_endpoint"] = must(c.Call("webhook_endpoint.create", map[string]any{"url": "https://example.com/hook"}))
	return ids
}

// crossAccountBodies fills requests of m with the owner's ids and plausible
// values for the other required properties: one request with the required
// ids, and one more for each optional id (alternatives such as callback.list's
// session_id or verification_id). None when m addresses no owned object.
func crossAccountBodies(m *rpc.Method, ids map[string]int64, img string) []map[string]any {
	class, _, _ := strings.Cut(m.Name, ".")
	base := map[string]any{}
	var optional []string
	addressed := false
	for i := 0; i < m.Request.NumField(); i++ {
		f := m.Request.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		required := strings.Contains(f.Tag.Get("rpc"), "required")
		owner := ""
		switch {
		case name == "id":
			owner = class
		case strings.HasSuffix(name, "_id"):
			owner = strings.TrimSuffix(name, "_id")
		}
		if id, ok := ids[owner]; ok {
			addressed = true
			if required {
				base[name] = id
			} else {
				optional = append(optional, name)
			}
			continue
		}
		if !required {
			continue
		}
		switch enum := rpc.EnumValues(f.Type); {
		case enum != nil:
			base[name] = enum[0]
		case name == "flow":
			base[name] = "usps1583"
		case name == "country":
			base[name] = "US"
		case strings.HasSuffix(name, "_data") || name == "image" || name == "photo":
			base[name] = img
		case name == "url":
			base[name] = "https://example.com/x"
		case f.Type.Kind() == reflect.Int64:
			base[name] = 1
		default:
			base[name] = "x"
		}
	}
	if !addressed {
		return nil
	}
	var out []map[string]any
	if len(base) > 0 && len(optional) == 0 {
		out = append(out, base)
	}
	for _, name := range optional {
		owner := strings.TrimSuffix(name, "_id")
		if name == "id" {
			owner = class
		}
		body := maps.Clone(base)
		body[name] = ids[owner]
		out = append(out, body)
	}
	return out
}

// TestRegistryWide checks every registered method on both databases: a full
// spec, 401 without credentials, 405 for GET, 413 over its body limit, and
// 404 (never the object) when another account sends the owner's real ids.
func TestRegistryWide(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *testenv.Server) {
		c, accountID, _, _ := apitest.Account(t, s, "registry")
		other, _, _, _ := apitest.Account(t, s, "other")
		anon := &apitest.Client{T: t, Base: s.URL}
		dev := apitest.Device(c, c.Call("session.create", nil).Str("token"))
		ids := ownedIDs(t, s, c, accountID)
		img := apitest.B64(testenv.ReadPhoto(t, testenv.PhotoGrace512))
		methods := s.Registry.Methods()
		if len(methods) == 0 {
			t.Fatal("no methods registered")
		}
		crossChecked := 0
		for _, m := range methods {
			if m.Summary == "" || m.Scope == "" || m.MaxBody <= 0 {
				t.Fatalf("%s: incomplete spec %+v", m.Name, m.Spec)
			}
			if r := anon.Call(m.Name, nil); r.Status != 401 || r.Str("error_name") != "Unauthorized" {
				t.Errorf("%s without credentials: %d %s", m.Name, r.Status, r.Raw)
			}
			caller := c
			if m.Scope == rpc.ScopeSession {
				caller = dev
			}
			if r := caller.Do(http.MethodGet, "/api/v1/"+m.Name, nil); r.Status != 405 {
				t.Errorf("%s GET: %d", m.Name, r.Status)
			}
			if r := caller.Call(m.Name, strings.Repeat(" ", int(m.MaxBody)+1)); r.Status != 413 {
				t.Errorf("%s over the body limit: %d", m.Name, r.Status)
			}
			if m.Scope != rpc.ScopeAccount {
				continue
			}
			bodies := crossAccountBodies(m, ids, img)
			if len(bodies) > 0 {
				crossChecked++
			}
			for _, body := range bodies {
				if r := other.Call(m.Name, body); r.Status != 404 || !strings.HasSuffix(r.Str("error_name"), "NotFound") {
					t.Errorf("%s with another account's ids %v: %d %s", m.Name, body, r.Status, r.Raw)
				}
				if strings.HasSuffix(m.Name, ".get") || strings.HasSuffix(m.Name, ".list") {
					if r := c.Call(m.Name, body); r.Status != 200 {
						t.Errorf("%s by the owner: %d %s", m.Name, r.Status, r.Raw)
					}
				}
			}
		}
		if crossChecked < 20 {
			t.Errorf("only %d methods were checked with another account's ids", crossChecked)
		}
	})
}

// Scoped keys reach only their methods (403 PermissionDenied otherwise), for
// every method of the registry; an expired key gets 401 everywhere.
func TestKeyScopesAndExpiry(t *testing.T) {
	// The expired key fails once per method: more than the per-IP failure budget.
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.AuthFailuresPerHour = 10000 }))
	c, _, _, _ := apitest.Account(t, s, "scopes")
	key := func(body map[string]any) *apitest.Client {
		t.Helper()
		r := c.Call("api_key.create", body)
		if r.Status != 200 {
			t.Fatalf("api_key.create %v: %s", body, r.Raw)
		}
		return &apitest.Client{T: t, Base: s.URL, Auth: apitest.Basic(r.Str("public_key"), r.Str("secret"))}
	}
	photosOnly := key(map[string]any{"name": "photos", "scopes": []string{"photos"}})
	readOnly := key(map[string]any{"name": "reader", "scopes": []string{"read_only"}})
	docsReader := key(map[string]any{"name": "docs reader", "scopes": []string{"documents", "read_only"}})
	checked := 0
	for _, m := range s.Registry.Methods() {
		if m.Scope != rpc.ScopeAccount {
			continue
		}
		for _, k := range []struct {
			name    string
			c       *apitest.Client
			allowed bool
		}{
			{"photos", photosOnly, m.Permission == rpc.PermPhotos},
			{"read_only", readOnly, !m.SideEffects && m.Permission != rpc.PermKeys}, // the keys class needs its own scope
			{"documents+read_only", docsReader, m.Permission == rpc.PermDocuments && !m.SideEffects},
		} {
			r := k.c.Call(m.Name, map[string]any{})
			denied := r.Status == 403 && r.Str("error_name") == "PermissionDenied"
			if denied == k.allowed {
				t.Errorf("%s with a %s key: %d %s", m.Name, k.name, r.Status, r.Raw)
			}
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("only %d calls checked", checked)
	}
	// A key cannot grant more than it has; unknown scopes are refused.
	keysOnly := key(map[string]any{"name": "keys", "scopes": []string{"keys"}})
	if r := keysOnly.Call("api_key.create", map[string]any{"scopes": []string{"photos"}}); r.Status != 403 || r.Str("error_name") != "PermissionDenied" {
		t.Errorf("escalation: %s", r.Raw)
	}
	if r := keysOnly.Call("api_key.create", map[string]any{}); r.Status != 200 || len(r.Body["scopes"].([]any)) != 1 {
		t.Errorf("a scoped key's new key inherits its scopes: %s", r.Raw)
	}
	if r := c.Call("api_key.create", map[string]any{"scopes": []string{"everything"}}); r.Status != 400 || !strings.Contains(r.Str("error_message"), "read_only") {
		t.Errorf("unknown scope: %s", r.Raw)
	}
	if r := c.Call("api_key.create", map[string]any{"expires": "2020-01-01T00:00:00Z"}); r.Status != 400 {
		t.Errorf("expiry in the past: %s", r.Raw)
	}
	// Expiry: the key works until its time, then every method answers 401.
	created := c.Call("api_key.create", map[string]any{"name": "short", "expires": rpc.NewTimestamp(time.Now().Add(2 * time.Second))})
	if created.Status != 200 || created.Str("expires") == "" {
		t.Fatalf("api_key.create with expires: %s", created.Raw)
	}
	short := &apitest.Client{T: t, Base: s.URL, Auth: apitest.Basic(created.Str("public_key"), created.Str("secret"))}
	if r := short.Call("account.get", nil); r.Status != 200 {
		t.Fatalf("before expiry: %s", r.Raw)
	}
	testenv.WaitFor(t, 10*time.Second, "the key to expire", func() bool { return short.Call("account.get", nil).Status == 401 })
	for _, m := range s.Registry.Methods() {
		if m.Scope != rpc.ScopeAccount {
			continue
		}
		if r := short.Call(m.Name, map[string]any{}); r.Status != 401 {
			t.Errorf("%s with an expired key: %d %s", m.Name, r.Status, r.Raw)
		}
	}
}
