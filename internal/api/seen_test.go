package api_test

import (
	"fmt"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestDocumentSeenBefore: the same passport under another name is
// DOCUMENT_REUSED, one passport opening more sessions in 24 h than the
// account allows is DOCUMENT_VELOCITY, and another account (whose blind
// index has its own key) sees neither.
func TestDocumentSeenBefore(t *testing.T) {
	t.Parallel() // a server of its own, and minutes of jobs: overlaps the others
	grace := testenv.ReadPhoto(t, testenv.PhotoGraceHopper)
	doc := func(p testdocs.Person) []byte {
		return testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(p), Portrait: grace, RotateDeg: -2})
	}
	impostor := anna
	impostor.Surname, impostor.GivenNames = "LINDQVIST", "KARIN"
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "seen")
	other, _, _, _ := apitest.Account(t, s, "elsewhere")
	if r := c.Call("account.update", map[string]any{"document_velocity": 2}); r.Status != 200 || r.Num("document_velocity") != 2 {
		t.Fatalf("account.update: %s", r.Raw)
	}
	if r := c.Call("account.update", map[string]any{"document_velocity": -1}); r.Status != 400 {
		t.Errorf("negative velocity: %s", r.Raw)
	}
	// The account's least age applies where session.create names none:
	// Anna (born 1974) is too young for 60, old enough for a session's own 0.
	third, _, _, _ := apitest.Account(t, s, "third")
	if r := third.Call("account.update", map[string]any{"min_age": 60}); r.Status != 200 || r.Num("min_age") != 60 {
		t.Fatalf("account.update min_age: %s", r.Raw)
	}
	for _, tc := range []struct {
		create map[string]any
		checks []string
	}{{nil, []string{"UNDERAGE"}}, {map[string]any{"min_age": 0}, nil}} {
		if got := waitDecided(t, third, apitest.SubmitSession(t, third, tc.create, doc(anna))); !checksAre(got.Body["checks"], tc.checks...) {
			t.Errorf("session.create %v: %s", tc.create, got.Raw)
		}
	}
	// One at a time: each decision sees the ones before it.
	cases := []struct {
		name   string
		client *apitest.Client
		front  []byte
		checks []string
	}{
		{"first", c, doc(anna), nil},
		{"again, same holder", c, doc(anna), nil},
		{"another name, third in a day", c, doc(impostor), []string{"DOCUMENT_REUSED", "DOCUMENT_VELOCITY"}},
		{"another account", other, doc(impostor), nil},
	}
	ids := make([]int64, len(cases))
	for i, tc := range cases {
		ids[i] = apitest.SubmitSession(t, tc.client, nil, tc.front)
		got := waitDecided(t, tc.client, ids[i])
		if !checksAre(got.Body["checks"], tc.checks...) {
			t.Errorf("%s: %s", tc.name, got.Raw)
		}
		if len(tc.checks) > 0 {
			ev, _ := got.Body["evidence"].(map[string]any)
			if ev["DOCUMENT_REUSED"] != fmt.Sprintf("other holders in sessions %d, %d", ids[1], ids[0]) || ev["DOCUMENT_VELOCITY"] != "3 sessions in 24 h, limit 2" {
				t.Errorf("evidence: %v", ev)
			}
		}
	}

	// The block list: by a decided session's document, for its account only.
	if r := other.Call("document_block.create", map[string]any{"session_id": ids[0]}); r.Status != 404 || r.Str("error_name") != "SessionNotFound" {
		t.Errorf("blocking another account's session: %s", r.Raw)
	}
	b := c.Call("document_block.create", map[string]any{"session_id": ids[0], "reason": "reported stolen"})
	if b.Status != 200 || b.Num("session_id") != ids[0] || b.Str("reason") != "reported stolen" {
		t.Fatalf("document_block.create: %s", b.Raw)
	}
	if c.Call("account.update", map[string]any{"document_velocity": 0}).Status != 200 {
		t.Fatal("velocity off")
	}
	// Both accounts have now seen this passport under two names: every
	// later session with it is DOCUMENT_REUSED too.
	if got := waitDecided(t, c, apitest.SubmitSession(t, c, nil, doc(anna))); !checksAre(got.Body["checks"], "DOCUMENT_BLOCKED", "DOCUMENT_REUSED") {
		t.Errorf("a blocked passport: %s", got.Raw)
	}
	if got := waitDecided(t, other, apitest.SubmitSession(t, other, nil, doc(anna))); !checksAre(got.Body["checks"], "DOCUMENT_REUSED") {
		t.Errorf("blocked in another account too: %s", got.Raw)
	}
	if list := c.Call("document_block.list", nil).Body["data"].([]any); len(list) != 1 {
		t.Errorf("document_block.list: %v", list)
	}
	if r := other.Call("document_block.delete", map[string]any{"id": b.Num("id")}); r.Status != 404 || r.Str("error_name") != "DocumentBlockNotFound" {
		t.Errorf("another account's delete: %s", r.Raw)
	}
	if r := c.Call("document_block.delete", map[string]any{"id": b.Num("id")}); r.Status != 200 {
		t.Errorf("document_block.delete: %s", r.Raw)
	}
	if got := waitDecided(t, c, apitest.SubmitSession(t, c, nil, doc(anna))); !checksAre(got.Body["checks"], "DOCUMENT_REUSED") {
		t.Errorf("after the block went: %s", got.Raw)
	}
}
