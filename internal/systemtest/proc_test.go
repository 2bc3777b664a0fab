package systemtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// bin is the veridoc binary, built once for the package.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "veridoc-deploy-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "veridoc")
	build := exec.Command("go", "build", "-o", bin, "github.com/veridoc/veridoc/cmd/veridoc")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build veridoc:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// deployment is the environment every process of one test shares.
type deployment struct {
	t   *testing.T
	env []string
}

func newDeployment(t *testing.T, dbURL, storageURL string, extra ...string) *deployment {
	// Every process, each with its own data dir, shares one master key file.
	ks, err := seal.NewKeyset()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "master-key.json")
	if err := os.WriteFile(keyFile, ks, 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"DATABASE_URL="+dbURL, "STORAGE_URL="+storageURL, "VERIDOC_MASTER_KEY_FILE="+keyFile,
		"VERIDOC_SIGNING_KEY=deploy-test-signing-key-0123456789abcdef",
		"VERIDOC_MODELS_DIR="+testenv.ModelsDir(t), "VERIDOC_LOG_LEVEL=warn",
		"VERIDOC_RATE_SYNC_INTERVAL=200ms", "VERIDOC_SHUTDOWN_TIMEOUT=30s")
	return &deployment{t: t, env: append(env, extra...)}
}

// s3Deployment is a migrated deployment on dbURL and a fresh bucket of the
// test S3 server.
func s3Deployment(t *testing.T, dbURL string) *deployment {
	s3 := testenv.S3Options(t)
	d := newDeployment(t, dbURL, testenv.S3URL(s3), "S3_ACCESS_KEY="+s3.AccessKey, "S3_SECRET_KEY="+s3.SecretKey)
	d.cli("migrate")
	return d
}

// cli runs a one-shot command and returns its stdout.
func (d *deployment) cli(args ...string) []byte {
	d.t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(d.env, "VERIDOC_DATA_DIR="+d.t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		d.t.Fatalf("veridoc %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// proc is a running veridoc process.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	URL  string // serve only
	logs *syncBuffer
	done chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs "veridoc serve" (with its URL) or "veridoc worker".
func (d *deployment) start(name, command string, workers int) *proc {
	d.t.Helper()
	p := &proc{t: d.t, name: name, logs: &syncBuffer{}, done: make(chan struct{})}
	env := append(d.env, "VERIDOC_DATA_DIR="+d.t.TempDir(), fmt.Sprintf("VERIDOC_WORKERS=%d", workers))
	if command == "serve" {
		port := freePort(d.t)
		p.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
		env = append(env, fmt.Sprintf("VERIDOC_ADDR=127.0.0.1:%d", port), "VERIDOC_PUBLIC_URL="+p.URL)
	}
	p.cmd = exec.Command(bin, command)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	d.t.Cleanup(func() {
		p.stop(syscall.SIGKILL)
		if d.t.Failed() {
			d.t.Logf("--- %s logs ---\n%s", p.name, p.logs.String())
		}
	})
	if p.URL != "" {
		testenv.WaitFor(d.t, 30*time.Second, name+" to answer /healthz", func() bool {
			select {
			case <-p.done:
				d.t.Fatalf("%s exited at start: %s", name, p.logs.String())
			default:
			}
			res, err := http.Get(p.URL + "/healthz")
			if err != nil {
				return false
			}
			res.Body.Close()
			return res.StatusCode == 200
		})
	}
	return p
}

// stop sends sig and waits for the process to exit; it reports how long that took.
func (p *proc) stop(sig syscall.Signal) time.Duration {
	t0 := time.Now()
	select {
	case <-p.done:
		return 0
	default:
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	return time.Since(t0)
}

// client calls the API of one or several processes (round robin).
type client struct {
	t    *testing.T
	urls []string
	auth string
	next int
	mu   sync.Mutex
	http *http.Client // nil: http.DefaultClient
}

func newClient(t *testing.T, pub, secret string, procs ...*proc) *client {
	c := &client{t: t, auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(pub+":"+secret))}
	for _, p := range procs {
		c.urls = append(c.urls, p.URL)
	}
	return c
}

type reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
	From   string
}

func (r reply) str(k string) string { s, _ := r.Body[k].(string); return s }
func (r reply) num(k string) int64  { f, _ := r.Body[k].(float64); return int64(f) }

// call posts to the next process in turn.
func (c *client) call(method string, body any) reply {
	c.t.Helper()
	c.mu.Lock()
	base := c.urls[c.next%len(c.urls)]
	c.next++
	c.mu.Unlock()
	return c.callAt(base, method, body)
}

func (c *client) callAt(base, method string, body any) reply {
	c.t.Helper()
	b, _ := json.Marshal(body)
	if body == nil {
		b = []byte("{}")
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/api/v1/"+method, bytes.NewReader(b))
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Content-Type", "application/json")
	hc := c.http
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return reply{Status: 0, Raw: err.Error(), From: base}
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	r := reply{Status: res.StatusCode, Header: res.Header, Raw: buf.String(), From: base}
	_ = json.Unmarshal(buf.Bytes(), &r.Body)
	return r
}

// account makes a sandbox account with money and returns its credentials.
func (d *deployment) account(name string) (pub, secret string, id int64) {
	var creds struct {
		AccountID int64  `json:"account_id"`
		PublicKey string `json:"public_key"`
		Secret    string `json:"secret"`
	}
	if err := json.Unmarshal(d.cli("account", "create", "--name", name, "--sandbox"), &creds); err != nil {
		d.t.Fatal(err)
	}
	d.cli("account", "deposit", "--account", fmt.Sprint(creds.AccountID), "--amount", "100.00")
	// Tests poll often; the rate limit is tested on its own.
	d.cli("account", "rate-limit", "--account", fmt.Sprint(creds.AccountID), "--per-hour", "1000000")
	return creds.PublicKey, creds.Secret, creds.AccountID
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func itoa(n int64) string { return fmt.Sprint(n) }
