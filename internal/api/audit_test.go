package api_test

import (
	"fmt"
	"testing"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestAuditLog: state-changing calls and links to personal images are
// recorded with actor, object, IP and request id; replays are not recorded
// twice; an account sees only its own events.
func TestAuditLog(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.Workers = 0 }))
	c, _, _, _ := apitest.Account(t, s, "audited")
	img := testenv.ReadPhoto(t, testenv.PhotoGrace512)

	v := c.Call("verification.create", map[string]any{"flow": "usps1583"})
	vID := v.Num("id")
	d := c.Call("document.create", apitest.Doc("usps1583", vID, "PHOTO_ID", 1, "US", img))
	dID := d.Num("id")
	get := c.Call("document.get", map[string]any{"id": dID})
	if get.Status != 200 {
		t.Fatalf("document.get: %s", get.Raw)
	}
	c.Call("verification.get", map[string]any{"id": vID}) // a read without images: not recorded
	// A replay of an idempotent create is not a second action.
	ic := c.With("Idempotency-Key", "audit-once")
	first := ic.Call("verification.create", map[string]any{"flow": "usps1583"})
	if again := ic.Call("verification.create", map[string]any{"flow": "usps1583"}); again.Num("id") != first.Num("id") {
		t.Fatalf("replay made another verification: %s", again.Raw)
	}

	list := func(cl *apitest.Client, filter map[string]any) []map[string]any {
		if filter == nil {
			filter = map[string]any{}
		}
		r := cl.Call("audit_event.list", filter)
		if r.Status != 200 {
			t.Fatalf("audit_event.list: %s", r.Raw)
		}
		var out []map[string]any
		for _, e := range r.Body["data"].([]any) {
			out = append(out, e.(map[string]any))
		}
		return out
	}
	all := list(c, nil)
	var actions []string
	for _, e := range all {
		actions = append(actions, fmt.Sprintf("%s %s", e["action"], e["object"]))
	}
	want := []string{ // newest first
		fmt.Sprintf("verification.create verification:%d", first.Num("id")),
		fmt.Sprintf("image.link document:%d", dID),
		fmt.Sprintf("document.create document:%d", dID),
		fmt.Sprintf("verification.create verification:%d", vID),
	}
	if fmt.Sprint(actions) != fmt.Sprint(want) {
		t.Fatalf("audit log %v, want %v", actions, want)
	}
	for _, e := range all {
		if e["actor"] == "" || e["actor"] == "system" || e["ip"] != "127.0.0.1" || e["request_id"] == "" || !timestampRE.MatchString(e["created"].(string)) {
			t.Errorf("event %v", e)
		}
	}
	if got := list(c, map[string]any{"object": fmt.Sprintf("document:%d", dID)}); len(got) != 2 {
		t.Errorf("by object: %v", got)
	}
	if got := list(c, map[string]any{"action": "image.link"}); len(got) != 1 {
		t.Errorf("by action: %v", got)
	}
	if got := list(c, map[string]any{"created_after": "2099-01-01T00:00:00Z"}); len(got) != 0 {
		t.Errorf("created_after: %v", got)
	}
	other, _, _, _ := apitest.Account(t, s, "other")
	if got := list(other, nil); len(got) != 0 {
		t.Errorf("another account sees %v", got)
	}
}
