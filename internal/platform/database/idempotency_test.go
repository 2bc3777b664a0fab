package database_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

func TestIdempotencyLifetimes(t *testing.T) {
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			db := testenv.OpenDB(t, dbk.URL(t))
			ctx := context.Background()
			clock := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			s := &database.IdempotencyStore{DB: db, Now: func() time.Time { return clock }}
			hash := []byte("h1")
			inProgress := database.ErrIdempotencyKeyInProgress

			if res, err := s.Begin(ctx, 1, "key:1", "k", "a.b", hash); res != nil || err != nil {
				t.Fatalf("first claim: %v %v", res, err)
			}
			// In flight: a second caller waits.
			if _, err := s.Begin(ctx, 1, "key:1", "k", "a.b", hash); !errors.Is(err, inProgress) {
				t.Fatalf("in flight: %v", err)
			}
			// A claim abandoned by a dead process is taken over after a while.
			clock = clock.Add(3 * time.Minute)
			if res, err := s.Begin(ctx, 1, "key:1", "k", "a.b", hash); res != nil || err != nil {
				t.Fatalf("stale claim not taken over: %v %v", res, err)
			}
			if err := s.Complete(ctx, 1, "key:1", "k", database.StoredResponse{Status: 200, Body: []byte(`{"id":1}`)}); err != nil {
				t.Fatal(err)
			}
			clock = clock.Add(23 * time.Hour)
			res, err := s.Begin(ctx, 1, "key:1", "k", "a.b", hash)
			if err != nil || res == nil || string(res.Body) != `{"id":1}` || res.Status != 200 {
				t.Fatalf("replay within 24 h: %v %v", res, err)
			}
			// The same key from another caller of the account is another key:
			// it replays nothing of the first caller's.
			if res, err := s.Begin(ctx, 1, "session:9", "k", "a.b", hash); res != nil || err != nil {
				t.Fatalf("another caller's key: %v %v", res, err)
			}
			// Released claims (5xx) run again.
			if _, err := s.Begin(ctx, 1, "key:1", "k5", "a.b", hash); err != nil {
				t.Fatal(err)
			}
			if err := s.Release(ctx, 1, "key:1", "k5"); err != nil {
				t.Fatal(err)
			}
			if res, err := s.Begin(ctx, 1, "key:1", "k5", "a.b", hash); res != nil || err != nil {
				t.Fatalf("after release: %v %v", res, err)
			}
			// Past 24 h the key is free again, and the cleanup job removes old rows.
			clock = clock.Add(2 * time.Hour)
			if n, err := db.DeleteExpiredIdempotencyKeys(ctx, clock); err != nil || n != 1 {
				t.Fatalf("cleanup removed %d rows: %v", n, err)
			}
			if res, err := s.Begin(ctx, 1, "key:1", "k", "a.b", []byte("other")); res != nil || err != nil {
				t.Fatalf("after expiry: %v %v", res, err)
			}
		})
	}
}
