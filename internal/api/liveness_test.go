package api_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/livegen"
	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/liveness"
)

func framesJSON(frames []liveness.Frame) []map[string]any {
	out := make([]map[string]any, len(frames))
	for i, f := range frames {
		out[i] = map[string]any{"image": apitest.B64(f.JPEG), "t_ms": f.TMs}
	}
	return out
}

func stepsOf(r apitest.Reply) []string {
	ch, _ := r.Body["challenge"].(map[string]any)
	raw, _ := ch["steps"].([]any)
	var out []string
	for _, s := range raw {
		out = append(out, s.(string))
	}
	return out
}

// TestLivenessSession: an active session hands out a challenge and refuses a
// selfie; frames must answer its nonce; a generated live head doing the
// steps passes and its best frame is matched to the passport; a print of
// the same portrait moved to follow the steps is LIVENESS_FAILED; the
// frames also arrive as a multipart form; the first session's frames sent
// again, as they are or copied, are a replay of it.
func TestLivenessSession(t *testing.T) {
	t.Parallel() // a server of its own, and minutes of jobs: overlaps the others
	grace := testenv.ReadPhoto(t, testenv.PhotoGraceHopper)
	engine, err := faces.NewFaceEngine(repo.Models())
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	head, err := livegen.FromPortrait(engine, grace)
	if err != nil {
		t.Fatal(err)
	}
	front := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: grace, RotateDeg: -2})
	s := apitest.WorkerServer(t, testenv.PostgresURL(t))
	c, accID, _, _ := apitest.Account(t, s, "liveness")
	// The passive nets call every generated head an attack (docs/sessions.md):
	// listed, not acted on, so the active check's verdict shows.
	if r := c.Call("account.update", map[string]any{"policy": map[string]string{"PRESENTATION_ATTACK_SUSPECTED": "ignore"}}); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	rng := rand.New(rand.NewPCG(3, 5))

	openIn := func(c *apitest.Client) (int64, *apitest.Client, string, []string) {
		cr := c.Call("session.create", map[string]any{"liveness": "active", "face_verification": true})
		steps := stepsOf(cr)
		ch, _ := cr.Body["challenge"].(map[string]any)
		nonce, _ := ch["nonce"].(string)
		if cr.Status != 200 || len(steps) != 3 || len(nonce) != 32 {
			t.Fatalf("session.create: %s", cr.Raw)
		}
		dev := apitest.Device(c, cr.Str("token"))
		if r := dev.Call("session.upload", map[string]any{"kind": "document_front", "image": apitest.B64(front)}); r.Status != 200 {
			t.Fatal(r.Raw)
		}
		return cr.Num("id"), dev, nonce, steps
	}
	open := func() (int64, *apitest.Client, string, []string) { return openIn(c) }

	id, dev, nonce, steps := open()
	first := id
	if cur := dev.Call("session.current", nil); cur.Str("liveness") != "active" || len(stepsOf(cur)) != 3 {
		t.Errorf("session.current: %s", cur.Raw)
	}
	script := livegen.Script(steps, rng)
	live := livegen.Sequence(head.Live(script), rng)
	refusals := []struct {
		name string
		body map[string]any
		code int
		err  string
	}{
		{"a selfie", map[string]any{"kind": "selfie", "image": apitest.B64(grace)}, 409, "LivenessRequired"},
		{"another nonce", map[string]any{"kind": "liveness", "nonce": strings.Repeat("0", 32), "frames": framesJSON(live)}, 409, "LivenessChallengeMismatch"},
		{"too few frames", map[string]any{"kind": "liveness", "nonce": nonce, "frames": framesJSON(live[:5])}, 400, "InvalidRequest"},
		{"no nonce", map[string]any{"kind": "liveness", "frames": framesJSON(live)}, 400, "InvalidRequest"},
		{"a PNG frame", map[string]any{"kind": "liveness", "nonce": nonce, "frames": append(framesJSON(live[:9]), map[string]any{"image": apitest.B64(testenv.PNGHeader(64, 64)), "t_ms": 99999})}, 400, "InvalidRequest"},
	}
	for _, tc := range refusals {
		if r := dev.Call("session.upload", tc.body); r.Status != tc.code || r.Str("error_name") != tc.err {
			t.Errorf("%s: %s", tc.name, r.Raw)
		}
	}
	if r := dev.Call("session.upload", map[string]any{"kind": "liveness", "nonce": nonce, "frames": framesJSON(live)}); r.Status != 200 {
		t.Fatalf("frames: %s", r.Raw)
	}
	if r := dev.Call("session.submit", nil); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	got := waitSettled(t, c, id)
	lv, _ := got.Body["liveness"].(map[string]any)
	if got.Str("state") != "APPROVED" || got.Body["face_match_score"] == nil || lv == nil || len(lv["problems"].([]any)) != 0 {
		t.Fatalf("live head: %s", got.Raw)
	}
	for _, st := range lv["steps"].([]any) {
		if m := st.(map[string]any); m["passed"] != true || m["measured"] == "" {
			t.Errorf("step: %v", m)
		}
	}

	// A reviewer sees the verdict and the frames in the console; another
	// account's reviewer does not.
	b := apitest.NewBrowser(t, s.URL)
	if res := b.Login("live@example.com", apitest.ConsoleUser(t, s, accID, "live@example.com", "reviewer")); res.StatusCode != 303 {
		t.Fatalf("login: %d", res.StatusCode)
	}
	// The score printed as a number (a pointer once came out as "%!f(*float64=…)").
	if res, page := b.Get(fmt.Sprintf("/console/sessions/%d", id)); res.StatusCode != 200 || !strings.Contains(page, "Liveness (active)") ||
		!strings.Contains(page, fmt.Sprintf("/console/sessions/%d/frames/15", id)) || !strings.Contains(page, "anti-spoofing live probability 0.") ||
		strings.Contains(page, "%!") || !strings.Contains(page, "from the best") {
		t.Errorf("console session page: %d %s", res.StatusCode, page)
	}
	if res, body := b.Get(fmt.Sprintf("/console/sessions/%d/frames/3", id)); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" || body != string(live[2].JPEG) {
		t.Errorf("frame 3: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ := b.Get(fmt.Sprintf("/console/sessions/%d/frames/99", id)); res.StatusCode != 404 {
		t.Errorf("frame 99: %d", res.StatusCode)
	}
	oc, otherID, _, _ := apitest.Account(t, s, "liveness-elsewhere")
	if r := oc.Call("account.update", map[string]any{"policy": map[string]string{"PRESENTATION_ATTACK_SUSPECTED": "ignore"}}); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	ob := apitest.NewBrowser(t, s.URL)
	ob.Login("elsewhere@example.com", apitest.ConsoleUser(t, s, otherID, "elsewhere@example.com", "reviewer"))
	if res, _ := ob.Get(fmt.Sprintf("/console/sessions/%d/frames/1", id)); res.StatusCode != 404 {
		t.Errorf("another account's frame: %d", res.StatusCode)
	}

	// A print of the portrait, sent as a multipart form.
	id, dev, nonce, steps = open()
	printed := livegen.Sequence(head.Print(livegen.Script(steps, rng), 0.15), rng)
	if r := multipartFrames(t, dev, nonce, printed); r.Status != 200 {
		t.Fatalf("multipart frames: %s", r.Raw)
	}
	if r := dev.Call("session.submit", nil); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	got = waitSettled(t, c, id)
	if got.Str("state") != "DECLINED" || !strings.Contains(fmt.Sprint(got.Body["checks"]), "LIVENESS_FAILED") {
		t.Errorf("print: %s", got.Raw)
	}

	// The live frames again for another session's challenge, as they are
	// and copied (resized, saved again: other files and pixels, the same
	// pictures): a replay of the first session either way.
	copied, err := livegen.Copy(live, rng)
	if err != nil {
		t.Fatal(err)
	}
	// Sent to another account, the same files are a replay too, told
	// without naming the first account's session.
	replays := []struct {
		name   string
		in     *apitest.Client
		frames []liveness.Frame
		want   string
	}{
		{"the same files", c, live, fmt.Sprintf("frames were sent before, to session %d", first)},
		{"copies", c, copied, fmt.Sprintf("the frames are copies of session %d's (15 of 15", first)},
		{"the same files, to another account", oc, live, "frames were sent before, to another account"},
	}
	for _, tc := range replays {
		id, dev, nonce, _ = openIn(tc.in)
		if r := dev.Call("session.upload", map[string]any{"kind": "liveness", "nonce": nonce, "frames": framesJSON(tc.frames)}); r.Status != 200 {
			t.Fatalf("%s: %s", tc.name, r.Raw)
		}
		if r := dev.Call("session.submit", nil); r.Status != 200 {
			t.Fatal(r.Raw)
		}
		got = waitSettled(t, tc.in, id)
		ev, _ := got.Body["evidence"].(map[string]any)
		if e, _ := ev["LIVENESS_FAILED"].(string); got.Str("state") != "DECLINED" || !strings.Contains(e, tc.want) ||
			(tc.in == oc && strings.Contains(e, "session")) {
			t.Errorf("replay, %s: %s", tc.name, got.Raw)
		}
	}
}

func multipartFrames(t *testing.T, c *apitest.Client, nonce string, frames []liveness.Frame) apitest.Reply {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("kind", "liveness")
	_ = w.WriteField("nonce", nonce)
	var times []string
	for i, f := range frames {
		part, _ := w.CreateFormFile("frame", fmt.Sprintf("f%d.jpg", i))
		_, _ = part.Write(f.JPEG)
		times = append(times, fmt.Sprint(f.TMs))
	}
	_ = w.WriteField("frame_times", strings.Join(times, ","))
	_ = w.Close()
	return c.With("Content-Type", w.FormDataContentType()).Do("POST", "/api/v1/session.upload", body.Bytes())
}
