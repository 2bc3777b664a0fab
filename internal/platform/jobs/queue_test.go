package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

type echoArgs struct {
	AccountID int64         `json:"account_id"`
	Sleep     time.Duration `json:"sleep"`
}

func (echoArgs) Kind() string { return "test.echo" }

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	done atomic.Int64
	// started is closed when the first job begins.
	started chan struct{}
	once    atomic.Bool
}

func (w *echoWorker) Work(ctx context.Context, job *river.Job[echoArgs]) error {
	if w.once.CompareAndSwap(false, true) {
		close(w.started)
	}
	select {
	case <-time.After(job.Args.Sleep):
	case <-ctx.Done():
		return ctx.Err()
	}
	w.done.Add(1)
	return nil
}

func open(t *testing.T, url string, workers int) (*database.DB, jobs.Queue, *echoWorker) {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	w := &echoWorker{started: make(chan struct{})}
	reg := river.NewWorkers()
	river.AddWorker(reg, w)
	q, err := jobs.New(db, jobs.Options{Workers: workers, Registry: reg, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return db, q, w
}

func countJobs(t *testing.T, db *database.DB) int64 {
	var n int64
	if err := db.SQL.QueryRow("SELECT count(*) FROM river_job WHERE kind = 'test.echo'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A job inserted with a row commits and rolls back with it, on both databases.
func TestInsertTxSharesTheTransaction(t *testing.T) {
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			db, q, _ := open(t, dbk.URL(t), 0)
			ctx := context.Background()
			boom := errors.New("boom")
			var accID int64
			err := db.InTx(ctx, func(tx *database.Tx) error {
				a := &database.Account{Name: "rolled back"}
				if err := tx.InsertAccount(a); err != nil {
					return err
				}
				if _, err := q.InsertTx(ctx, tx, echoArgs{AccountID: a.ID}, nil); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx: %v", err)
			}
			if n, _ := db.CountAccounts(ctx); n != 0 || countJobs(t, db) != 0 {
				t.Fatalf("after rollback: %d accounts, %d jobs", n, countJobs(t, db))
			}
			err = db.InTx(ctx, func(tx *database.Tx) error {
				a := &database.Account{Name: "kept"}
				if err := tx.InsertAccount(a); err != nil {
					return err
				}
				accID = a.ID
				res, err := q.InsertTx(ctx, tx, echoArgs{AccountID: a.ID}, nil)
				if err != nil {
					return err
				}
				// Inside the transaction the job is visible; outside it is not yet.
				var outside int64
				_ = db.SQL.QueryRow(fmt.Sprintf("SELECT count(*) FROM river_job WHERE id = %d", res.Job.ID)).Scan(&outside)
				if db.Kind == "postgres" && outside != 0 {
					t.Errorf("job visible outside the open transaction")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := db.CountAccounts(ctx); n != 1 || countJobs(t, db) != 1 || accID == 0 {
				t.Fatalf("after commit: %d accounts, %d jobs", n, countJobs(t, db))
			}
		})
	}
}

// Stop lets a running job finish: graceful shutdown drains work.
func TestStopDrainsRunningJobs(t *testing.T) {
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			db, q, w := open(t, dbk.URL(t), 2)
			ctx := context.Background()
			events, cancel := q.Subscribe(river.EventKindJobCompleted)
			defer cancel()
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := q.Insert(ctx, echoArgs{Sleep: 400 * time.Millisecond}, nil); err != nil {
				t.Fatal(err)
			}
			select {
			case <-w.started:
			case <-time.After(10 * time.Second):
				t.Fatal("job never started")
			}
			stopCtx, stop := context.WithTimeout(ctx, 10*time.Second)
			defer stop()
			if err := q.Stop(stopCtx); err != nil {
				t.Fatal(err)
			}
			if w.done.Load() != 1 {
				t.Fatalf("job did not finish before Stop returned (done=%d)", w.done.Load())
			}
			select {
			case ev := <-events:
				if ev.Job.State != rivertype.JobStateCompleted {
					t.Fatalf("state %s", ev.Job.State)
				}
			case <-time.After(time.Second):
				t.Fatal("no completion event")
			}
			var state string
			_ = db.SQL.QueryRow("SELECT state FROM river_job WHERE kind = 'test.echo'").Scan(&state)
			if state != "completed" {
				t.Fatalf("job row state %q", state)
			}
		})
	}
}

// An API process with no workers inserts; a separate worker process (its own
// pool on the same database) runs the job.
func TestSeparateWorkerProcess(t *testing.T) {
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			url := dbk.URL(t)
			apiDB, apiQueue, _ := open(t, url, 0)
			_, workerQueue, w := open(t, url, 2)
			ctx := context.Background()
			if err := apiQueue.Start(ctx); err != nil { // no-op for an insert-only queue
				t.Fatal(err)
			}
			if err := workerQueue.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = workerQueue.Stop(context.Background()) })
			err := apiDB.InTx(ctx, func(tx *database.Tx) error {
				_, err := apiQueue.InsertTx(ctx, tx, echoArgs{}, nil)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			testenv.WaitFor(t, 15*time.Second, "the worker process to run the job", func() bool { return w.done.Load() > 0 })
		})
	}
}
