// Package faceindex keeps each account's faces in this process's memory for
// the 1:N search, the database being the truth: an account is loaded when
// first searched (or by Warm at start), every search first reads the rows
// changed since the last look, and Run looks every few seconds, so a face
// added or erased by another process is seen at the next search and within
// seconds in any case.
package faceindex

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/facesearch"
)

const (
	// overlap is how far back each look reaches before the newest change
	// it saw: a transaction that wrote its rows earlier but committed later,
	// or a clock a little behind, is still seen. Rows seen twice are harmless.
	overlap = 30 * time.Second
	// pageSize is how many faces one query of the initial load reads.
	pageSize = 5000
	// Period is how often Run catches up.
	Period = 3 * time.Second
)

// Index is the process's faces, per account.
type Index struct {
	db    *database.DB
	basis *facesearch.Basis

	mu       sync.Mutex
	accounts map[int64]*account
}

// account is one account's gallery and how far it has read the changes.
type account struct {
	ready   chan struct{} // closed once loaded
	err     error         // the load's, if it failed
	gallery *facesearch.Gallery

	sync sync.Mutex // one catch-up at a time
	mark time.Time  // the newest change seen
}

// New makes an empty index.
func New(db *database.DB, b *facesearch.Basis) *Index {
	return &Index{db: db, basis: b, accounts: map[int64]*account{}}
}

// Match is a stored face found near the one looked for, measured exactly.
type Match struct {
	database.Face
	Distance float64
}

// Search catches the account up with the database once and lists its
// faces within distance of any of ds, nearest first, each measured again on
// its stored descriptor (the in-memory distance is within a few
// thousandths) against the nearest of ds.
func (x *Index) Search(ctx context.Context, accountID int64, within float64, ds ...[128]float32) ([]Match, error) {
	a, err := x.account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if err := x.catchUp(ctx, accountID, a); err != nil {
		return nil, err
	}
	// The int8 tail moves a distance by well under 0.01 near the thresholds
	// used (facesearch's tests); reach a little further, then measure exactly.
	seen := map[int64]bool{}
	var ids []int64
	for _, d := range ds {
		for _, h := range a.gallery.Search(d, float32(within)+0.01) {
			if !seen[h.ID] {
				seen[h.ID] = true
				ids = append(ids, h.ID)
			}
		}
	}
	rows, err := x.db.FacesByID(ctx, accountID, ids)
	if err != nil {
		return nil, err
	}
	var out []Match
	for _, r := range rows {
		stored, err := database.DecodeDescriptor(r.Descriptor)
		if err != nil {
			return nil, err
		}
		dist := math.Inf(1)
		for _, d := range ds {
			dist = min(dist, faces.Distance(d, stored))
		}
		if dist < within {
			r.Descriptor = nil
			out = append(out, Match{Face: r, Distance: dist})
		}
	}
	slices.SortFunc(out, func(a, b Match) int { return cmp.Compare(a.Distance, b.Distance) })
	return out, nil
}

// Len is how many faces the account holds in this process (0 if not loaded).
func (x *Index) Len(accountID int64) int {
	x.mu.Lock()
	a := x.accounts[accountID]
	x.mu.Unlock()
	if a == nil || !a.loaded() {
		return 0
	}
	return a.gallery.Len()
}

// Bytes is the memory the loaded faces take.
func (x *Index) Bytes() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	n := 0
	for _, a := range x.accounts {
		if a.loaded() {
			n += a.gallery.Bytes()
		}
	}
	return n
}

// loaded tells whether the account's faces are in memory.
func (a *account) loaded() bool {
	select {
	case <-a.ready:
		return a.err == nil
	default:
		return false
	}
}

// account loads the account on first use; concurrent callers wait for the
// one load. A failed load is forgotten, so the next call tries again.
func (x *Index) account(ctx context.Context, accountID int64) (*account, error) {
	x.mu.Lock()
	a, ok := x.accounts[accountID]
	if !ok {
		a = &account{ready: make(chan struct{})}
		x.accounts[accountID] = a
		x.mu.Unlock()
		a.err = x.load(ctx, accountID, a)
		close(a.ready)
		if a.err != nil {
			x.mu.Lock()
			delete(x.accounts, accountID)
			x.mu.Unlock()
		}
		return a, a.err
	}
	x.mu.Unlock()
	select {
	case <-a.ready:
		return a, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// load reads the account's live faces page by page. Its mark is the newest
// change among them, so the first catch-up sees anything changed since.
func (x *Index) load(ctx context.Context, accountID int64, a *account) error {
	n, err := x.db.CountLiveFaces(ctx, accountID)
	if err != nil {
		return err
	}
	a.gallery = facesearch.NewGallery(x.basis, int(n)+int(n)/16)
	var after int64
	for {
		page, err := x.db.LiveFaces(ctx, accountID, after, pageSize)
		if err != nil {
			return err
		}
		for _, f := range page {
			if err := a.add(f); err != nil {
				return err
			}
			after = f.ID
		}
		if len(page) < pageSize {
			return nil
		}
	}
}

func (a *account) add(f database.Face) error {
	d, err := database.DecodeDescriptor(f.Descriptor)
	if err != nil {
		return err
	}
	a.gallery.Add(f.ID, d)
	if f.UpdatedAt.After(a.mark) {
		a.mark = f.UpdatedAt
	}
	return nil
}

// catchUp applies the account's changes since its mark (less the overlap).
func (x *Index) catchUp(ctx context.Context, accountID int64, a *account) error {
	a.sync.Lock()
	defer a.sync.Unlock()
	changes, err := x.db.FaceChanges(ctx, accountID, a.mark.Add(-overlap))
	if err != nil {
		return err
	}
	var missing []int64
	for _, c := range changes {
		switch {
		case c.Deleted:
			a.gallery.Remove(c.ID)
		case !a.gallery.Has(c.ID):
			missing = append(missing, c.ID)
		}
		if c.UpdatedAt.After(a.mark) {
			a.mark = c.UpdatedAt
		}
	}
	rows, err := x.db.FacesByID(ctx, accountID, missing)
	if err != nil {
		return err
	}
	for _, f := range rows {
		if err := a.add(f); err != nil {
			return err
		}
	}
	return nil
}

// Warm loads every account that holds faces (a worker's start).
func (x *Index) Warm(ctx context.Context) error {
	ids, err := x.db.AccountsWithFaces(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := x.account(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// Run catches every loaded account up every Period until ctx ends, so
// that faces erased elsewhere leave this process's memory within seconds
// even when it searches nothing.
func (x *Index) Run(ctx context.Context) {
	t := time.NewTicker(Period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		x.mu.Lock()
		loaded := make(map[int64]*account, len(x.accounts))
		for id, a := range x.accounts {
			loaded[id] = a
		}
		x.mu.Unlock()
		for id, a := range loaded {
			if a.loaded() {
				_ = x.catchUp(ctx, id, a) // the next search or tick tries again
			}
		}
	}
}
