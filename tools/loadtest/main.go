// Command loadtest measures the API under load on this machine: it starts
// bin/veridoc serve (SQLite, then PostgreSQL when one answers on
// 127.0.0.1:5432), makes an account and key with a high limit, and drives
// session.get, account.get, photo.process (enqueue only: no workers) and
// /healthz with bombardier (pinned in the Makefile), -c connections for -d
// each. /healthz is the floor measured in the same run: what the HTTP stack
// and the load generator do on this machine.
//
//	go run ./tools/loadtest -bin bin/veridoc -bombardier ~/go/bin/bombardier -c 32 -d 10s
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	bin := flag.String("bin", "bin/veridoc", "the server binary")
	bomb := flag.String("bombardier", "bombardier", "the bombardier binary (make loadtest installs v1.2.6)")
	conc := flag.Int("c", 32, "connections (requests in flight)")
	dur := flag.Duration("d", 10*time.Second, "duration of each measurement")
	warm := flag.Duration("warmup", 2*time.Second, "unmeasured load on each target before its measurement (opens connections, prepares statements)")
	photo := flag.String("photo", "/usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg", "a JPEG for photo.process (Debian package facedetect)")
	pg := flag.String("postgres", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL admin URL; skipped when it does not answer")
	pgParams := flag.String("postgres-params", "", "extra query parameters for the server's PostgreSQL URL, e.g. pool_max_conns=8")
	only := flag.String("databases", "sqlite,postgres", "which databases to measure")
	flag.Parse()
	img, err := os.ReadFile(*photo)
	if err != nil {
		fail(fmt.Errorf("%v (apt-get install facedetect, or pass -photo)", err))
	}
	fmt.Printf("veridoc load test: %d connections, %s per target after %s of warm-up, GOMAXPROCS of the server = its default, on %s\n", *conc, *dur, *warm, hostname())
	fmt.Printf("%-10s %-14s %10s %9s %9s %9s %8s\n", "database", "target", "req/s", "p50 ms", "p99 ms", "max ms", "errors")
	var dbs []struct{ name, url string }
	if strings.Contains(*only, "sqlite") {
		dbs = append(dbs, struct{ name, url string }{"sqlite", ""})
	}
	if !strings.Contains(*only, "postgres") {
		fmt.Println("postgres: not measured")
	} else if u, cleanup, err := freshPostgres(*pg); err == nil {
		defer cleanup()
		if *pgParams != "" {
			u += "&" + *pgParams
		}
		dbs = append(dbs, struct{ name, url string }{"postgres", u})
	} else {
		fmt.Printf("postgres: skipped (%v)\n", err)
	}
	for _, db := range dbs {
		if err := runOne(*bin, *bomb, db.name, db.url, img, *conc, *dur, *warm); err != nil {
			fail(fmt.Errorf("%s: %w", db.name, err))
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "loadtest:", err)
	os.Exit(1)
}

func hostname() string { h, _ := os.Hostname(); return h }

// freshPostgres creates a database for this run and drops it afterwards.
func freshPostgres(admin string) (string, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("veridoc_load_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	conn.Close(ctx)
	u := strings.Replace(admin, "/postgres?", "/"+name+"?", 1)
	return u, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, admin); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	}, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// install is one server under test: its data dir, address and CLI.
type install struct {
	bin, dir, base string
	env            []string
}

// newInstall prepares a data dir and a free port for a server on dbURL
// (a SQLite file in the dir when empty).
func newInstall(bin, dbURL string) (*install, error) {
	dir, err := os.MkdirTemp("", "veridoc-load-")
	if err != nil {
		return nil, err
	}
	if dbURL == "" {
		dbURL = "sqlite://" + filepath.Join(dir, "veridoc.db")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "VERIDOC_DATA_DIR="+dir, fmt.Sprintf("VERIDOC_ADDR=127.0.0.1:%d", port),
		"VERIDOC_PUBLIC_URL="+base, "VERIDOC_WORKERS=0", "VERIDOC_LOG_LEVEL=error", "STORAGE_URL=")
	return &install{bin: bin, dir: dir, base: base, env: env}, nil
}

// cli runs a command of the binary against the install.
func (in *install) cli(args ...string) ([]byte, error) {
	cmd := exec.Command(in.bin, args...)
	cmd.Env = in.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %v: %v: %s", in.bin, args, err, stderr.String())
	}
	return out, nil
}

// account makes a sandbox account with money and no practical rate limit,
// and returns its Authorization header.
func (in *install) account() (string, error) {
	out, err := in.cli("account", "create", "--name", "load", "--sandbox")
	if err != nil {
		return "", err
	}
	var creds struct {
		AccountID int64  `json:"account_id"`
		PublicKey string `json:"public_key"`
		Secret    string `json:"secret"`
	}
	if err := json.Unmarshal(out, &creds); err != nil {
		return "", err
	}
	if _, err := in.cli("account", "rate-limit", "--account", fmt.Sprint(creds.AccountID), "--per-hour", "1000000000"); err != nil {
		return "", err
	}
	if _, err := in.cli("account", "deposit", "--account", fmt.Sprint(creds.AccountID), "--amount", "1000000.00"); err != nil {
		return "", err
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(creds.PublicKey+":"+creds.Secret)), nil
}

// call makes one API call and decodes its answer.
func (in *install) call(auth, method string, body any) (map[string]any, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, in.base+"/api/v1/"+method, bytes.NewReader(b))
	req.Header.Set("Authorization", auth)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode >= 300 {
		return nil, fmt.Errorf("%s: %d %v", method, res.StatusCode, out)
	}
	return out, nil
}

// targets are the calls measured, with /healthz first and last as the floor.
func (in *install) targets(auth string, img []byte) ([]named, error) {
	sess, err := in.call(auth, "session.create", map[string]any{"reference": "load"})
	if err != nil {
		return nil, err
	}
	specs, err := in.call(auth, "specification.list", map[string]any{"country_code": "US"})
	if err != nil {
		return nil, err
	}
	specID := specs["data"].([]any)[0].(map[string]any)["id"]
	post := func(method string, body any) target {
		b, _ := json.Marshal(body)
		return target{url: in.base + "/api/v1/" + method, body: b, auth: auth}
	}
	return []named{
		{"/healthz", target{url: in.base + "/healthz"}},
		{"session.get", post("session.get", map[string]any{"id": sess["id"]})},
		{"account.get", post("account.get", map[string]any{})},
		{"photo.process", post("photo.process", map[string]any{"photo": base64.StdEncoding.EncodeToString(img), "spec_id": specID})},
		{"/healthz", target{url: in.base + "/healthz"}},
	}, nil
}

type named struct {
	name string
	t    target
}

func runOne(bin, bomb, dbName, dbURL string, img []byte, conc int, dur, warm time.Duration) error {
	in, err := newInstall(bin, dbURL)
	if err != nil {
		return err
	}
	defer os.RemoveAll(in.dir)
	auth, err := in.account()
	if err != nil {
		return err
	}
	server := exec.Command(bin, "serve")
	server.Env = in.env
	server.Stderr = os.Stderr
	if err := server.Start(); err != nil {
		return err
	}
	defer func() {
		_ = server.Process.Signal(os.Interrupt)
		_ = server.Wait()
	}()
	if err := waitUp(in.base); err != nil {
		return err
	}
	targets, err := in.targets(auth, img)
	if err != nil {
		return err
	}
	for _, tg := range targets {
		if warm > 0 {
			if _, err := attack(bomb, in.dir, tg.t, conc, warm); err != nil {
				return err
			}
		}
		r, err := attack(bomb, in.dir, tg.t, conc, dur)
		if err != nil {
			return err
		}
		ok := r.Result.Req2xx
		errs := r.Result.Req1xx + r.Result.Req3xx + r.Result.Req4xx + r.Result.Req5xx + r.Result.Others
		p := r.Result.Latency.Percentiles
		fmt.Printf("%-10s %-14s %10.0f %9.2f %9.2f %9.2f %8d\n", dbName, tg.name, float64(ok)/r.Result.TimeTakenSeconds,
			p["50"]/1000, p["99"]/1000, r.Result.Latency.Max/1000, errs)
	}
	return nil
}

type target struct {
	url  string
	body []byte // POST when set
	auth string
}

// report is the part of bombardier's JSON output read here (latencies in µs).
type report struct {
	Result struct {
		TimeTakenSeconds                               float64
		Req1xx, Req2xx, Req3xx, Req4xx, Req5xx, Others int64
		Latency                                        struct {
			Max         float64
			Percentiles map[string]float64
		}
	}
}

// attack runs bombardier on one target with conc connections for dur.
func attack(bomb, dir string, t target, conc int, dur time.Duration) (*report, error) {
	args := []string{"-c", fmt.Sprint(conc), "-d", dur.String(), "-l", "-p", "r", "-o", "json", "-t", "30s"}
	if t.body != nil {
		f := filepath.Join(dir, "body.json")
		if err := os.WriteFile(f, t.body, 0o600); err != nil {
			return nil, err
		}
		args = append(args, "-m", "POST", "-f", f, "-H", "Content-Type: application/json", "-H", "Authorization: "+t.auth)
	}
	args = append(args, t.url)
	out, err := exec.Command(bomb, args...).Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", bomb, err)
	}
	var r report
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("bombardier output: %w", err)
	}
	return &r, nil
}

func waitUp(base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("the server did not answer /healthz within 30 s")
}
