package systemtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestDocsPlaygroundInBrowser tries methods from /docs in headless Chromium
// under the page's strict CSP (a violation is a console error, and fails
// the test): answers, errors and an idempotent replay show, and the curl
// the page shows works when run.
func TestDocsPlaygroundInBrowser(t *testing.T) {
	root := repo.Root()
	e2e := filepath.Join(root, "internal", "web", "capture", "e2e")
	for what, ok := range map[string]bool{
		"Debian's chromium": fileExists("/usr/bin/chromium"),
		"playwright-core (npm ci in internal/web/capture/e2e)": fileExists(filepath.Join(e2e, "node_modules", "playwright-core")),
	} {
		if !ok {
			if os.Getenv("VERIDOC_TEST_REQUIRE_SERVICES") != "" {
				t.Fatalf("%s missing (bash .ci/run installs it)", what)
			}
			t.Skipf("%s missing", what)
		}
	}
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, pub, secret := apitest.Account(t, s, "playground")
	shots := filepath.Join(root, "test-output", "docs")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(e2e, "docs.mjs"))
	cmd.Env = append(os.Environ(), "BASE_URL="+s.URL, "PUBLIC_KEY="+pub, "SECRET="+secret, "SHOTS="+shots)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	type tried struct{ Answer, Curl string }
	var seen struct {
		Errors                          []string
		WithoutKey                      string
		Account, Unknown, First, Replay tried
	}
	if err := json.Unmarshal(out, &seen); err != nil {
		t.Fatalf("node printed %q", out)
	}
	if len(seen.Errors) > 0 {
		t.Fatalf("in the browser: %v", seen.Errors)
	}
	checks := []struct {
		what, got string
		want      []string
	}{
		{"without a key", seen.WithoutKey, []string{"Enter your public key and secret"}},
		{"account.get", seen.Account.Answer, []string{"HTTP 200", "X-Request-Id: ", `"name": "playground"`}},
		{"account.get's curl", seen.Account.Curl, []string{"curl -u '" + pub + `':"$VERIDOC_SECRET" -X POST ` + s.URL + "/api/v1/account.get"}},
		{"an unknown session", seen.Unknown.Answer, []string{"HTTP 404", `"error_name": "SessionNotFound"`}},
		{"session.create", seen.First.Answer, []string{"HTTP 200", `"token": "st_`}},
		{"session.create again", seen.Replay.Answer, []string{"HTTP 200", "Idempotent-Replayed: true"}},
		{"session.create's curl", seen.Replay.Curl, []string{"-H 'Idempotency-Key: docs-playground-1'"}},
	}
	for _, ch := range checks {
		for _, w := range ch.want {
			if !strings.Contains(ch.got, w) {
				t.Errorf("%s: want %q in\n%s", ch.what, w, ch.got)
			}
		}
	}
	if strings.Contains(seen.Account.Curl, secret) {
		t.Error("the curl shows the secret")
	}
	// The curl shown is a command that works.
	run := exec.Command("bash", "-c", seen.Account.Curl)
	run.Env = append(os.Environ(), "VERIDOC_SECRET="+secret)
	body, err := run.Output()
	if err != nil || !strings.Contains(string(body), `"name":"playground"`) {
		t.Errorf("running the curl shown: %v %s", err, body)
	}
	if list := c.Call("session.list", nil).Body["data"].([]any); len(list) != 1 || list[0].(map[string]any)["reference"] != "from the playground" {
		t.Errorf("sessions made: %v; one with the body typed, and the replay must not make a second", list)
	}
}
