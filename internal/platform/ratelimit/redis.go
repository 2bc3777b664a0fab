package ratelimit

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis counts every request on a shared Redis: one INCRBY (and EXPIRE on the
// window's first request) in a pipeline. Exact across processes; each request
// costs one round trip to Redis and none to the database.
type Redis struct {
	Client *redis.Client
	Now    func() time.Time
	Prefix string // key prefix, default "veridoc:rate:"
}

// NewRedis connects to a redis:// URL.
func NewRedis(ctx context.Context, rawURL string, now func() time.Time) (*Redis, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	c := redis.NewClient(opt)
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		return nil, err
	}
	return &Redis{Client: c, Now: now}, nil
}

func (r *Redis) key(bucket string, window time.Time) string {
	p := r.Prefix
	if p == "" {
		p = "veridoc:rate:"
	}
	return p + bucket + ":" + window.Format("2006010215")
}

// Hit implements Counter.
func (r *Redis) Hit(ctx context.Context, bucket string) (int64, time.Time, error) {
	w := r.Now().UTC().Truncate(Window)
	k := r.key(bucket, w)
	var incr *redis.IntCmd
	_, err := r.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		incr = p.IncrBy(ctx, k, 1)
		p.ExpireNX(ctx, k, Window+time.Minute)
		return nil
	})
	if err != nil {
		return 0, w, err
	}
	return incr.Val(), w, nil
}

// Peek implements Counter.
func (r *Redis) Peek(ctx context.Context, bucket string) (int64, time.Time, error) {
	w := r.Now().UTC().Truncate(Window)
	n, err := r.Client.Get(ctx, r.key(bucket, w)).Int64()
	if err == redis.Nil {
		return 0, w, nil
	}
	return n, w, err
}

// Close releases the connection pool.
func (r *Redis) Close() error { return r.Client.Close() }
