package capture_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/client"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// browserSetup finds Chromium and the e2e script's node_modules (.ci/run installs both).
func browserSetup(t *testing.T) (root string) {
	t.Helper()
	wd, _ := os.Getwd()
	root = repo.Root()
	need := func(what string, ok bool) {
		if ok {
			return
		}
		if os.Getenv("VERIDOC_TEST_REQUIRE_SERVICES") != "" {
			t.Fatalf("%s missing (bash .ci/run installs it)", what)
		}
		t.Skipf("%s missing", what)
	}
	_, err := os.Stat("/usr/bin/chromium")
	need("Debian's chromium", err == nil)
	_, err = exec.LookPath("node")
	need("node", err == nil)
	_, err = os.Stat(filepath.Join(wd, "e2e", "node_modules", "playwright-core"))
	need("playwright-core (npm ci in capture/e2e)", err == nil)
	return root
}

type seen struct {
	Errors        []string `json:"errors"`
	Outcome       string   `json:"outcome"`
	Title         string   `json:"title"`
	Status        string   `json:"status"`
	SubmitEnabled bool     `json:"submitEnabled"`
	LiveMessage   string   `json:"liveMessage"`
	FilePicker    bool     `json:"filePicker"`
}

func runBrowser(t *testing.T, allow string, env ...string) seen {
	t.Helper()
	cmd := exec.Command("node", "e2e/capture.mjs")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var s seen
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("node printed %q", out)
	}
	for _, e := range s.Errors {
		if allow == "" || !strings.Contains(e, allow) {
			t.Fatalf("in the browser: %v", s.Errors)
		}
	}
	return s
}

// TestCapturePage walks the hosted page in headless Chromium: upload a
// passport photo and a selfie, submit, see the outcome. The screenshots are
// kept under test-output/capture/ (a CI artifact).
func TestCapturePage(t *testing.T) {
	root := browserSetup(t)
	models := testenv.ModelsDir(t)
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.ModelsDir = models }))
	ctx := t.Context()
	a, err := s.DB.CreateAccount(ctx, "capture", false)
	if err != nil {
		t.Fatal(err)
	}
	k, secret, err := s.DB.CreateAPIKey(ctx, a.ID, "capture")
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(s.URL, k.PublicKey, secret)
	sess, err := c.Session.Create(ctx, &client.SessionCreateRequest{FaceVerification: true})
	if err != nil {
		t.Fatal(err)
	}
	anna := testdocs.Person{Code: "P<", Issuer: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Number: "L898902C3",
		Nationality: "UTO", Birth: "740812", Sex: "F", Expiry: "340415", Optional: "ZE184226B"}
	dir := t.TempDir()
	front, selfie := filepath.Join(dir, "front.jpg"), filepath.Join(dir, "selfie.jpg")
	_ = os.WriteFile(front, testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: testenv.ReadPhoto(t, testenv.PhotoGraceHopper), RotateDeg: 2}), 0o600)
	_ = os.WriteFile(selfie, testenv.ReadPhoto(t, testenv.PhotoGrace512), 0o600)
	shots := filepath.Join(root, "test-output", "capture")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	if sess.VerifyURL != s.URL+"/verify/"+sess.Token {
		t.Fatalf("verify_url %q", sess.VerifyURL)
	}
	got := runBrowser(t, "", "BASE_URL="+s.URL, "TOKEN="+sess.Token, "FRONT="+front, "SELFIE="+selfie, "SHOTS="+shots)
	if !got.SubmitEnabled || got.Outcome != "APPROVED" || got.Title != "Verified" {
		t.Fatalf("page showed %+v", got)
	}
	st, err := c.Session.Get(ctx, &client.SessionIDRequest{ID: sess.ID})
	if err != nil || st.State != "APPROVED" || st.Surname != "ERIKSSON" || !strings.Contains(st.UserAgent, "Chrome") {
		t.Fatalf("session %+v, %v", st, err)
	}
	for _, f := range []string{"1-uploaded.png", "2-outcome.png"} {
		if fi, err := os.Stat(filepath.Join(shots, f)); err != nil || fi.Size() < 1000 {
			t.Errorf("screenshot %s: %v", f, err)
		}
	}

	// The page asks session.current, which answers 401: the browser logs that, nothing else.
	bad := runBrowser(t, "status of 401", "BASE_URL="+s.URL, "TOKEN=st_not-a-real-token", "SHOTS="+shots)
	if !strings.Contains(bad.Status, "not valid") {
		t.Fatalf("a bad token showed %q", bad.Status)
	}
}

func TestCaptureHeaders(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	for path, want := range map[string]int{"/verify/st_abc": 200, "/verify/assets/app.js": 200, "/verify/assets/style.css": 200,
		"/verify/assets/index.html": 404, "/verify/assets/../capture.go": 404, "/verify/a/b": 404} {
		res, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
		}
		if want == 200 && (res.Header.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'self'")) {
			t.Errorf("%s: headers %v", path, res.Header)
		}
	}
}
