package sessions_test

import (
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/sessions"
)

func TestAge(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct {
		birth, on string
		want      int
	}{
		{"1974-08-12", "2026-12-06", 52},
		{"2008-12-06", "2026-12-06", 18}, // the birthday itself
		{"2008-12-07", "2026-12-06", 17}, // the day before
		{"2008-02-29", "2026-02-28", 17}, // a leap-day birth in a common year:
		{"2008-02-29", "2026-03-01", 18}, // of age on 1 March
		{"2008-02-29", "2028-02-29", 20},
		{"not a date", "2026-12-06", -1},
	} {
		if got := sessions.Age(c.birth, day(c.on)); got != c.want {
			t.Errorf("born %s, on %s: %d, want %d", c.birth, c.on, got, c.want)
		}
	}
}
