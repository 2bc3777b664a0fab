package systemtest

import (
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

var anna = testdocs.Person{Code: "P<", Issuer: "SWE", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Number: "L898902C3",
	Nationality: "SWE", Birth: "740812", Sex: "F", Expiry: "340415"}

var billLines = []string{"CITY POWER & LIGHT", "Statement date: 2026-10-01", "Account number 4471-2290", "",
	"ANNA MARIA ERIKSSON", "742 Evergreen Terrace", "Springfield, TN 37172", "", "Amount due: $45.20"}

// waitState polls a get method until its state property is one of final.
func waitState(t *testing.T, c *client, method string, body map[string]any, prop string, final ...string) reply {
	t.Helper()
	var r reply
	testenv.WaitFor(t, 120*time.Second, method+" to finish", func() bool {
		r = c.call(method, body)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", method, r.Status, r.Raw)
		}
		for _, f := range final {
			if r.str(prop) == f {
				return true
			}
		}
		return false
	})
	return r
}

// Two API processes without workers and one worker process share PostgreSQL,
// the S3 server and one signing key. Calls alternate between the API
// processes; a photo task, a session and a USPS 1583 verification go through,
// and the rate limit is shared.
func TestTwoAPIsAndAWorker(t *testing.T) {
	d := s3Deployment(t, testenv.PostgresURL(t))
	api1, api2 := d.start("api1", "serve", 0), d.start("api2", "serve", 0)
	d.start("worker", "worker", 2)
	pub, secret, _ := d.account("deploy")
	c := newClient(t, pub, secret, api1, api2)

	grace := testenv.ReadPhoto(t, testenv.PhotoGraceHopper)
	selfie := testenv.ReadPhoto(t, testenv.PhotoGrace512)

	// A photo task: queued by one API process, done by the worker, read through both.
	spec := c.call("specification.list", map[string]any{"country_code": "US"}).Body["data"].([]any)[0].(map[string]any)["id"]
	task := c.call("photo.process", map[string]any{"photo": b64(bigPhoto(t, 4)), "spec_id": spec})
	if task.Status != 202 {
		t.Fatalf("photo.process: %s", task.Raw)
	}
	done := waitState(t, c, "task.get", map[string]any{"id": task.num("task_id")}, "state", "SUCCESS", "FAILURE")
	if done.str("state") != "SUCCESS" {
		t.Fatalf("photo task: %s", done.Raw)
	}
	charges := c.call("transaction.list", map[string]any{"type": "charge"}).Body["data"].([]any)
	if len(charges) != 1 {
		t.Fatalf("charges after one task: %v", charges)
	}

	// A session: created on one process, uploaded and submitted through both.
	sess := c.call("session.create", map[string]any{"face_verification": true})
	if sess.Status != 200 {
		t.Fatalf("session.create: %s", sess.Raw)
	}
	dev := &client{t: t, urls: c.urls, auth: "Bearer " + sess.str("token")}
	passport := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: grace, RotateDeg: 2})
	for kind, img := range map[string][]byte{"document_front": passport, "selfie": selfie} {
		if r := dev.call("session.upload", map[string]any{"kind": kind, "image": b64(img)}); r.Status != 200 {
			t.Fatalf("upload %s: %s", kind, r.Raw)
		}
	}
	if r := dev.call("session.submit", nil); r.Status != 200 {
		t.Fatalf("submit: %s", r.Raw)
	}
	decided := waitState(t, c, "session.get", map[string]any{"id": sess.num("id")}, "state", "APPROVED", "DECLINED")
	if decided.str("state") != "APPROVED" || decided.str("surname") != "ERIKSSON" {
		t.Fatalf("session: %s", decided.Raw)
	}

	// A USPS 1583 verification.
	v := c.call("verification.create", map[string]any{"flow": "usps1583", "expected_surname": "Eriksson",
		"expected_given_names": "Anna Maria", "expected_address_zip": "37172"})
	vid := v.num("id")
	for _, doc := range []map[string]any{
		{"context_type": "PHOTO_ID", "document_type_id": 1, "country": "SWE", "front_side_data": b64(passport)},
		{"context_type": "PROOF_OF_ADDRESS", "document_type_id": 20, "country": "USA", "front_side_data": b64(testdocs.Bill(t, billLines, -1))},
		{"context_type": "SELFIE", "document_type_id": 30, "country": "US", "front_side_data": b64(selfie)},
	} {
		doc["flow"], doc["verification_id"] = "usps1583", vid
		if r := c.call("document.create", doc); r.Status != 200 {
			t.Fatalf("document.create %s: %s", doc["context_type"], r.Raw)
		}
	}
	if r := c.call("verification.submit", map[string]any{"id": vid}); r.Status != 200 {
		t.Fatalf("submit: %s", r.Raw)
	}
	final := waitState(t, c, "verification.get", map[string]any{"id": vid}, "status", "APPROVED", "REJECTED", "DOUBLE_CHECK")
	if final.str("status") != "APPROVED" {
		t.Fatalf("verification: %s; decisions %s", final.Raw, c.call("decision.list", map[string]any{"verification_id": vid}).Raw)
	}

	// The rate limit is shared: a key limited to 30 requests an hour is
	// refused by both processes once they have synced (200 ms here).
	lpub, lsecret, lid := d.account("limited")
	d.cli("account", "rate-limit", "--account", itoa(lid), "--per-hour", "30")
	lc := newClient(t, lpub, lsecret, api1, api2)
	ok := 0
	for i := 0; i < 30; i++ {
		if lc.call("account.get", nil).Status == 200 {
			ok++
		}
	}
	if ok != 30 {
		t.Fatalf("%d of the first 30 requests admitted", ok)
	}
	for _, api := range []*proc{api1, api2} {
		testenv.WaitFor(t, 5*time.Second, api.name+" to refuse the 31st request", func() bool {
			return lc.callAt(api.URL, "account.get", nil).Status == 429
		})
	}
}
