package api_test

import (
	"bytes"
	"encoding/json"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	sdkclient "github.com/veridoc/veridoc/client"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// receiver is an integrator's callback endpoint: it checks every signature
// and answers with the next scripted status (200 once the script runs out).
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	secret  string
	script  []int
	events  []map[string]any
	bad     int // requests whose signature did not verify
	headers []http.Header
}

func newReceiver(t *testing.T, script ...int) *receiver {
	r := &receiver{script: script}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		wh, err := standardwebhooks.NewWebhook(r.secret)
		if err != nil || wh.Verify(body, req.Header) != nil {
			r.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		status := http.StatusOK
		if len(r.script) > 0 {
			status, r.script = r.script[0], r.script[1:]
		}
		if status == http.StatusOK {
			var ev map[string]any
			_ = json.Unmarshal(body, &ev)
			r.events = append(r.events, ev)
			r.headers = append(r.headers, req.Header.Clone())
		}
		if status == http.StatusFound {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e["type"].(string))
	}
	return out
}

var anna = testdocs.Person{Code: "P<", Issuer: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Number: "L898902C3",
	Nationality: "UTO", Birth: "740812", Sex: "F", Expiry: "340415", Optional: "ZE184226B"}

func waitDecided(t *testing.T, c *apitest.Client, id int64) apitest.Reply {
	t.Helper()
	return waitState(t, c, id, "APPROVED", "DECLINED")
}

// waitState waits until the session is in one of the states.
func waitState(t *testing.T, c *apitest.Client, id int64, states ...string) apitest.Reply {
	t.Helper()
	var r apitest.Reply
	testenv.WaitFor(t, 120*time.Second, "the session in "+strings.Join(states, " or "), func() bool {
		r = c.Call("session.get", map[string]any{"id": id})
		if r.Status != 200 {
			t.Fatalf("session.get: %s", r.Raw)
		}
		return slices.Contains(states, r.Str("state"))
	})
	return r
}

func TestSessionFlow(t *testing.T) {
	doc := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: testenv.ReadPhoto(t, testenv.PhotoGraceHopper),
		Fields: []string{"PASSPORT", "ERIKSSON", "ANNA MARIA"}, RotateDeg: 3, Blur: 0.6, Quality: 80})
	selfie := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			s := apitest.WorkerServer(t, dbk.URL(t))
			c, _, _, _ := apitest.Account(t, s, "sessions")
			recv := newReceiver(t)
			// The account's first callback makes its webhook secret and shows it once.
			cr := c.Call("session.create", map[string]any{"callback_url": recv.URL + "/hook", "face_verification": true, "reference": "order-17"})
			if cr.Status != 200 || cr.Num("id") == 0 || !strings.HasPrefix(cr.Str("token"), "st_") || cr.Str("verify_url") != s.URL+"/verify/"+cr.Str("token") ||
				!strings.HasPrefix(cr.Str("webhook_secret"), "whsec_") {
				t.Fatalf("session.create: %s", cr.Raw)
			}
			recv.mu.Lock()
			recv.secret = cr.Str("webhook_secret")
			recv.mu.Unlock()
			if again := c.Call("session.create", map[string]any{"reference": "no callback"}); again.Status != 200 || again.Str("webhook_secret") != "" {
				t.Fatalf("a second session showed a secret: %s", again.Raw)
			}
			id, token := cr.Num("id"), cr.Str("token")
			if r := c.Call("session.state", map[string]any{"id": id}); r.Str("state") != "CREATED" {
				t.Fatalf("state: %s", r.Raw)
			}
			dev := apitest.Device(c, token).With("User-Agent", "VeridocTest/1.0")
			// The token opens only the end-user methods, and the keys only the others.
			if r := dev.Call("session.get", map[string]any{"id": id}); r.Status != 401 {
				t.Fatalf("token on session.get: %s", r.Raw)
			}
			if r := c.Call("session.upload", map[string]any{"kind": "selfie", "image": apitest.B64(selfie)}); r.Status != 401 {
				t.Fatalf("API key on session.upload: %s", r.Raw)
			}
			if r := dev.Call("session.upload", map[string]any{"kind": "passport", "image": apitest.B64(selfie)}); r.Status != 400 {
				t.Fatalf("bad kind: %s", r.Raw)
			}
			if r := dev.Call("session.upload", map[string]any{"kind": "selfie", "image": apitest.B64([]byte("not an image"))}); r.Status != 415 {
				t.Fatalf("non-image upload: %s", r.Raw)
			}
			if r := dev.Call("session.upload", map[string]any{"kind": "document_front", "image": apitest.B64(doc)}); r.Status != 200 || r.Str("state") != "UPLOADING" {
				t.Fatalf("upload front: %s", r.Raw)
			}
			// Multipart, as a browser form sends it.
			if r := multipartUpload(t, dev, "selfie", selfie); r.Status != 200 {
				t.Fatalf("multipart selfie: %s", r.Raw)
			}
			if r := dev.Call("session.current", nil); r.Num("id") != id || r.Body["document_front"] != true || r.Body["selfie"] != true || r.Body["document_back"] != false {
				t.Fatalf("session.current: %s", r.Raw)
			}
			if r := dev.Call("session.submit", nil); r.Status != 200 || r.Str("state") != "PROCESSING" {
				t.Fatalf("submit: %s", r.Raw)
			}
			if r := dev.Call("session.upload", map[string]any{"kind": "selfie", "image": apitest.B64(selfie)}); r.Status != 409 || r.Str("error_name") != "SessionSubmitted" {
				t.Fatalf("upload after submit: %s", r.Raw)
			}
			if r := dev.Call("session.submit", nil); r.Status != 409 {
				t.Fatalf("second submit: %s", r.Raw)
			}
			got := waitDecided(t, c, id)
			want := map[string]string{"state": "APPROVED", "surname": "ERIKSSON", "given_names": "ANNA MARIA", "nationality": "UTO",
				"sex": "F", "date_of_birth": "1974-08-12", "document_type": "PASSPORT", "document_number": "L898902C3",
				"expiry_date": "2034-04-15", "issuing_country": "UTO", "personal_number": "ZE184226B", "reference": "order-17",
				"user_agent": "VeridocTest/1.0", "user_ip": "127.0.0.1"}
			for k, v := range want {
				if got.Str(k) != v {
					t.Errorf("%s = %q, want %q", k, got.Str(k), v)
				}
			}
			if score := got.Num("face_match_score"); score <= 50 {
				t.Errorf("same person scored %d", score)
			}
			if checks := got.Body["checks"].([]any); len(checks) != 0 {
				t.Errorf("checks %v", checks)
			}
			for _, k := range []string{"portrait", "face"} {
				img := download(t, got.Str(k))
				if _, err := jpeg.Decode(bytes.NewReader(img)); err != nil {
					t.Errorf("%s is not a JPEG: %v", k, err)
				}
			}
			for _, k := range []string{"created", "expires", "submitted", "finished"} {
				if !timestampRE.MatchString(got.Str(k)) {
					t.Errorf("%s = %q", k, got.Str(k))
				}
			}
			ev := c.Call("session_event.list", map[string]any{"session_id": id})
			var states []string
			for _, e := range ev.Body["data"].([]any) {
				states = append(states, e.(map[string]any)["state"].(string))
			}
			if strings.Join(states, ",") != "CREATED,UPLOADING,PROCESSING,APPROVED" {
				t.Errorf("state history %v", states)
			}
			testenv.WaitFor(t, 30*time.Second, "three callbacks", func() bool { return len(recv.types()) >= 3 })
			// Deliveries run in parallel, so arrival order is not guaranteed; each event carries its timestamp.
			types := recv.types()
			slices.Sort(types)
			if got := strings.Join(types, ","); got != "session.approved,session.processing,session.uploading" {
				t.Errorf("callbacks %s", got)
			}
			recv.mu.Lock()
			if recv.bad != 0 {
				t.Errorf("%d callbacks with bad signatures", recv.bad)
			}
			var last map[string]any
			for _, e := range recv.events {
				if e["type"] == "session.approved" {
					last = e
				}
			}
			if last["session_id"].(float64) != float64(id) || last["state"] != "APPROVED" || last["reference"] != "order-17" {
				t.Errorf("event %v", last)
			}
			recv.mu.Unlock()
			// At rest: images sealed, names, numbers, birth date and the
			// webhook secret not in the clear (the reference is, by design).
			testenv.SealedAtRest(t, s, "order-17", "ERIKSSON", "ANNA MARIA", "L898902C3", "ZE184226B", "1974-08-12",
				strings.TrimPrefix(cr.Str("webhook_secret"), "whsec_"))

			attempts := c.Call("callback.list", map[string]any{"session_id": id})
			if n := len(attempts.Body["data"].([]any)); n != 3 {
				t.Errorf("callback.list: %d attempts: %s", n, attempts.Raw)
			}
			for _, a := range attempts.Body["data"].([]any) {
				if m := a.(map[string]any); m["status_code"].(float64) != 200 || m["callback_state"] != "DELIVERED" {
					t.Errorf("attempt %v", m)
				}
			}

			// Another account sees none of it.
			other, _, _, _ := apitest.Account(t, s, "other")
			for _, m := range []string{"session.get", "session.state", "session.delete"} {
				if r := other.Call(m, map[string]any{"id": id}); r.Status != 404 || r.Str("error_name") != "SessionNotFound" {
					t.Errorf("%s from another account: %s", m, r.Raw)
				}
			}
			if r := other.Call("callback.list", map[string]any{"session_id": id}); r.Status != 404 {
				t.Errorf("callback.list from another account: %s", r.Raw)
			}
			if r := other.Call("session.list", nil); len(r.Body["data"].([]any)) != 0 {
				t.Errorf("session.list from another account: %s", r.Raw)
			}
			if r := c.Call("session.list", map[string]any{"state": "APPROVED", "reference": "order-17"}); len(r.Body["data"].([]any)) != 1 {
				t.Errorf("session.list filtered: %s", r.Raw)
			}
			if r := c.Call("session.list", map[string]any{"created_after": "2099-01-01T00:00:00Z"}); len(r.Body["data"].([]any)) != 0 {
				t.Errorf("session.list created_after: %s", r.Raw)
			}

			// Delete erases images and personal data, keeps the stub, and kills the token.
			del := c.Call("session.delete", map[string]any{"id": id})
			if del.Status != 200 || del.Str("surname") != "" || del.Str("deleted") == "" || del.Str("state") != "APPROVED" {
				t.Fatalf("delete: %s", del.Raw)
			}
			res, err := http.Get(got.Str("portrait"))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 404 {
				t.Errorf("portrait after delete: HTTP %d", res.StatusCode)
			}
			if r := dev.Call("session.current", nil); r.Status != 401 {
				t.Errorf("token after delete: %s", r.Raw)
			}
			after := c.Call("session.get", map[string]any{"id": id})
			if after.Str("portrait") != "" || after.Str("document_number") != "" || after.Body["face_match_score"] != nil {
				t.Errorf("after delete: %s", after.Raw)
			}
		})
	}
}

func multipartUpload(t *testing.T, c *apitest.Client, kind string, file []byte) apitest.Reply {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("kind", kind)
	fw, _ := w.CreateFormFile("image", "image.jpg")
	_, _ = fw.Write(file)
	_ = w.Close()
	return c.With("Content-Type", w.FormDataContentType()).Do(http.MethodPost, "/api/v1/session.upload", body.Bytes())
}

// TestSessionDecisions: each case must be declined for exactly its reason
// (or approved), read from real images by the real engines.
func TestSessionDecisions(t *testing.T) {
	t.Parallel() // a server of its own, and minutes of jobs: overlaps the others
	grace := testenv.ReadPhoto(t, testenv.PhotoGraceHopper)
	graceSelfie := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	astronaut := testenv.ReadPhoto(t, testenv.PhotoAstronaut)
	expired := anna
	expired.Expiry = "200415"
	badDigit := testdocs.TD3(anna)
	badDigit[1] = strings.Replace(badDigit[1], "L898902C36", "L898902C35", 1)
	card := anna
	card.Code, card.Number, card.Optional = "ID", "D23145890", ""
	cardFront := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD1(card), Portrait: grace, Fields: []string{"IDENTITY CARD", "ERIKSSON"}})
	cardBack := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD1(card), BackOnly: true, RotateDeg: -2})
	passport := func(lines []string) []byte {
		return testdocs.Render(t, testdocs.Doc{MRZ: lines, Portrait: grace, RotateDeg: -2})
	}
	cases := []struct {
		name    string
		create  sdkclient.SessionCreateRequest
		uploads map[string][]byte
		state   string
		checks  []string
		docType string
	}{
		{"same person, of age", sdkclient.SessionCreateRequest{FaceVerification: true, MinAge: years(18)},
			map[string][]byte{"document_front": passport(testdocs.TD3(anna)), "selfie": graceSelfie}, "APPROVED", nil, "PASSPORT"},
		{"another person", sdkclient.SessionCreateRequest{FaceVerification: true},
			map[string][]byte{"document_front": passport(testdocs.TD3(anna)), "selfie": astronaut}, "DECLINED", []string{"FACE_MISMATCH"}, "PASSPORT"},
		// Anna was born on 12 August 1974.
		{"younger than asked", sdkclient.SessionCreateRequest{MinAge: years(60)}, map[string][]byte{"document_front": passport(testdocs.TD3(anna))}, "DECLINED", []string{"UNDERAGE"}, "PASSPORT"},
		{"expired document", sdkclient.SessionCreateRequest{}, map[string][]byte{"document_front": passport(testdocs.TD3(expired))}, "DECLINED", []string{"DOCUMENT_EXPIRED"}, "PASSPORT"},
		{"bad check digit", sdkclient.SessionCreateRequest{}, map[string][]byte{"document_front": passport(badDigit)}, "DECLINED", []string{"MRZ_CHECK_DIGIT"}, "PASSPORT"},
		{"no face on the document", sdkclient.SessionCreateRequest{},
			map[string][]byte{"document_front": testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(anna)})}, "DECLINED", []string{"NO_FACE_ON_DOCUMENT"}, "PASSPORT"},
		{"nothing uploaded", sdkclient.SessionCreateRequest{FaceVerification: true}, nil, "DECLINED", []string{"DOCUMENT_MISSING", "SELFIE_MISSING"}, ""},
		{"selfie without a face", sdkclient.SessionCreateRequest{FaceVerification: true},
			map[string][]byte{"document_front": passport(testdocs.TD3(anna)), "selfie": testenv.ReadPhoto(t, testenv.PhotoNoFace)}, "DECLINED", []string{"NO_FACE_ON_SELFIE"}, "PASSPORT"},
		{"id card, MRZ on the back", sdkclient.SessionCreateRequest{FaceVerification: true},
			map[string][]byte{"document_front": cardFront, "document_back": cardBack, "selfie": graceSelfie}, "APPROVED", nil, "ID_CARD"},
		{"id card where only passports count", sdkclient.SessionCreateRequest{PassportOnly: true},
			map[string][]byte{"document_front": cardFront, "document_back": cardBack}, "DECLINED", []string{"DOCUMENT_TYPE_NOT_ALLOWED"}, "ID_CARD"},
		{"portrait photo without an MRZ", sdkclient.SessionCreateRequest{}, map[string][]byte{"document_front": grace}, "DECLINED", []string{"MRZ_NOT_FOUND"}, ""},
		{"surname altered in print", sdkclient.SessionCreateRequest{}, map[string][]byte{"document_front": testdocs.Render(t, testdocs.Doc{
			MRZ: testdocs.TD3(anna), Portrait: grace, Fields: []string{"SURNAME  ERIKZZON", "GIVEN NAMES  ANNA MARIA"}, RotateDeg: -2})},
			"DECLINED", []string{"MRZ_VIZ_MISMATCH"}, "PASSPORT"},
	}
	// This test speaks through the Go SDK, as an integrator would.
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, _, pub, secret := apitest.Account(t, s, "decisions")
	sdk := sdkclient.New(s.URL, pub, secret)
	ctx := t.Context()
	ids := make([]int64, len(cases))
	for i, tc := range cases {
		cr, err := sdk.Session.Create(ctx, &tc.create)
		if err != nil {
			t.Fatalf("%s: create: %v", tc.name, err)
		}
		ids[i] = cr.ID
		dev := sdkclient.NewWithToken(s.URL, cr.Token)
		for _, kind := range []string{"document_front", "document_back", "selfie"} {
			if img, ok := tc.uploads[kind]; ok {
				if _, err := dev.Session.Upload(ctx, &sdkclient.SessionUploadRequest{Kind: kind, Image: apitest.B64(img)}); err != nil {
					t.Fatalf("%s: upload %s: %v", tc.name, kind, err)
				}
			}
		}
		if _, err := dev.Session.Submit(ctx, &sdkclient.SessionSubmitRequest{}); err != nil {
			t.Fatalf("%s: submit: %v", tc.name, err)
		}
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := waitDecided(t, c, ids[i])
			var checks []string
			for _, ch := range got.Body["checks"].([]any) {
				checks = append(checks, ch.(string))
			}
			slices.Sort(checks)
			want := slices.Clone(tc.checks)
			slices.Sort(want)
			if got.Str("state") != tc.state || strings.Join(checks, ",") != strings.Join(want, ",") {
				t.Fatalf("state %s checks %v; want %s %v (%s)", got.Str("state"), checks, tc.state, want, got.Raw)
			}
			if got.Str("document_type") != tc.docType {
				t.Errorf("document_type %q, want %q", got.Str("document_type"), tc.docType)
			}
			if tc.name == "another person" && got.Num("face_match_score") >= 50 {
				t.Errorf("another person scored %d", got.Num("face_match_score"))
			}
			if tc.name == "surname altered in print" && (got.Str("surname") != "ERIKSSON" || got.Str("viz_surname") != "ERIKZZON" ||
				got.Str("viz_given_names") != "ANNA MARIA") {
				t.Errorf("both values of the mismatch: %s", got.Raw)
			}
			if tc.docType == "ID_CARD" && (got.Str("document_number") != "D23145890" || got.Str("surname") != "ERIKSSON") {
				t.Errorf("card fields: %s", got.Raw)
			}
		})
	}
}

func TestSessionExpiry(t *testing.T) {
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "expiry")
	recv := newReceiver(t)
	recv.secret = c.Call("webhook_secret.rotate", nil).Str("secret")
	cr := c.Call("session.create", map[string]any{"callback_url": recv.URL})
	id := cr.Num("id")
	if _, err := s.DB.SQL.Exec("UPDATE sessions SET expires_at = ? WHERE id = ?", time.Now().UTC().Add(-time.Second), id); err != nil {
		t.Fatal(err)
	}
	dev := apitest.Device(c, cr.Str("token"))
	if r := dev.Call("session.upload", map[string]any{"kind": "selfie", "image": apitest.B64(testenv.ReadPhoto(t, testenv.PhotoGrace512))}); r.Status != 409 || r.Str("error_name") != "SessionExpired" {
		t.Fatalf("upload to an expired session: %s", r.Raw)
	}
	if r := c.Call("session.state", map[string]any{"id": id}); r.Str("state") != "EXPIRED" {
		t.Fatalf("state: %s", r.Raw)
	}
	testenv.WaitFor(t, 20*time.Second, "the expiry callback", func() bool { return slices.Contains(recv.types(), "session.expired") })
}

func years(n int) *int { return &n }

// waitSettled waits until the worker has decided the session or sent it
// to a person (REVIEW).
func waitSettled(t *testing.T, c *apitest.Client, id int64) apitest.Reply {
	t.Helper()
	return waitState(t, c, id, "APPROVED", "DECLINED", "REVIEW")
}
