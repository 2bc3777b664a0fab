package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
)

// TestSandboxSessions: in a sandbox account a magic reference reaches each
// outcome without images, with its callbacks; a live account's session
// with the same reference is read for real.
func TestSandboxSessions(t *testing.T) {
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.SandboxAccount(t, s, "sandbox")
	recv := newReceiver(t)
	cases := []struct {
		reference string
		state     string
		checks    []string
		surname   string
	}{
		{"sandbox:APPROVED", "APPROVED", nil, "ERIKSSON"},
		{"sandbox:DECLINED", "DECLINED", []string{"FACE_MISMATCH"}, "ERIKSSON"},
		{"sandbox:DECLINED:MRZ_NOT_FOUND,NO_FACE_ON_SELFIE", "DECLINED", []string{"MRZ_NOT_FOUND", "NO_FACE_ON_SELFIE"}, ""},
	}
	for _, check := range sessions.Checks {
		surname := "ERIKSSON"
		if check == "DOCUMENT_MISSING" || check == "MRZ_NOT_FOUND" {
			surname = ""
		}
		cases = append(cases, struct {
			reference string
			state     string
			checks    []string
			surname   string
		}{"sandbox:DECLINED:" + check, sessions.Policy{}.State([]string{check}), []string{check}, surname})
	}
	// A sandbox session follows the account's policy, whose defaults send
	// the image-integrity checks, a face seen before and a suspected
	// presentation attack to a person.
	declined, reviewed := 0, 0
	for _, tc := range cases {
		switch tc.state {
		case "DECLINED":
			declined++
		case "REVIEW":
			reviewed++
		}
	}
	if reviewed != 5 {
		t.Fatalf("%d sandbox checks review by default, want 5", reviewed)
	}
	for i, tc := range cases {
		body := map[string]any{"reference": tc.reference, "callback_url": recv.URL}
		cr := c.Call("session.create", body)
		if cr.Status != 200 {
			t.Fatalf("%s: %s", tc.reference, cr.Raw)
		}
		if i == 0 {
			recv.secret = cr.Str("webhook_secret")
		}
		if r := apitest.Device(c, cr.Str("token")).Call("session.submit", nil); r.Status != 200 {
			t.Fatalf("%s submit: %s", tc.reference, r.Raw)
		}
		var got apitest.Reply
		testenv.WaitFor(t, 20*time.Second, tc.reference, func() bool {
			got = c.Call("session.get", map[string]any{"id": cr.Num("id")})
			return got.Str("state") == tc.state
		})
		var checks []string
		for _, v := range got.Body["checks"].([]any) {
			checks = append(checks, v.(string))
		}
		if !slices.Equal(checks, tc.checks) || got.Str("surname") != tc.surname {
			t.Errorf("%s: checks %v surname %q, want %v %q", tc.reference, checks, got.Str("surname"), tc.checks, tc.surname)
		}
	}
	// EXPIRED: the session expires at once, and says so to its callback.
	exp := c.Call("session.create", map[string]any{"reference": "sandbox:EXPIRED", "callback_url": recv.URL})
	if r := apitest.Device(c, exp.Str("token")).Call("session.submit", nil); r.Status != 409 || r.Str("error_name") != "SessionExpired" {
		t.Fatalf("submit an expired sandbox session: %s", r.Raw)
	}
	testenv.WaitFor(t, 20*time.Second, "every outcome's callback", func() bool {
		types := recv.types()
		return slices.Contains(types, "session.expired") && count(types, "session.declined") == declined &&
			count(types, "session.review") == reviewed && count(types, "session.approved") == 1
	})
	// A magic value that names nothing is refused in a sandbox account.
	for _, ref := range []string{"sandbox:MAYBE", "sandbox:DECLINED:NOT_A_CHECK", "sandbox:APPROVED:FACE_MISMATCH"} {
		if r := c.Call("session.create", map[string]any{"reference": ref}); r.Status != 400 || r.Str("error_name") != "SandboxValueUnknown" {
			t.Errorf("%s: %s", ref, r.Raw)
		}
	}
	// In a live account it is only a reference: the session is read for real.
	live, _, _, _ := apitest.Account(t, s, "live")
	cr := live.Call("session.create", map[string]any{"reference": "sandbox:APPROVED"})
	if r := apitest.Device(live, cr.Str("token")).Call("session.submit", nil); r.Status != 200 {
		t.Fatalf("live submit: %s", r.Raw)
	}
	var got apitest.Reply
	testenv.WaitFor(t, 30*time.Second, "the live session", func() bool {
		got = live.Call("session.get", map[string]any{"id": cr.Num("id")})
		return got.Str("state") == "DECLINED" || got.Str("state") == "APPROVED"
	})
	if got.Str("state") != "DECLINED" || !strings.Contains(got.Raw, "DOCUMENT_MISSING") {
		t.Errorf("a live account's magic reference: %s", got.Raw)
	}
	if r := live.Call("session.create", map[string]any{"reference": "sandbox:MAYBE"}); r.Status != 200 {
		t.Errorf("a live account's reference is free: %s", r.Raw)
	}
}

func count(list []string, v string) int {
	n := 0
	for _, x := range list {
		if x == v {
			n++
		}
	}
	return n
}

// TestSandboxPhotos: in a sandbox account "sandbox:SUCCESS" processes the
// built-in sample into real outputs (charged in test money) and
// "sandbox:<CODE>" ends in each failure, uncharged; a live account is told
// to send a photo.
func TestSandboxPhotos(t *testing.T) {
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.SandboxAccount(t, s, "sandbox photos")
	if r := c.Call("billing.deposit", map[string]any{"amount_usd": "10.00"}); r.Status != 200 {
		t.Fatalf("deposit: %s", r.Raw)
	}
	const usPassport = 1262
	ok := c.Call("photo.process", map[string]any{"photo": "sandbox:SUCCESS", "spec_id": usPassport})
	if ok.Status != 202 {
		t.Fatalf("sandbox:SUCCESS: %s", ok.Raw)
	}
	done := waitTask(t, c, ok.Num("task_id"))
	if done.Str("state") != "SUCCESS" || done.Str("digital_photo_url") == "" || done.Str("price_usd") == "0.00" {
		t.Fatalf("sandbox:SUCCESS task: %s", done.Raw)
	}
	if photo := download(t, done.Str("digital_photo_url")); len(photo) < 10_000 {
		t.Errorf("sandbox photo of %d bytes", len(photo))
	}
	for _, code := range idphoto.FailureCodes {
		r := c.Call("photo.process", map[string]any{"photo": "sandbox:" + code, "spec_id": usPassport})
		if r.Status != 202 {
			t.Fatalf("sandbox:%s: %s", code, r.Raw)
		}
		task := waitTask(t, c, r.Num("task_id"))
		reasons, _ := task.Body["failure_reasons"].([]any)
		if task.Str("state") != "FAILURE" || task.Str("error_code") != code || len(reasons) != 1 || reasons[0].(map[string]any)["message"] == "" {
			t.Errorf("sandbox:%s task: %s", code, task.Raw)
		}
	}
	if bal := c.Call("billing.balance", nil); bal.Num("photos_processed") != 1 || bal.Str("held_usd") != "0.00" {
		t.Errorf("only the success is charged: %s", bal.Raw)
	}
	if r := c.Call("photo.process", map[string]any{"photo": "sandbox:TOO_FUZZY", "spec_id": usPassport}); r.Status != 400 || r.Str("error_name") != "SandboxValueUnknown" {
		t.Errorf("unknown magic photo: %s", r.Raw)
	}
	live, _, _, _ := apitest.Account(t, s, "live photos")
	if r := live.Call("photo.process", map[string]any{"photo": "sandbox:SUCCESS", "spec_id": usPassport}); r.Status != 403 || r.Str("error_name") != "SandboxOnly" {
		t.Errorf("magic photo in a live account: %s", r.Raw)
	}
}

// TestWebhookEndpointTest: a signed sample of any event reaches the
// endpoint, marked as a test, and its delivery is logged.
func TestWebhookEndpointTest(t *testing.T) {
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "endpoint tests")
	recv := newReceiver(t)
	e := c.Call("webhook_endpoint.create", map[string]any{"url": recv.URL, "events": []string{"verification.finished"}})
	recv.secret = e.Str("webhook_secret")
	id := e.Num("id")
	// Any event can be tried, including one the endpoint does not subscribe to.
	for _, event := range []string{"", "decision.canceled"} {
		r := c.Call("webhook_endpoint.test", map[string]any{"id": id, "event": event})
		if r.Status != 200 || r.Num("callback_id") == 0 || r.Str("state") != "PENDING" || !strings.HasPrefix(r.Str("webhook_id"), "msg_") {
			t.Fatalf("test %q: %s", event, r.Raw)
		}
	}
	testenv.WaitFor(t, 20*time.Second, "the two samples", func() bool { return len(recv.types()) == 2 })
	byType := map[any]map[string]any{}
	recv.mu.Lock()
	for _, ev := range recv.events {
		byType[ev["type"]] = ev
	}
	recv.mu.Unlock()
	first, second := byType["verification.finished"], byType["decision.canceled"]
	if first["type"] != "verification.finished" || first["test"] != true || first["status"] != "APPROVED" || first["verification_id"] != float64(0) {
		t.Errorf("default sample: %v", first)
	}
	if second["type"] != "decision.canceled" || second["test"] != true || second["status"] != "DOUBLE_CHECK" {
		t.Errorf("decision.canceled sample: %v", second)
	}
	if recv.bad != 0 {
		t.Errorf("%d samples failed signature verification", recv.bad)
	}
	// The receiver answers before the sender records the attempt: under
	// load the second record can trail the second delivery.
	var attempts []any
	testenv.WaitFor(t, 10*time.Second, "two attempts logged", func() bool {
		attempts, _ = c.Call("callback.list", map[string]any{"webhook_endpoint_id": id}).Body["data"].([]any)
		return len(attempts) >= 2
	})
	if len(attempts) != 2 || attempts[0].(map[string]any)["status_code"] != float64(200) || attempts[0].(map[string]any)["webhook_endpoint_id"] != float64(id) {
		t.Errorf("callback.list: %v", attempts)
	}
	other, _, _, _ := apitest.Account(t, s, "someone else")
	rules := []struct {
		name   string
		client *apitest.Client
		body   map[string]any
		status int
		error  string
	}{
		{"unknown event", c, map[string]any{"id": id, "event": "session.approved"}, 400, "UnknownEvent"},
		{"unknown endpoint", c, map[string]any{"id": 1 << 40}, 404, "WebhookEndpointNotFound"},
		{"another account's endpoint", other, map[string]any{"id": id}, 404, "WebhookEndpointNotFound"},
	}
	for _, tc := range rules {
		if r := tc.client.Call("webhook_endpoint.test", tc.body); r.Status != tc.status || r.Str("error_name") != tc.error {
			t.Errorf("%s: %s", tc.name, r.Raw)
		}
	}
	if r := other.Call("callback.list", map[string]any{"webhook_endpoint_id": id}); r.Status != 404 {
		t.Errorf("another account's endpoint's log: %s", r.Raw)
	}
	if r := c.Call("webhook_endpoint.update", map[string]any{"id": id, "disabled": true}); r.Status != 200 {
		t.Fatalf("disable: %s", r.Raw)
	}
	if r := c.Call("webhook_endpoint.test", map[string]any{"id": id}); r.Status != 409 || r.Str("error_name") != "EndpointDisabled" {
		t.Errorf("disabled endpoint: %s", r.Raw)
	}
}

// TestSessionReview: a session in REVIEW (here by the sandbox's magic
// reference) waits for a person; session.decide finishes it, keeps the
// comment, and calls back.
func TestSessionReview(t *testing.T) {
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.SandboxAccount(t, s, "reviews")
	recv := newReceiver(t)
	cr := c.Call("session.create", map[string]any{"reference": "sandbox:REVIEW", "callback_url": recv.URL})
	recv.secret = cr.Str("webhook_secret")
	id := cr.Num("id")
	if r := apitest.Device(c, cr.Str("token")).Call("session.submit", nil); r.Status != 200 {
		t.Fatalf("submit: %s", r.Raw)
	}
	testenv.WaitFor(t, 20*time.Second, "REVIEW", func() bool { return c.Call("session.get", map[string]any{"id": id}).Str("state") == "REVIEW" })
	if r := c.Call("session.get", map[string]any{"id": id}); r.Body["finished"] != nil || r.Str("surname") != "ERIKSSON" {
		t.Errorf("a session in review is not finished and shows what was read: %s", r.Raw)
	}
	other, _, _, _ := apitest.Account(t, s, "other")
	rules := []struct {
		name   string
		client *apitest.Client
		body   map[string]any
		status int
		error  string
	}{
		{"a state a person cannot decide", c, map[string]any{"id": id, "state": "EXPIRED"}, 400, "InvalidRequest"},
		{"another account's session", other, map[string]any{"id": id, "state": "APPROVED"}, 404, "SessionNotFound"},
		{"a comment too long", c, map[string]any{"id": id, "state": "APPROVED", "comment": strings.Repeat("x", 2001)}, 400, "InvalidRequest"},
	}
	for _, tc := range rules {
		if r := tc.client.Call("session.decide", tc.body); r.Status != tc.status || r.Str("error_name") != tc.error {
			t.Errorf("%s: %s", tc.name, r.Raw)
		}
	}
	d := c.Call("session.decide", map[string]any{"id": id, "state": "APPROVED", "comment": "portrait checked by hand"})
	if d.Status != 200 || d.Str("state") != "APPROVED" || d.Str("finished") == "" {
		t.Fatalf("decide: %s", d.Raw)
	}
	if r := c.Call("session.decide", map[string]any{"id": id, "state": "DECLINED"}); r.Status != 409 || r.Str("error_name") != "SessionNotInReview" {
		t.Errorf("deciding twice: %s", r.Raw)
	}
	events := c.Call("session_event.list", map[string]any{"session_id": id}).Body["data"].([]any)
	last := events[len(events)-1].(map[string]any)
	if last["state"] != "APPROVED" || last["comment"] != "portrait checked by hand" || fmt.Sprint(last["reasons"]) != "[MANUAL_REVIEW]" {
		t.Errorf("the decision's event: %v", last)
	}
	testenv.WaitFor(t, 20*time.Second, "the review and decision callbacks", func() bool {
		types := recv.types()
		return slices.Contains(types, "session.review") && slices.Contains(types, "session.approved")
	})
	// Erasure takes the comment too: it may name the person.
	if r := c.Call("session.delete", map[string]any{"id": id}); r.Status != 200 {
		t.Fatalf("delete: %s", r.Raw)
	}
	for _, e := range c.Call("session_event.list", map[string]any{"session_id": id}).Body["data"].([]any) {
		if e.(map[string]any)["comment"] != "" {
			t.Errorf("comment kept after erasure: %v", e)
		}
	}
}
