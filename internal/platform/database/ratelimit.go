package database

import (
	"context"
	"time"
)

// RateCounter counts requests of one bucket (an API key, a client IP) in one
// fixed window. Every API process adds its counts to the same row, so the
// limit holds across processes.
type RateCounter struct {
	Bucket      string    `gorm:"primaryKey;size:100"`
	WindowStart time.Time `gorm:"primaryKey"`
	Count       int64     `gorm:"not null"`
}

// AddRate adds n to a bucket's window and returns the new count, in one
// atomic upsert (both databases support ON CONFLICT … RETURNING). API
// processes call it in the background with what they counted (ratelimit).
func (db *DB) AddRate(ctx context.Context, bucket string, window time.Time, n int64) (int64, error) {
	var total int64
	err := db.g.WithContext(ctx).Raw(
		`INSERT INTO rate_counters (bucket, window_start, count) VALUES (?, ?, ?)
		 ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_counters.count + excluded.count
		 RETURNING count`, bucket, window, n).Scan(&total).Error
	return total, err
}

// PeekRate reads a bucket's count without adding to it.
func (db *DB) PeekRate(ctx context.Context, bucket string, window time.Time) (int64, error) {
	var n int64
	err := db.g.WithContext(ctx).Model(&RateCounter{}).Where("bucket = ? AND window_start = ?", bucket, window).
		Select("COALESCE(MAX(count), 0)").Scan(&n).Error
	return n, err
}

// DeleteOldRateCounters drops windows that ended before t.
func (db *DB) DeleteOldRateCounters(ctx context.Context, before time.Time) (int64, error) {
	res := db.g.WithContext(ctx).Where("window_start < ?", before).Delete(&RateCounter{})
	return res.RowsAffected, res.Error
}

// SetRateLimit sets an account's requests per hour, for the account or each of its keys as the server counts them (0: the server default).
func (db *DB) SetRateLimit(ctx context.Context, accountID int64, perHour int) error {
	res := db.g.WithContext(ctx).Model(&Account{}).Where("id = ?", accountID).Update("rate_limit_per_hour", perHour)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}
