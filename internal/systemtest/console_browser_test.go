package systemtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestConsoleInBrowser signs in to the console in headless Chromium, opens
// the review queue and a verification in DOUBLE_CHECK, corrects the surname
// and approves, then a session in REVIEW and approves it; then checks all
// three through the API. The screenshots are kept
// under test-output/console/.
func TestConsoleInBrowser(t *testing.T) {
	root := repo.Root()
	script := filepath.Join(root, "internal", "web", "capture", "e2e", "console.mjs")
	for what, ok := range map[string]bool{
		"Debian's chromium": fileExists("/usr/bin/chromium"),
		"playwright-core (npm ci in internal/web/capture/e2e)": fileExists(filepath.Join(root, "internal", "web", "capture", "e2e", "node_modules", "playwright-core")),
	} {
		if !ok {
			if os.Getenv("VERIDOC_TEST_REQUIRE_SERVICES") != "" {
				t.Fatalf("%s missing (bash .ci/run installs it)", what)
			}
			t.Skipf("%s missing", what)
		}
	}
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, accID, _, _ := apitest.Account(t, s, "console e2e")
	vid, docID := apitest.DoubleCheck(t, c)
	pw := apitest.ConsoleUser(t, s, accID, "reviewer@example.com", accounts.RoleReviewer)
	// A session the account's policy sends to a person: a holder younger
	// than its min_age.
	if r := c.Call("account.update", map[string]any{"policy": map[string]any{"UNDERAGE": "review"}}); r.Status != 200 {
		t.Fatalf("account.update: %s", r.Raw)
	}
	holder := testdocs.Person{Code: "P<", Issuer: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Number: "L898902C3",
		Nationality: "UTO", Birth: "740812", Sex: "F", Expiry: "340415", Optional: "ZE184226B"}
	front := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(holder), Portrait: testenv.ReadPhoto(t, testenv.PhotoGraceHopper), RotateDeg: -2})
	sid := apitest.SubmitSession(t, c, map[string]any{"min_age": 99}, front)
	testenv.WaitFor(t, 60*time.Second, "the session in review", func() bool {
		return c.Call("session.get", map[string]any{"id": sid}).Str("state") == "REVIEW"
	})
	shots := filepath.Join(root, "test-output", "console")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", script)
	cmd.Env = append(os.Environ(), "BASE_URL="+s.URL, "EMAIL=reviewer@example.com", "PASSWORD="+pw,
		"VERIFICATION_ID="+strconv.FormatInt(vid, 10), "SURNAME=ERIKSSON-LUND", "SESSION_ID="+strconv.FormatInt(sid, 10), "SHOTS="+shots)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var seen struct {
		Errors       []string `json:"errors"`
		Flash        string   `json:"flash"`
		SessionFlash string   `json:"sessionFlash"`
		Session      string   `json:"session"` // the session page's text
		Images       int      `json:"images"`
	}
	if err := json.Unmarshal(out, &seen); err != nil {
		t.Fatalf("node printed %q", out)
	}
	if len(seen.Errors) > 0 {
		t.Fatalf("in the browser: %v", seen.Errors)
	}
	if seen.Images < 2 || !strings.Contains(seen.Flash, "decided") || !strings.Contains(seen.SessionFlash, "decided") {
		t.Errorf("saw %d images, flashes %q and %q", seen.Images, seen.Flash, seen.SessionFlash)
	}
	if x := c.Call("extracted_data.get", map[string]any{"document_id": docID}); x.Str("person_surname") != "ERIKSSON-LUND" {
		t.Errorf("the correction: %s", x.Raw)
	}
	if v := c.Call("verification.get", map[string]any{"id": vid}); v.Str("status") != "APPROVED" {
		t.Errorf("the decision: %s", v.Raw)
	}
	if r := c.Call("session.get", map[string]any{"id": sid}); r.Str("state") != "APPROVED" || !strings.Contains(seen.Session, ", min_age 99") {
		t.Errorf("the session's decision: %s", r.Raw)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
