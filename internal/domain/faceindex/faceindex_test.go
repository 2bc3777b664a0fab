package faceindex_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/faceindex"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/facesearch"
)

// TestIndexFollowsTheDatabase runs two indexes over one database, as two
// worker processes do: each sees the other's new faces at its next search,
// a face deleted anywhere leaves both, a row written before another
// index's newest change but committed after it is still seen, and Run
// catches up without a search.
func TestIndexFollowsTheDatabase(t *testing.T) {
	for _, kind := range testenv.Databases() {
		t.Run(kind.Name, func(t *testing.T) {
			ctx := context.Background()
			db := testenv.OpenDB(t, kind.URL(t))
			basis, err := facesearch.LoadBasis()
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(7, 8))
			now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
			add := func(account int64, d [128]float32, at time.Time, block bool) int64 {
				f := &database.Face{AccountID: account, SessionID: r.Int64N(1000) + 1, Descriptor: database.EncodeDescriptor(d),
					Block: block, CreatedAt: at, UpdatedAt: at}
				if err := db.CreateFace(ctx, f); err != nil {
					t.Fatal(err)
				}
				return f.ID
			}
			found := func(x *faceindex.Index, account int64, d [128]float32) map[int64]bool {
				t.Helper()
				m, err := x.Search(ctx, account, 0.4, d)
				if err != nil {
					t.Fatal(err)
				}
				out := map[int64]bool{}
				for _, h := range m {
					out[h.ID] = true
				}
				return out
			}
			face := facesearch.Sample(basis, r)
			for range 50 { // strangers around
				add(1, facesearch.Sample(basis, r), now, false)
			}
			one := add(1, face, now, false)
			elsewhere := add(2, face, now, false)
			a, b := faceindex.New(db, basis), faceindex.New(db, basis)
			if err := a.Warm(ctx); err != nil {
				t.Fatal(err)
			}
			if a.Len(1) != 51 || a.Len(2) != 1 {
				t.Fatalf("Warm loaded %d and %d faces, want 51 and 1", a.Len(1), a.Len(2))
			}
			if got := found(a, 1, face); len(got) != 1 || !got[one] || got[elsewhere] {
				t.Fatalf("account 1 found %v, want only %d", got, one)
			}
			// b writes (as its process's worker would), a sees it at once.
			two := add(1, facesearch.Near(face, 0.2, r), now.Add(time.Second), false)
			if got := found(b, 1, face); len(got) != 2 {
				t.Fatalf("b found %v", got)
			}
			if got := found(a, 1, face); !got[two] {
				t.Fatalf("a missed the face b's process added: %v", got)
			}
			// A row stamped before a's newest change but seen only now.
			late := add(1, facesearch.Near(face, 0.1, r), now.Add(-10*time.Second), false)
			if got := found(a, 1, face); !got[late] {
				t.Fatalf("a missed a late commit: %v", got)
			}
			// A block deleted through the database leaves a's memory.
			block := add(1, face, now.Add(2*time.Second), true)
			if got := found(a, 1, face); !got[block] {
				t.Fatalf("block not found: %v", got)
			}
			if err := db.DeleteFaceBlock(ctx, 1, block, now.Add(3*time.Second)); err != nil {
				t.Fatal(err)
			}
			if got := found(a, 1, face); got[block] || len(got) != 3 {
				t.Fatalf("after the block went a found %v", got)
			}
			// Run catches b up on its own: b has not searched since the late
			// face, the block and this one.
			runCtx, stop := context.WithCancel(ctx)
			defer stop()
			go b.Run(runCtx)
			add(1, facesearch.Sample(basis, r), now.Add(4*time.Second), false)
			live, err := db.CountLiveFaces(ctx, 1)
			if err != nil || live != 54 {
				t.Fatalf("%d live faces (%v), want 54", live, err)
			}
			testenv.WaitFor(t, 3*faceindex.Period, "Run to catch up", func() bool { return b.Len(1) == int(live) })
		})
	}
}
