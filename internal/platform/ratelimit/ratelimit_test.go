package ratelimit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/ratelimit"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// Two processes count the same key: each is exact about its own requests,
// learns the other's at its next flush, and a new process starts from the
// shared count.
func TestSyncedSharesCounts(t *testing.T) {
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			db := testenv.OpenDB(t, dbk.URL(t))
			ctx := context.Background()
			clock := time.Date(2026, 12, 1, 10, 15, 0, 0, time.UTC)
			now := func() time.Time { return clock }
			a := &ratelimit.Synced{Store: db, Now: now}
			b := &ratelimit.Synced{Store: db, Now: now}
			hit := func(s *ratelimit.Synced, n int) int64 {
				var last int64
				for i := 0; i < n; i++ {
					c, w, err := s.Hit(ctx, "key:1")
					if err != nil {
						t.Fatal(err)
					}
					if !w.Equal(clock.Truncate(time.Hour)) {
						t.Fatalf("window %s", w)
					}
					last = c
				}
				return last
			}
			if got := hit(a, 30); got != 30 {
				t.Fatalf("a after 30: %d", got)
			}
			if n, _ := db.PeekRate(ctx, "key:1", clock.Truncate(time.Hour)); n != 0 {
				t.Fatalf("a request wrote to the database before the flush: %d", n)
			}
			if err := a.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			// b starts from the shared 30.
			if got := hit(b, 20); got != 50 {
				t.Fatalf("b after 20 more: %d", got)
			}
			if err := b.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			// a is one flush behind b: it sees 31 now, 51 after its flush.
			if got := hit(a, 1); got != 31 {
				t.Fatalf("a before its flush: %d", got)
			}
			if err := a.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			if got, _, _ := a.Peek(ctx, "key:1"); got != 51 {
				t.Fatalf("a after its flush: %d", got)
			}
			if n, _ := db.PeekRate(ctx, "key:1", clock.Truncate(time.Hour)); n != 51 {
				t.Fatalf("shared count %d", n)
			}
			// A new window starts from zero.
			clock = clock.Add(time.Hour)
			if got := hit(a, 1); got != 1 {
				t.Fatalf("new window: %d", got)
			}
		})
	}
}

// Concurrent hits and flushes lose nothing (run with -race).
func TestSyncedConcurrent(t *testing.T) {
	db := testenv.OpenDB(t, testenv.SQLiteURL(t))
	ctx := context.Background()
	s := &ratelimit.Synced{Store: db, Now: time.Now}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				if _, _, err := s.Hit(ctx, "key:9"); err != nil {
					t.Error(err)
					return
				}
				if i%50 == 0 {
					_ = s.Flush(ctx)
				}
			}
		}()
	}
	wg.Wait()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := s.Peek(ctx, "key:9"); n != 2000 {
		t.Fatalf("local count %d, want 2000", n)
	}
	if n, _ := db.PeekRate(ctx, "key:9", time.Now().UTC().Truncate(time.Hour)); n != 2000 {
		t.Fatalf("shared count %d, want 2000", n)
	}
}

// Two processes on one Redis share every count exactly.
func TestRedisCounter(t *testing.T) {
	url := testenv.RedisURL(t)
	ctx := context.Background()
	a, err := ratelimit.NewRedis(ctx, url, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := ratelimit.NewRedis(ctx, url, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	bucket := "key:" + testenv.RandomHex(6)
	for i := 0; i < 5; i++ {
		if _, _, err := a.Hit(ctx, bucket); err != nil {
			t.Fatal(err)
		}
	}
	n, _, err := b.Hit(ctx, bucket)
	if err != nil || n != 6 {
		t.Fatalf("b's hit: %d %v", n, err)
	}
	if n, _, _ := a.Peek(ctx, bucket); n != 6 {
		t.Fatalf("peek %d", n)
	}
	if ttl := a.Client.TTL(ctx, "veridoc:rate:"+bucket+":"+time.Now().UTC().Format("2006010215")).Val(); ttl <= 0 || ttl > 61*time.Minute {
		t.Fatalf("the window's key expires in %s", ttl)
	}
}
