package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/veridoc/veridoc/internal/platform/database"
)

// CleanupArgs is the periodic job that drops expired Idempotency-Key records
// and finished rate-limit windows.
type CleanupArgs struct{}

// Kind names the job in the queue.
func (CleanupArgs) Kind() string { return "maintenance.cleanup" }

// CleanupWorker runs CleanupArgs.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	DB  *database.DB
	Now func() time.Time
}

// Work deletes what is past its lifetime.
func (w *CleanupWorker) Work(ctx context.Context, job *river.Job[CleanupArgs]) error {
	if _, err := w.DB.DeleteExpiredIdempotencyKeys(ctx, w.Now()); err != nil {
		return err
	}
	_, err := w.DB.DeleteOldRateCounters(ctx, w.Now().Add(-2*time.Hour))
	return err
}

// Maintenance registers the maintenance worker and its hourly schedule.
func Maintenance(workers *river.Workers, db *database.DB, now func() time.Time) []*river.PeriodicJob {
	river.AddWorker(workers, &CleanupWorker{DB: db, Now: now})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
			return CleanupArgs{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}
