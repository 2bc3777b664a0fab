// Package rekey moves what the master keyring wraps under its newest key
// after a rotation: the database's data keysets and every stored object's
// data key. It also seals what was stored before encryption existed, and
// retires old master keys once nothing needs them.
package rekey

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/seal"
)

// Rekeyer rewraps data keys under the primary master key.
type Rekeyer struct {
	DB     *database.DB
	Store  *objectstore.Sealed
	Ring   *seal.Keyring
	Logger *slog.Logger
}

// Report is what a rewrap did.
type Report struct {
	Primary          string `json:"primary_key"`
	KeysetsRewrapped int    `json:"keysets_rewrapped"`
	RowsSealed       int    `json:"legacy_rows_sealed"`
	Objects          int    `json:"objects"`
	ObjectsRewrapped int    `json:"objects_rewrapped"`
	Failed           int    `json:"objects_failed"`
}

// Run rewraps everything not yet under the primary key. An object that fails
// (gone meanwhile, damaged) is counted and logged; the rest go on.
func (r *Rekeyer) Run(ctx context.Context) (Report, error) {
	// Another process may have rotated: take its key file first.
	if _, err := r.Ring.Reload(); err != nil {
		return Report{}, err
	}
	rep := Report{Primary: fmt.Sprintf("%08x", r.Ring.PrimaryID())}
	var err error
	if rep.KeysetsRewrapped, err = r.DB.RewrapKeys(ctx, r.Ring); err != nil {
		return rep, err
	}
	if rep.RowsSealed, err = r.DB.SealLegacyRows(ctx); err != nil {
		return rep, err
	}
	err = r.Store.List(ctx, "", func(key string) error {
		rep.Objects++
		changed, err := r.Store.Rewrap(ctx, key)
		switch {
		case errors.Is(err, objectstore.ErrNotFound): // erased meanwhile
		case err != nil:
			if objectstore.IsUnavailable(err) || ctx.Err() != nil {
				return err
			}
			rep.Failed++
			r.Logger.Error("rewrap: object left under its old key", "key", key, "err", err)
		case changed:
			rep.ObjectsRewrapped++
		}
		return nil
	})
	return rep, err
}

// Status says which master keys the ring holds and what each still wraps.
type Status struct {
	Primary string         `json:"primary_key"`
	Keys    map[string]Use `json:"keys"`
	// Legacy objects stored before encryption (sealed by the next rewrap).
	Legacy int `json:"legacy_objects"`
	// Unknown counts data wrapped by keys the ring lacks: it cannot be read.
	Unknown int `json:"unknown_key_objects"`
}

// Use is what one master key wraps.
type Use struct {
	Keysets int `json:"keysets"`
	Objects int `json:"objects"`
}

// Status reads every object's header (not its body).
func (r *Rekeyer) Status(ctx context.Context) (Status, error) {
	if _, err := r.Ring.Reload(); err != nil {
		return Status{}, err
	}
	st := Status{Primary: fmt.Sprintf("%08x", r.Ring.PrimaryID()), Keys: map[string]Use{}}
	for _, id := range r.Ring.IDs() {
		st.Keys[fmt.Sprintf("%08x", id)] = Use{}
	}
	use, err := r.DB.KeyUse(ctx)
	if err != nil {
		return st, err
	}
	for id, n := range use {
		k := fmt.Sprintf("%08x", id)
		u := st.Keys[k]
		u.Keysets += n
		st.Keys[k] = u
	}
	backend := r.Store.Backend()
	err = backend.List(ctx, "", func(key string) error {
		rc, _, err := backend.Get(ctx, key)
		if errors.Is(err, objectstore.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		h, _, err := seal.ReadHeader(rc)
		rc.Close()
		switch {
		case errors.Is(err, seal.ErrNotSealed):
			st.Legacy++
		case err != nil:
			st.Unknown++
		default:
			k := fmt.Sprintf("%08x", h.MasterKeyID())
			if !r.Ring.Has(h.MasterKeyID()) {
				st.Unknown++
				return nil
			}
			u := st.Keys[k]
			u.Objects++
			st.Keys[k] = u
		}
		return nil
	})
	return st, err
}

// Retire removes from the key file every master key that wraps nothing any
// more; it refuses while any old key is still in use.
func (r *Rekeyer) Retire(ctx context.Context) ([]string, error) {
	st, err := r.Status(ctx)
	if err != nil {
		return nil, err
	}
	if st.Legacy > 0 {
		return nil, fmt.Errorf("%d objects are still stored in the clear: run veridoc keys rewrap first", st.Legacy)
	}
	var retire []uint32
	var names []string
	for _, id := range r.Ring.IDs() {
		if id == r.Ring.PrimaryID() {
			continue
		}
		k := fmt.Sprintf("%08x", id)
		if u := st.Keys[k]; u.Keysets > 0 || u.Objects > 0 {
			return nil, fmt.Errorf("master key %s still wraps %d keysets and %d objects: wait for the rewrap (veridoc keys status)", k, u.Keysets, u.Objects)
		}
		retire = append(retire, id)
		names = append(names, k)
	}
	return names, r.Ring.Remove(retire)
}

// Args is a rewrap job, queued by veridoc keys rotate.
type Args struct{}

// Kind names the job.
func (Args) Kind() string { return "keys.rewrap" }

// Worker runs rewraps in the background.
type Worker struct {
	river.WorkerDefaults[Args]
	Rekeyer *Rekeyer
}

// Timeout: a large store takes long; the job runs until it is done.
func (w *Worker) Timeout(*river.Job[Args]) time.Duration { return -1 }

// Work rewraps and logs what it did.
func (w *Worker) Work(ctx context.Context, _ *river.Job[Args]) error {
	rep, err := w.Rekeyer.Run(ctx)
	w.Rekeyer.Logger.Info("rewrap done", "report", rep, "err", err)
	return err
}
