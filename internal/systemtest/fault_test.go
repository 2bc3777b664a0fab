package systemtest

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// ledger checks the promises a fault must not break: every task terminal,
// one charge per successful task, none for a failed one, no hold left open.
func ledger(t *testing.T, dbURL string, tasks []int64) {
	t.Helper()
	db, err := sql.Open("pgx", strings.Replace(dbURL, "postgres://", "postgresql://", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range tasks {
		var state string
		var charges, open int
		if err := db.QueryRow(`SELECT state FROM photo_tasks WHERE id = $1`, id).Scan(&state); err != nil {
			t.Fatal(err)
		}
		_ = db.QueryRow(`SELECT count(*) FROM transactions WHERE type = 'charge' AND task_id = $1`, id).Scan(&charges)
		_ = db.QueryRow(`SELECT count(*) FROM billing_holds WHERE task_id = $1 AND state = 'open'`, id).Scan(&open)
		want := map[string]int{"SUCCESS": 1, "FAILURE": 0}
		if w, terminal := want[state]; !terminal || charges != w || open != 0 {
			t.Errorf("task %d: state %s, %d charges, %d open holds", id, state, charges, open)
		}
	}
}

// dumpJobsOnFailure logs the job table when the test fails.
func dumpJobsOnFailure(t *testing.T, dbURL string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		db, err := sql.Open("pgx", dbURL)
		if err != nil {
			return
		}
		defer db.Close()
		rows, err := db.Query(`SELECT id, kind, state, attempt, attempted_at, scheduled_at, errors::text FROM river_job ORDER BY id`)
		if err != nil {
			t.Logf("river_job: %v", err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var kind, state string
			var attempt int
			var attempted, scheduled sql.NullTime
			var errs sql.NullString
			_ = rows.Scan(&id, &kind, &state, &attempt, &attempted, &scheduled, &errs)
			t.Logf("job %d %s %s attempt %d attempted %v scheduled %v errors %s", id, kind, state, attempt, attempted.Time, scheduled.Time, errs.String)
		}
		trows, err := db.Query(`SELECT id, state, progress, error_code FROM photo_tasks ORDER BY id`)
		if err == nil {
			for trows.Next() {
				var id int64
				var state, code string
				var progress int
				_ = trows.Scan(&id, &state, &progress, &code)
				t.Logf("task %d %s %d%% %s", id, state, progress, code)
			}
			trows.Close()
		}
		var leader string
		_ = db.QueryRow(`SELECT leader_id || ' ' || elected_at::text || ' ' || expires_at::text FROM river_leader`).Scan(&leader)
		t.Logf("leader %s, now %s", leader, time.Now().UTC())
	})
}

// runningJobs counts the photo jobs River is running.
func runningJobs(t *testing.T, dbURL string) int {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	_ = db.QueryRow(`SELECT count(*) FROM river_job WHERE state = 'running' AND kind = 'photo.process'`).Scan(&n)
	return n
}

// bigPhoto is a portrait scaled up: at 6x, a 12 MP JPEG, a job long enough
// to be caught running.
func bigPhoto(t *testing.T, scale float64) []byte {
	return testenv.ScaledPhoto(t, testenv.PhotoAstronaut, scale)
}

func queueTasks(t *testing.T, c *client, photo []byte, n int) []int64 {
	t.Helper()
	spec := c.call("specification.list", map[string]any{"country_code": "US"}).Body["data"].([]any)[0].(map[string]any)["id"]
	var ids []int64
	for i := 0; i < n; i++ {
		r := c.call("photo.process", map[string]any{"photo": b64(photo), "spec_id": spec})
		if r.Status != 202 {
			t.Fatalf("photo.process: %s", r.Raw)
		}
		ids = append(ids, r.num("task_id"))
	}
	return ids
}

func waitTerminal(t *testing.T, c *client, ids []int64, within time.Duration) {
	t.Helper()
	testenv.WaitFor(t, within, "every task to finish", func() bool {
		for _, id := range ids {
			r := c.call("task.get", map[string]any{"id": id})
			if r.Status != 200 {
				t.Fatalf("task.get answered %d: %s", r.Status, r.Raw)
			}
			if s := r.str("state"); s != "SUCCESS" && s != "FAILURE" {
				return false
			}
		}
		return true
	})
}

// A worker killed with SIGKILL mid-job: another worker runs the jobs again
// within about a minute; each task finishes once and is charged once.
func TestWorkerKilledMidJob(t *testing.T) {
	dbURL := testenv.PostgresURL(t)
	d := s3Deployment(t, dbURL)
	dumpJobsOnFailure(t, dbURL)
	api := d.start("api", "serve", 0)
	pub, secret, _ := d.account("crash")
	c := newClient(t, pub, secret, api)
	photo := bigPhoto(t, 6.8)
	doomed := d.start("worker1", "worker", 2)
	ids := queueTasks(t, c, photo, 2)
	testenv.WaitFor(t, 60*time.Second, "a photo job to be running", func() bool { return runningJobs(t, dbURL) > 0 })
	doomed.stop(syscall.SIGKILL)
	killed := time.Now()
	d.start("worker2", "worker", 2)
	waitTerminal(t, c, ids, 100*time.Second)
	t.Logf("all tasks finished %s after the worker was killed", time.Since(killed).Round(time.Second))
	ledger(t, dbURL, ids)
}

// SIGTERM mid-job: the worker stops taking jobs, finishes the running ones,
// then exits.
func TestWorkerDrainsOnSIGTERM(t *testing.T) {
	dbURL := testenv.PostgresURL(t)
	d := s3Deployment(t, dbURL)
	api := d.start("api", "serve", 0)
	pub, secret, _ := d.account("drain")
	c := newClient(t, pub, secret, api)
	photo := bigPhoto(t, 6.8)
	w := d.start("worker", "worker", 1)
	ids := queueTasks(t, c, photo, 3)
	testenv.WaitFor(t, 60*time.Second, "a photo job to be running", func() bool { return runningJobs(t, dbURL) > 0 })
	took := w.stop(syscall.SIGTERM)
	if strings.Contains(w.logs.String(), "context canceled") {
		t.Errorf("a running job was cancelled:\n%s", w.logs.String())
	}
	// The job that was running finished before the process exited.
	finished := 0
	for _, id := range ids {
		if s := c.call("task.get", map[string]any{"id": id}).str("state"); s == "SUCCESS" {
			finished++
		}
	}
	if finished == 0 {
		t.Fatalf("no task finished although one was running at SIGTERM (exit after %s)", took)
	}
	t.Logf("worker exited %s after SIGTERM with %d of %d tasks done", took.Round(time.Millisecond), finished, len(ids))
	d.start("worker2", "worker", 1)
	waitTerminal(t, c, ids, 120*time.Second)
	ledger(t, dbURL, ids)
}

// outageAnswer checks an answer during an outage: 503 ServiceUnavailable with
// Retry-After, never a 500.
func outageAnswer(t *testing.T, r reply) {
	t.Helper()
	if r.Status != http.StatusServiceUnavailable || r.str("error_name") != "ServiceUnavailable" || r.Header.Get("Retry-After") == "" {
		t.Errorf("during the outage: %d %s %v", r.Status, r.Raw, r.Header)
	}
}

func readyz(t *testing.T, p *proc) int {
	res, err := http.Get(p.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// PostgreSQL stopped and started: 503s with Retry-After meanwhile, /readyz
// fails, and the process recovers by itself.
func TestDatabaseOutage(t *testing.T) {
	pg := ownPostgres(t)
	d := s3Deployment(t, pg.url)
	api := d.start("api", "serve", 1)
	pub, secret, _ := d.account("outage")
	c := newClient(t, pub, secret, api)
	ids := queueTasks(t, c, bigPhoto(t, 4), 1)
	pg.stop(t)
	for _, m := range []string{"account.get", "session.create", "task.get"} {
		outageAnswer(t, c.call(m, map[string]any{"id": ids[0]}))
	}
	if code := readyz(t, api); code != 503 {
		t.Errorf("/readyz during the outage: %d", code)
	}
	pg.start(t)
	testenv.WaitFor(t, 30*time.Second, "the API to recover", func() bool {
		r := c.call("account.get", nil)
		if r.Status >= 500 && r.Status != 503 {
			t.Fatalf("after the database returned: %d %s", r.Status, r.Raw)
		}
		return r.Status == 200
	})
	if code := readyz(t, api); code != 200 {
		t.Errorf("/readyz after recovery: %d", code)
	}
	waitTerminal(t, c, ids, 90*time.Second)
	ledger(t, pg.url, ids)
}

// The S3 server stopped and started: uploads answer 503 meanwhile, /readyz
// fails, and uploads work again when it is back.
func TestStorageOutage(t *testing.T) {
	s3 := ownS3(t)
	d := newDeployment(t, testenv.PostgresURL(t), s3.url, "S3_ACCESS_KEY="+s3.access, "S3_SECRET_KEY="+s3.secret)
	d.cli("migrate")
	api := d.start("api", "serve", 1)
	pub, secret, _ := d.account("s3outage")
	c := newClient(t, pub, secret, api)
	photo := bigPhoto(t, 4)
	spec := c.call("specification.list", map[string]any{"country_code": "US"}).Body["data"].([]any)[0].(map[string]any)["id"]
	s3.stop(t)
	outageAnswer(t, c.call("photo.process", map[string]any{"photo": b64(photo), "spec_id": spec}))
	if code := readyz(t, api); code != 503 {
		t.Errorf("/readyz during the outage: %d", code)
	}
	if r := c.call("account.get", nil); r.Status != 200 {
		t.Errorf("a call that needs no storage during the outage: %s", r.Raw)
	}
	s3.start(t)
	var ids []int64
	testenv.WaitFor(t, 30*time.Second, "uploads to work again", func() bool {
		r := c.call("photo.process", map[string]any{"photo": b64(photo), "spec_id": spec})
		if r.Status >= 500 && r.Status != 503 {
			t.Fatalf("after the store returned: %d %s", r.Status, r.Raw)
		}
		if r.Status == 202 {
			ids = append(ids, r.num("task_id"))
		}
		return r.Status == 202
	})
	waitTerminal(t, c, ids, 90*time.Second)
}

// ownPG is a PostgreSQL cluster of this test's own, which it may stop.
type ownPG struct {
	url, dir string
	port     int
}

func ownPostgres(t *testing.T) *ownPG {
	t.Helper()
	p := &ownPG{port: freePort(t), dir: filepath.Join(os.TempDir(), fmt.Sprintf("veridoc-pg-fault-%d", time.Now().UnixNano()))}
	cmd := exec.Command(repo.Path("scripts", "start-postgres.sh"))
	cmd.Env = append(os.Environ(), "VERIDOC_PG_OWN=1", fmt.Sprintf("VERIDOC_PG_PORT=%d", p.port), "VERIDOC_PG_DIR="+p.dir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("start-postgres: %v", err)
	}
	p.url = strings.TrimSpace(string(out))
	t.Cleanup(func() {
		p.pgctl(t, "stop", "-m", "immediate")
		os.RemoveAll(p.dir)
	})
	return p
}

func (p *ownPG) pgctl(t *testing.T, args ...string) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Fatal("no pg_ctl")
	}
	all := append([]string{"-D", p.dir, "-w"}, args...)
	cmd := exec.Command(bins[len(bins)-1], all...)
	if os.Getuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", bins[len(bins)-1]}, all...)...)
	}
	_ = cmd.Run()
}

func (p *ownPG) stop(t *testing.T) { p.pgctl(t, "stop", "-m", "fast") }

func (p *ownPG) start(t *testing.T) {
	cmd := exec.Command(repo.Path("scripts", "start-postgres.sh"))
	cmd.Env = append(os.Environ(), "VERIDOC_PG_OWN=1", fmt.Sprintf("VERIDOC_PG_PORT=%d", p.port), "VERIDOC_PG_DIR="+p.dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("restart postgres: %v %s", err, out)
	}
}

// ownS3Server is an S3 server of this test's own, which it may stop.
type ownS3Server struct {
	url, access, secret, endpoint, dir string
	pid                                int
	bin                                string
}

func ownS3(t *testing.T) *ownS3Server {
	t.Helper()
	s := &ownS3Server{access: "fault-access", secret: "fault-secret-key-123"}
	cmd := exec.Command(repo.Path("scripts", "start-s3.sh"))
	cmd.Env = append(os.Environ(), "S3_ACCESS_KEY="+s.access, "S3_SECRET_KEY="+s.secret)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("start-s3: %v", err)
	}
	if _, err := fmt.Sscan(string(out), &s.endpoint, &s.pid, &s.dir); err != nil {
		t.Fatalf("start-s3 printed %q", out)
	}
	s.url = fmt.Sprintf("s3://fault-%d?endpoint=%s&secure=false&region=us-east-1", time.Now().UnixNano(), s.endpoint)
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", s.pid))
	s.bin = exe
	t.Cleanup(func() {
		_ = syscall.Kill(s.pid, syscall.SIGKILL)
		os.RemoveAll(s.dir)
	})
	return s
}

func (s *ownS3Server) stop(t *testing.T) {
	_ = syscall.Kill(s.pid, syscall.SIGTERM)
	testenv.WaitFor(t, 10*time.Second, "the S3 server to stop", func() bool { return syscall.Kill(s.pid, 0) != nil })
}

func (s *ownS3Server) start(t *testing.T) {
	cmd := exec.Command(s.bin, "--port", s.endpoint, "--quiet", "posix", filepath.Join(s.dir, "data"))
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.access, "ROOT_SECRET_KEY="+s.secret)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.pid = cmd.Process.Pid
	go func() { _ = cmd.Wait() }()
}
