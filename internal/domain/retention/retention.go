// Package retention erases personal data: on request (photo.delete,
// verification.delete, session.delete) and when an account's retention has
// passed (a sweep every hour, or veridoc retention sweep). Erasure deletes
// the objects from the store first, then the personal fields, and keeps a
// stub: ids, states, times, the reference and decisions. Each one is
// recorded in the audit log.
package retention

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/veridoc/veridoc/internal/domain/photos"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
)

// Rules refused.
var (
	ErrTaskRunning       = fault.Declare("TaskProcessing", fault.Conflict)
	ErrDocumentsReading  = fault.Declare("DocumentsProcessing", fault.Invalid)
	ErrSessionProcessing = sessions.ErrProcessing
)

// ActionErasure is the audit action of an erasure.
const ActionErasure = "erasure"

// Eraser erases one object, or every object past its account's retention.
type Eraser struct {
	DB    *database.DB
	Store objectstore.Store
	Now   func() time.Time
	// DefaultDays applies to accounts without their own retention (0: keep).
	DefaultDays int
}

// Session erases a session's images and personal data; the row stays as an
// audit stub, which it returns. A session being processed is refused
// (ErrSessionProcessing).
func (e *Eraser) Session(ctx context.Context, accountID, id int64) (*database.Session, error) {
	if err := e.eraseSession(ctx, accountID, id); err != nil {
		return nil, err
	}
	return e.DB.GetSession(ctx, accountID, id)
}

// eraseSession is Session without reading the stub back (the sweep has no
// use for it).
func (e *Eraser) eraseSession(ctx context.Context, accountID, id int64) error {
	s, err := e.DB.SessionForErasure(ctx, accountID, id)
	if err != nil {
		return err
	}
	if s.State == database.SessionProcessing {
		return ErrSessionProcessing.New("Session %d is being processed; delete it once it is decided", s.ID)
	}
	if s.DeletedAt != nil {
		return nil // erased before: its images went then
	}
	uploads, err := e.DB.SessionUploads(ctx, s.ID)
	if err != nil {
		return err
	}
	// Images first: if the row update then fails, a retry finds nothing left to
	// delete, and no personal image outlives a delete that reported success.
	keys := []string{s.PortraitKey, s.FaceKey}
	for _, u := range uploads {
		keys = append(keys, u.Key)
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		if err := e.Store.Delete(ctx, k); err != nil {
			return err
		}
	}
	now := e.Now()
	return e.DB.InTx(ctx, func(tx *database.Tx) error {
		erased, err := tx.LockSessionErased(s.ID)
		if err != nil || erased {
			return err
		}
		return tx.EraseSession(s.ID, now)
	})
}

// PhotoTask erases a finished photo task's upload and outputs.
func (e *Eraser) PhotoTask(ctx context.Context, accountID, id int64) (*database.PhotoTask, error) {
	t, err := e.DB.GetPhotoTask(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	if t.State == database.TaskPending || t.State == database.TaskProcessing {
		return t, ErrTaskRunning.New("Task %d is still being processed; delete it once it has finished", t.ID)
	}
	if t.ErasedAt != nil {
		return t, nil
	}
	// Objects first: a retry after a failed row update finds nothing left to delete.
	for _, k := range append([]string{t.SourceKey}, photos.Keys(t.ID).All()...) {
		if k == "" {
			continue
		}
		if err := e.Store.Delete(ctx, k); err != nil {
			return nil, err
		}
	}
	if err := e.DB.InTx(ctx, func(tx *database.Tx) error {
		if _, err := tx.LockPhotoTask(accountID, id); err != nil {
			return err
		}
		return tx.ErasePhotoTask(id, e.Now())
	}); err != nil {
		return nil, err
	}
	return e.DB.GetPhotoTask(ctx, accountID, id)
}

// Verification erases a verification's document images and personal data.
// It refuses while a document is being read.
func (e *Eraser) Verification(ctx context.Context, accountID, id int64) (*database.Verification, error) {
	v, err := e.DB.GetVerification(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	if v.ErasedAt != nil {
		return v, nil
	}
	docs, err := e.DB.Documents(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		if d.Status == database.DocInProgress {
			return v, ErrDocumentsReading.New("Document %d of verification %d is being read; delete it once that has finished", d.ID, v.ID)
		}
	}
	for _, d := range docs {
		for _, k := range []string{d.FrontKey, d.BackKey} {
			if k == "" {
				continue
			}
			if err := e.Store.Delete(ctx, k); err != nil {
				return nil, err
			}
		}
	}
	if err := e.DB.InTx(ctx, func(tx *database.Tx) error {
		if _, err := tx.LockVerification(accountID, id); err != nil {
			return err
		}
		return tx.EraseVerification(id, e.Now())
	}); err != nil {
		return nil, err
	}
	return e.DB.GetVerification(ctx, accountID, id)
}

// Report counts what a sweep erased.
type Report struct {
	Sessions      int `json:"sessions"`
	Verifications int `json:"verifications"`
	Photos        int `json:"photos"`
	Skipped       int `json:"skipped"` // busy (being processed); the next sweep takes them
	// FaceTombstones counts erased faces' rows dropped a day after: every
	// process holding faces in memory has seen them go by then.
	FaceTombstones int64 `json:"face_tombstones"`
}

// Sweep erases every finished object last changed before its account's
// retention before asOf.
func (e *Eraser) Sweep(ctx context.Context, asOf time.Time) (Report, error) {
	var r Report
	accounts, err := e.DB.ListAccounts(ctx)
	if err != nil {
		return r, err
	}
	for _, a := range accounts {
		days := e.DefaultDays
		if a.RetentionDays != nil {
			days = *a.RetentionDays
		}
		if days <= 0 {
			continue
		}
		cutoff := asOf.Add(-time.Duration(days) * 24 * time.Hour)
		kinds := []struct {
			due   func(context.Context, int64, time.Time, int) ([]int64, error)
			erase func(context.Context, int64, int64) error
			class string
			count *int
		}{
			{e.DB.DueSessionErasures, e.eraseSession, "session", &r.Sessions},
			{e.DB.DueVerificationErasures, func(ctx context.Context, acc, id int64) error { _, err := e.Verification(ctx, acc, id); return err }, "verification", &r.Verifications},
			{e.DB.DuePhotoErasures, func(ctx context.Context, acc, id int64) error { _, err := e.PhotoTask(ctx, acc, id); return err }, "task", &r.Photos},
		}
		for _, k := range kinds {
			ids, err := k.due(ctx, a.ID, cutoff, 1000)
			if err != nil {
				return r, err
			}
			for _, id := range ids {
				err := k.erase(ctx, a.ID, id)
				switch {
				case errors.Is(err, ErrTaskRunning), errors.Is(err, ErrDocumentsReading), errors.Is(err, ErrSessionProcessing):
					r.Skipped++
					continue
				case err != nil:
					return r, fmt.Errorf("erase %s %d: %w", k.class, id, err)
				}
				*k.count++
				if err := e.DB.AppendAudit(ctx, &database.AuditEvent{AccountID: a.ID, CreatedAt: e.Now().UTC(), Actor: "system",
					Action: ActionErasure, Object: fmt.Sprintf("%s:%d", k.class, id)}); err != nil {
					return r, err
				}
			}
		}
	}
	r.FaceTombstones, err = e.DB.DropFaceTombstones(ctx, asOf.Add(-24*time.Hour))
	return r, err
}

// SweepArgs is the hourly retention sweep.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "retention.sweep" }

// Worker runs the sweep.
type Worker struct {
	river.WorkerDefaults[SweepArgs]
	Eraser *Eraser
}

// Work sweeps as of now.
func (w *Worker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	_, err := w.Eraser.Sweep(ctx, w.Eraser.Now())
	return err
}

// Periodic schedules the sweep every hour.
func Periodic() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
			return SweepArgs{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}
