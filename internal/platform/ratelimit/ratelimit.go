// Package ratelimit counts requests per bucket (an API key, a session, a
// client IP) in fixed hourly windows that every API process shares, without a
// database write per request. Kong's rate-limiting policies are the model:
// Synced is the "cluster" policy (count in process, add the counts to the
// shared row in the background), Redis is the "redis" policy (one INCRBY per
// request on a shared Redis).
package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Window is the length of a counting window.
const Window = time.Hour

// Counter counts requests.
type Counter interface {
	// Hit counts one request and returns the bucket's count in the current
	// window, this request included, and when the window started.
	Hit(ctx context.Context, bucket string) (int64, time.Time, error)
	// Peek returns the count without adding to it.
	Peek(ctx context.Context, bucket string) (int64, time.Time, error)
}

// Store keeps the shared counts (the database).
type Store interface {
	// AddRate adds n to a bucket's window and returns the shared total.
	AddRate(ctx context.Context, bucket string, window time.Time, n int64) (int64, error)
	// PeekRate reads a bucket's shared count.
	PeekRate(ctx context.Context, bucket string, window time.Time) (int64, error)
}

// Synced counts in process and reconciles with the Store every Interval.
//
// Overshoot: one process alone never exceeds a limit. With several
// processes, each learns the others' counts at most one Interval late, so a
// limit can be exceeded by the requests the other processes admit within one
// Interval. A bucket's first request in a window reads the shared count
// first, so a new process starts from what the others counted.
type Synced struct {
	Store    Store
	Now      func() time.Time
	Interval time.Duration // default 1 s
	Logger   *slog.Logger

	mu     sync.Mutex
	counts map[string]*count
}

type count struct {
	window   time.Time
	shared   int64 // the shared total when last read or flushed (includes our flushed hits)
	flushing int64 // being added to the shared row right now
	pending  int64 // counted here, not yet sent
	loaded   bool
}

func (s *Synced) window() time.Time { return s.Now().UTC().Truncate(Window) }

// entry returns the bucket's count in the current window, reading the shared
// count the first time.
func (s *Synced) entry(ctx context.Context, bucket string) (*count, error) {
	w := s.window()
	s.mu.Lock()
	if s.counts == nil {
		s.counts = map[string]*count{}
	}
	c := s.counts[bucket]
	if c == nil || !c.window.Equal(w) {
		c = &count{window: w}
		s.counts[bucket] = c
	}
	loaded := c.loaded
	s.mu.Unlock()
	if loaded {
		return c, nil
	}
	n, err := s.Store.PeekRate(ctx, bucket, w)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if !c.loaded {
		c.shared, c.loaded = max(c.shared, n), true
	}
	s.mu.Unlock()
	return c, nil
}

// Hit implements Counter.
func (s *Synced) Hit(ctx context.Context, bucket string) (int64, time.Time, error) {
	c, err := s.entry(ctx, bucket)
	if err != nil {
		return 0, time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.pending++
	return c.shared + c.flushing + c.pending, c.window, nil
}

// Peek implements Counter.
func (s *Synced) Peek(ctx context.Context, bucket string) (int64, time.Time, error) {
	c, err := s.entry(ctx, bucket)
	if err != nil {
		return 0, time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return c.shared + c.flushing + c.pending, c.window, nil
}

// Flush adds the pending counts to the shared rows and learns the totals.
// Counts that cannot be written stay pending for the next flush.
func (s *Synced) Flush(ctx context.Context) error {
	type job struct {
		bucket string
		c      *count
		n      int64
	}
	var jobs []job
	current := s.window()
	s.mu.Lock()
	for b, c := range s.counts {
		if c.pending > 0 {
			jobs = append(jobs, job{b, c, c.pending})
			c.flushing, c.pending = c.flushing+c.pending, 0
		} else if c.window.Before(current) {
			delete(s.counts, b) // an old window with nothing left to write
		}
	}
	s.mu.Unlock()
	var firstErr error
	for _, j := range jobs {
		total, err := s.Store.AddRate(ctx, j.bucket, j.c.window, j.n)
		s.mu.Lock()
		j.c.flushing -= j.n
		if err != nil {
			j.c.pending += j.n
			if firstErr == nil {
				firstErr = err
			}
		} else {
			j.c.shared = max(j.c.shared, total)
		}
		s.mu.Unlock()
	}
	return firstErr
}

// Run flushes every Interval until ctx ends, then flushes once more.
func (s *Synced) Run(ctx context.Context) {
	interval := s.Interval
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := s.Flush(fctx); err != nil && s.Logger != nil {
				s.Logger.Warn("rate counts not saved at shutdown", "err", err)
			}
			return
		case <-t.C:
			if err := s.Flush(ctx); err != nil && s.Logger != nil {
				s.Logger.Warn("rate counts not saved; retrying", "err", err)
			}
		}
	}
}
