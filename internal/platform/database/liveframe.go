package database

import (
	"context"
	"time"
)

// LiveFrame is the digest of one liveness frame an account received (of
// its bytes or of its pixels), so that frames sent again to another
// session are recognised. Erasing the session deletes its rows.
type LiveFrame struct {
	ID        int64  `gorm:"primaryKey"`
	AccountID int64  `gorm:"not null;index:idx_live_frame_digest,priority:2"`
	Digest    string `gorm:"size:64;not null;index:idx_live_frame_digest,priority:1"`
	SessionID int64  `gorm:"not null;index:idx_live_frame_session"`
	CreatedAt time.Time
}

// SessionWithFrames returns another session of the account that received
// a frame with one of the digests, or 0.
func (db *DB) SessionWithFrames(ctx context.Context, accountID, sessionID int64, digests []string) (int64, error) {
	if len(digests) == 0 {
		return 0, nil
	}
	var ids []int64
	err := db.g.WithContext(ctx).Model(&LiveFrame{}).Where("account_id = ? AND digest IN ? AND session_id <> ?", accountID, digests, sessionID).
		Limit(1).Pluck("session_id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// FramesSentElsewhere tells whether another account received a frame with
// one of the digests. Which account, or which session, is not told: the
// caller may learn that its frames are a replay, nothing of the other.
func (db *DB) FramesSentElsewhere(ctx context.Context, accountID int64, digests []string) (bool, error) {
	if len(digests) == 0 {
		return false, nil
	}
	var ids []int64
	err := db.g.WithContext(ctx).Model(&LiveFrame{}).Where("digest IN ? AND account_id <> ?", digests, accountID).
		Limit(1).Pluck("id", &ids).Error
	return len(ids) > 0, err
}

// AddLiveFrames records a session's frame digests.
func (tx *Tx) AddLiveFrames(accountID, sessionID int64, digests []string, at time.Time) error {
	if len(digests) == 0 {
		return nil
	}
	rows := make([]LiveFrame, len(digests))
	for i, d := range digests {
		rows[i] = LiveFrame{AccountID: accountID, Digest: d, SessionID: sessionID, CreatedAt: at}
	}
	return tx.g.Create(&rows).Error
}
