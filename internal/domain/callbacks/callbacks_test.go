package callbacks

import (
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// The retry schedule must cover at least 72 h, growing, and NextRetry must follow it.
func TestSchedule(t *testing.T) {
	var total time.Duration
	for i, d := range Schedule {
		if i > 0 && d < Schedule[i-1] {
			t.Errorf("delay %d (%s) shorter than the one before", i, d)
		}
		total += d
	}
	if total < 72*time.Hour {
		t.Fatalf("retries span %s, want at least 72h", total)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := &Worker{Now: func() time.Time { return now }}
	for attempt := 1; attempt <= len(Schedule); attempt++ {
		got := w.NextRetry(&river.Job[Args]{JobRow: jobRow(attempt)}).Sub(now)
		if got != Schedule[attempt-1] {
			t.Errorf("after attempt %d: wait %s, want %s", attempt, got, Schedule[attempt-1])
		}
	}
	w.Scale = 0.5
	if got := w.NextRetry(&river.Job[Args]{JobRow: jobRow(2)}).Sub(now); got != Schedule[1]/2 {
		t.Errorf("scaled: %s", got)
	}
	if s := NewSecret(); len(s) != len("whsec_")+44 {
		t.Errorf("secret %q", s)
	}
}

func jobRow(attempt int) *rivertype.JobRow { return &rivertype.JobRow{Attempt: attempt} }
