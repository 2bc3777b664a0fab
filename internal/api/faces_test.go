package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestFaceSeenBefore: one face on the passports of two different people is
// FACE_SEEN_BEFORE (sent to a person by default), the same person on a
// renewed passport is not, another account sees nothing, a blocked face is
// FACE_BLOCKED until unblocked, and erased sessions' faces are forgotten.
func TestFaceSeenBefore(t *testing.T) {
	t.Parallel() // a server of its own, and minutes of jobs: overlaps the others
	grace := testenv.ReadPhoto(t, testenv.PhotoGraceHopper)
	eileen := testenv.ReadPhoto(t, testenv.PhotoAstronaut)
	doc := func(p testdocs.Person, portrait []byte) []byte {
		return testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(p), Portrait: portrait, RotateDeg: -2})
	}
	impostor := anna
	impostor.Surname, impostor.GivenNames, impostor.Number = "LINDQVIST", "KARIN", "X12345678"
	renewed := anna
	renewed.Number = "L900001C8"
	s := apitest.WorkerServer(t, testenv.PostgresURL(t))
	c, _, _, _ := apitest.Account(t, s, "faces")
	other, _, _, _ := apitest.Account(t, s, "faces-elsewhere")

	first := apitest.SubmitSession(t, c, nil, doc(anna, grace))
	if got := waitSettled(t, c, first); got.Str("state") != "APPROVED" {
		t.Fatalf("first: %s", got.Raw)
	}
	cases := []struct {
		name   string
		client *apitest.Client
		front  []byte
		state  string
		checks []string
	}{
		{"the same person, a renewed passport", c, doc(renewed, grace), "APPROVED", nil},
		{"the same face, another person's passport", c, doc(impostor, grace), "REVIEW", []string{"FACE_SEEN_BEFORE"}},
		{"another face", c, doc(impostor, eileen), "APPROVED", nil},
		{"another account", other, doc(impostor, grace), "APPROVED", nil},
	}
	ids := map[string]int64{}
	for _, tc := range cases {
		ids[tc.name] = apitest.SubmitSession(t, tc.client, nil, tc.front)
		got := waitSettled(t, tc.client, ids[tc.name])
		if got.Str("state") != tc.state || !checksAre(got.Body["checks"], tc.checks...) {
			t.Errorf("%s: %s", tc.name, got.Raw)
		}
		if len(tc.checks) > 0 {
			ev, _ := got.Body["evidence"].(map[string]any)
			if e, _ := ev["FACE_SEEN_BEFORE"].(string); !strings.Contains(e, fmt.Sprintf("session %d (distance 0.", first)) ||
				!strings.Contains(e, fmt.Sprintf("session %d (distance 0.", ids["the same person, a renewed passport"])) {
				t.Errorf("evidence: %v", ev)
			}
		}
	}

	// The block list: by a decided session's face, for its account only.
	if r := other.Call("face_block.create", map[string]any{"session_id": first}); r.Status != 404 || r.Str("error_name") != "SessionNotFound" {
		t.Errorf("blocking another account's session: %s", r.Raw)
	}
	b := c.Call("face_block.create", map[string]any{"session_id": first, "reason": "fraud ring"})
	if b.Status != 200 || b.Num("session_id") != first || b.Str("reason") != "fraud ring" {
		t.Fatalf("face_block.create: %s", b.Raw)
	}
	// Anna again: her face is blocked, and was seen on Karin's passport.
	if got := waitSettled(t, c, apitest.SubmitSession(t, c, nil, doc(anna, grace))); got.Str("state") != "DECLINED" || !checksAre(got.Body["checks"], "FACE_BLOCKED", "FACE_SEEN_BEFORE") {
		t.Errorf("a blocked face: %s", got.Raw)
	}
	if got := waitSettled(t, other, apitest.SubmitSession(t, other, nil, doc(impostor, grace))); got.Str("state") != "APPROVED" {
		t.Errorf("blocked in another account too: %s", got.Raw)
	}
	if list := c.Call("face_block.list", nil).Body["data"].([]any); len(list) != 1 {
		t.Errorf("face_block.list: %v", list)
	}
	if r := other.Call("face_block.delete", map[string]any{"id": b.Num("id")}); r.Status != 404 || r.Str("error_name") != "FaceBlockNotFound" {
		t.Errorf("another account's delete: %s", r.Raw)
	}
	if r := c.Call("face_block.delete", map[string]any{"id": b.Num("id")}); r.Status != 200 {
		t.Errorf("face_block.delete: %s", r.Raw)
	}

	// Erasing every session with Grace's face leaves none to be seen again.
	list := c.Call("session.list", map[string]any{"limit": 100})
	for _, v := range list.Body["data"].([]any) {
		if r := c.Call("session.delete", map[string]any{"id": v.(map[string]any)["id"]}); r.Status != 200 {
			t.Fatalf("session.delete: %s", r.Raw)
		}
	}
	if got := waitSettled(t, c, apitest.SubmitSession(t, c, nil, doc(impostor, grace))); got.Str("state") != "APPROVED" {
		t.Errorf("after erasure: %s", got.Raw)
	}
	if r := c.Call("face_block.create", map[string]any{"session_id": first}); r.Status != 409 || r.Str("error_name") != "SessionHasNoFace" {
		t.Errorf("blocking an erased session's face: %s", r.Raw)
	}
}

// TestFaceSeenBeforeInVerifications: verifications take part in the 1:N
// lookup as sessions do. A verification with a face an earlier session
// showed under another name is FACE_SEEN_BEFORE (DOUBLE_CHECK, the earlier
// session named), a block taken from that verification declines a later
// session with the face, and the block is the account's alone.
func TestFaceSeenBeforeInVerifications(t *testing.T) {
	t.Parallel() // a server of its own, and minutes of jobs: overlaps the others
	grace := testenv.ReadPhoto(t, testenv.PhotoGraceHopper)
	doc := func(p testdocs.Person) []byte {
		return testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(p), Portrait: grace, RotateDeg: 1})
	}
	impostor := anna
	impostor.Surname, impostor.GivenNames, impostor.Number = "LINDQVIST", "KARIN", "X12345678"
	s := apitest.WorkerServer(t, testenv.PostgresURL(t))
	c, _, _, _ := apitest.Account(t, s, "verification-faces")
	other, _, _, _ := apitest.Account(t, s, "verification-faces-elsewhere")

	first := apitest.SubmitSession(t, c, nil, doc(anna))
	if got := waitSettled(t, c, first); got.Str("state") != "APPROVED" {
		t.Fatalf("first session: %s", got.Raw)
	}
	// verify runs an identity verification of the holder with Grace's face
	// and says how it ended, with its decisions' reasons.
	verify := func(holder testdocs.Person) (vid, selfie int64, status, reasons string) {
		vid = c.Call("verification.create", map[string]any{"flow": "identity"}).Num("id")
		for _, d := range []map[string]any{
			apitest.Doc("identity", vid, "PHOTO_ID", 1, "SWE", doc(holder)),
			apitest.Doc("identity", vid, "SELFIE", 30, "US", testenv.ReadPhoto(t, testenv.PhotoGrace512)),
		} {
			r := c.Call("document.create", d)
			if r.Status != 200 {
				t.Fatalf("document.create: %s", r.Raw)
			}
			selfie = r.Num("id")
		}
		testenv.WaitFor(t, 90*time.Second, "the selfie read", func() bool {
			return c.Call("document.get", map[string]any{"id": selfie}).Num("status") == 7
		})
		if r := c.Call("verification.submit", map[string]any{"id": vid}); r.Status != 200 {
			t.Fatalf("submit: %s", r.Raw)
		}
		got := apitest.WaitVerification(t, c, vid, "APPROVED", "REJECTED", "DOUBLE_CHECK")
		return vid, selfie, got.Str("status"), string(c.Call("decision.list", map[string]any{"verification_id": vid}).Raw)
	}
	vid, selfie, status, reasons := verify(impostor)
	if status != "DOUBLE_CHECK" || !strings.Contains(reasons, "FACE_SEEN_BEFORE") {
		t.Fatalf("a face seen under another name: %s; decisions %s", status, reasons)
	}
	// The account's policy rules verifications too: a face seen before
	// declined rejects the next impostor.
	if r := c.Call("account.update", map[string]any{"policy": map[string]string{"FACE_SEEN_BEFORE": "decline"}}); r.Status != 200 {
		t.Fatalf("account.update: %s", r.Raw)
	}
	second := impostor
	second.Surname, second.Number = "BERG", "Y12345678"
	if _, _, status, reasons := verify(second); status != "REJECTED" || !strings.Contains(reasons, "FACE_SEEN_BEFORE") {
		t.Fatalf("a face seen before, declined by the policy: %s; decisions %s", status, reasons)
	}
	ev := c.Call("extracted_data.get", map[string]any{"document_id": selfie}).Str("face_seen_before_in")
	if !strings.Contains(ev, fmt.Sprintf("session %d (distance 0.", first)) {
		t.Errorf("evidence on the selfie: %q", ev)
	}

	for _, tc := range []struct {
		name   string
		client *apitest.Client
		body   map[string]any
		status int
		error  string
	}{
		{"neither id", c, map[string]any{"reason": "x"}, 400, "InvalidRequest"},
		{"both ids", c, map[string]any{"session_id": first, "verification_id": vid}, 400, "InvalidRequest"},
		{"another account's verification", other, map[string]any{"verification_id": vid}, 404, "VerificationNotFound"},
		{"an unknown verification", c, map[string]any{"verification_id": vid + 1000}, 404, "VerificationNotFound"},
		{"a reason over 500 bytes", c, map[string]any{"verification_id": vid, "reason": strings.Repeat("x", 501)}, 400, "InvalidRequest"},
	} {
		if r := tc.client.Call("face_block.create", tc.body); r.Status != tc.status || r.Str("error_name") != tc.error {
			t.Errorf("%s: %s", tc.name, r.Raw)
		}
	}
	b := c.Call("face_block.create", map[string]any{"verification_id": vid, "reason": "synthetic identity"})
	if b.Status != 200 || b.Num("verification_id") != vid || b.Num("session_id") != 0 {
		t.Fatalf("face_block.create from a verification: %s", b.Raw)
	}
	later := waitSettled(t, c, apitest.SubmitSession(t, c, nil, doc(anna)))
	evidence, _ := later.Body["evidence"].(map[string]any)
	if later.Str("state") != "DECLINED" || !strings.Contains(fmt.Sprint(evidence["FACE_BLOCKED"]), fmt.Sprintf("face block %d", b.Num("id"))) ||
		!strings.Contains(fmt.Sprint(evidence["FACE_SEEN_BEFORE"]), fmt.Sprintf("verification %d", vid)) {
		t.Errorf("a session with the blocked face: %s", later.Raw)
	}
	if r := c.Call("verification.delete", map[string]any{"id": vid}); r.Status != 200 {
		t.Fatalf("verification.delete: %s", r.Raw)
	}
	if r := c.Call("face_block.create", map[string]any{"verification_id": vid}); r.Status != 409 || r.Str("error_name") != "VerificationHasNoFace" {
		t.Errorf("blocking an erased verification's face: %s", r.Raw)
	}
}
