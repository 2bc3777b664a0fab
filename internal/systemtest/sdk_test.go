package systemtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// sdkServer is a server with workers and a sandbox account with money, as
// the SDK suites need it; it returns the environment they read.
func sdkServer(t *testing.T) []string {
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, _, pub, secret := apitest.SandboxAccount(t, s, "sdk")
	if r := c.Call("billing.deposit", map[string]any{"amount_usd": "20.00"}); r.Status != 200 {
		t.Fatalf("deposit: %s", r.Raw)
	}
	return append(os.Environ(), "VERIDOC_URL="+s.URL, "VERIDOC_PUBLIC_KEY="+pub, "VERIDOC_SECRET="+secret)
}

// need skips (or, where the suite must run, fails) when a tool is missing.
func need(t *testing.T, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("VERIDOC_TEST_REQUIRE_SERVICES") != "" {
		t.Fatalf("%s missing (bash .ci/run installs it)", what)
	}
	t.Skipf("%s missing", what)
}

// TestTypeScriptSDK type-checks the TypeScript SDK and its tests with tsc
// --strict and runs them (node --test) against a real server.
func TestTypeScriptSDK(t *testing.T) {
	dir := filepath.Join(repo.Root(), "sdk", "typescript")
	_, err := exec.LookPath("node")
	need(t, "node", err == nil)
	need(t, "typescript (npm ci in sdk/typescript)", fileExists(filepath.Join(dir, "node_modules", "typescript")))
	cmd := exec.Command("npm", "test", "--silent")
	cmd.Dir, cmd.Env = dir, sdkServer(t)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "# fail 0") || strings.Contains(string(out), "# pass 0") {
		t.Fatalf("npm test: %v\n%s", err, out)
	}
	t.Logf("%s", tail(string(out), 8))
	// npm pack makes a package another project installs and imports.
	pack := t.TempDir()
	cmd = exec.Command("npm", "pack", "--silent", "--pack-destination", pack)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm pack: %v\n%s", err, out)
	}
	tgz, _ := filepath.Glob(filepath.Join(pack, "veridoc-*.tgz"))
	need(t, "the packed tarball", len(tgz) == 1)
	app := t.TempDir()
	for _, args := range [][]string{
		{"npm", "init", "-y"},
		{"npm", "install", "--no-audit", "--no-fund", "--offline", tgz[0]},
		{"node", "--input-type=module", "-e", `import { Veridoc, VeridocError, methodNames } from "veridoc";
const v = new Veridoc({ baseUrl: "http://127.0.0.1:1", publicKey: "p", secret: "s", maxRetries: 0 });
try { await v.account.get(); } catch (e) { console.log(e instanceof VeridocError, e.errorName, methodNames.length > 50); }`},
	} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = app
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		if args[0] == "node" && strings.TrimSpace(string(out)) != "true NetworkError true" {
			t.Fatalf("the installed package printed %q", out)
		}
	}
}

// TestPythonSDK runs the Python SDK's tests (Debian's python3-pytest)
// against a real server.
func TestPythonSDK(t *testing.T) {
	dir := filepath.Join(repo.Root(), "sdk", "python")
	python := "/usr/bin/python3" // Debian's, with its pytest; not another on the PATH
	need(t, "Debian's python3-pytest", exec.Command(python, "-c", "import pytest").Run() == nil)
	cmd := exec.Command(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
	cmd.Dir, cmd.Env = dir, sdkServer(t)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), " passed") || strings.Contains(string(out), "skipped") {
		t.Fatalf("pytest: %v\n%s", err, out)
	}
	t.Logf("%s", tail(string(out), 3))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
