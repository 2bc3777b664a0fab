package api_test

import (
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// The user.* methods make, list and disable console users.
func TestUserMethods(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, accID, _, _ := apitest.Account(t, s, "users")
	other, _, _, _ := apitest.Account(t, s, "other")
	for _, role := range []string{"owner", "reviewer", "viewer"} {
		apitest.ConsoleUser(t, s, accID, role+"@example.com", role)
	}
	r := c.Call("user.create", map[string]any{"email": "api-made@example.com", "role": "reviewer"})
	if r.Status != 200 || len(r.Str("password")) < 12 || r.Str("role") != "reviewer" {
		t.Fatalf("user.create: %s", r.Raw)
	}
	uid := r.Num("user_id")
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
		if got := c.Call("user.create", tc.body); got.Status != tc.code || got.Str("error_name") != tc.name {
			t.Errorf("user.create %v: %s", tc.body, got.Raw)
		}
	}
	b := apitest.NewBrowser(t, s.URL)
	if res := b.Login("api-made@example.com", r.Str("password")); res.StatusCode != 303 {
		t.Fatalf("sign in as the API-made user: %d", res.StatusCode)
	}
	if got := other.Call("user.delete", map[string]any{"id": uid}); got.Status != 404 || got.Str("error_name") != "UserNotFound" {
		t.Errorf("another account's user: %s", got.Raw)
	}
	if got := c.Call("user.delete", map[string]any{"id": uid}); got.Status != 200 || got.Str("disabled") == "" {
		t.Fatalf("user.delete: %s", got.Raw)
	}
	if res, _ := b.Get("/console/review"); res.StatusCode != 303 {
		t.Errorf("a disabled user's session still works: %d", res.StatusCode)
	}
	if res := b.Login("api-made@example.com", r.Str("password")); res.StatusCode != 401 {
		t.Errorf("a disabled user signed in: %d", res.StatusCode)
	}
	if l := c.Call("user.list", nil); len(l.Body["data"].([]any)) != 4 {
		t.Errorf("user.list: %s", l.Raw)
	}
}
