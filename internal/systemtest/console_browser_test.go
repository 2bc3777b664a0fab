package systemtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestConsoleInBrowser signs in to the console in headless Chromium, opens
// the review queue and a verification in DOUBLE_CHECK, corrects the surname
// and approves; then checks both through the API. The screenshots are kept
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
	shots := filepath.Join(root, "test-output", "console")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", script)
	cmd.Env = append(os.Environ(), "BASE_URL="+s.URL, "EMAIL=reviewer@example.com", "PASSWORD="+pw,
		"VERIFICATION_ID="+strconv.FormatInt(vid, 10), "SURNAME=ERIKSSON-LUND", "SHOTS="+shots)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var seen struct {
		Errors []string `json:"errors"`
		Flash  string   `json:"flash"`
		Images int      `json:"images"`
	}
	if err := json.Unmarshal(out, &seen); err != nil {
		t.Fatalf("node printed %q", out)
	}
	if len(seen.Errors) > 0 {
		t.Fatalf("in the browser: %v", seen.Errors)
	}
	if seen.Images < 2 || !strings.Contains(seen.Flash, "decided") {
		t.Errorf("saw %d images, flash %q", seen.Images, seen.Flash)
	}
	if x := c.Call("extracted_data.get", map[string]any{"document_id": docID}); x.Str("person_surname") != "ERIKSSON-LUND" {
		t.Errorf("the correction: %s", x.Raw)
	}
	if v := c.Call("verification.get", map[string]any{"id": vid}); v.Str("status") != "APPROVED" {
		t.Errorf("the decision: %s", v.Raw)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
