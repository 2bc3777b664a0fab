package api_test

import (
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestSessionPolicy: an account says what each check does; an ignored
// check is listed on an approved session, a reviewed one waits in REVIEW
// for session.decide, the rest decline as before.
func TestSessionPolicy(t *testing.T) {
	grace := testenv.ReadPhoto(t, testenv.PhotoGraceHopper)
	expired := anna
	expired.Expiry = "200415"
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "policy")
	for _, b := range []struct {
		name string
		body map[string]any
	}{
		{"nothing to update", map[string]any{}},
		{"not a check", map[string]any{"policy": map[string]any{"SHOE_SIZE": "ignore"}}},
		{"not an action", map[string]any{"policy": map[string]any{"DOCUMENT_EXPIRED": "shrug"}}},
		{"a missing document ignored", map[string]any{"policy": map[string]any{"DOCUMENT_MISSING": "ignore"}}},
		{"an action as a number", map[string]any{"policy": map[string]any{"DOCUMENT_EXPIRED": 1}}},
	} {
		if r := c.Call("account.update", b.body); r.Status != 400 || r.Str("error_name") != "InvalidRequest" {
			t.Errorf("%s: %s", b.name, r.Raw)
		}
	}
	u := c.Call("account.update", map[string]any{"policy": map[string]any{"DOCUMENT_EXPIRED": "ignore", "MRZ_VIZ_MISMATCH": "review"}})
	pol, _ := u.Body["policy"].(map[string]any)
	if u.Status != 200 || pol["DOCUMENT_EXPIRED"] != "ignore" || pol["MRZ_VIZ_MISMATCH"] != "review" || pol["FACE_MISMATCH"] != "decline" {
		t.Fatalf("account.update: %s", u.Raw)
	}
	old := apitest.SubmitSession(t, c, nil, testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(expired), Portrait: grace, RotateDeg: -2}))
	altered := apitest.SubmitSession(t, c, nil, testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: grace,
		Fields: []string{"SURNAME  ERIKZZON", "GIVEN NAMES  ANNA MARIA"}, RotateDeg: -2}))
	if got := waitDecided(t, c, old); got.Str("state") != "APPROVED" || !checksAre(got.Body["checks"], "DOCUMENT_EXPIRED") {
		t.Errorf("expired, ignored: %s", got.Raw)
	}
	r := waitState(t, c, altered, "REVIEW")
	if !checksAre(r.Body["checks"], "MRZ_VIZ_MISMATCH") || r.Body["finished"] != nil {
		t.Errorf("in review: %s", r.Raw)
	}
	if d := c.Call("session.decide", map[string]any{"id": altered, "state": "DECLINED", "comment": "printed surname differs"}); d.Status != 200 || d.Str("state") != "DECLINED" {
		t.Errorf("session.decide: %s", d.Raw)
	}
}

// checksAre tells whether a decoded JSON list holds exactly want.
func checksAre(v any, want ...string) bool {
	got := strs(v)
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}
