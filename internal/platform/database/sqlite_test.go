package database_test

import (
	"context"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestSQLiteSettings: every pooled SQLite connection has the settings the
// DSN asks for (the syntax is the driver's own, and a wrong one is silently
// ignored).
func TestSQLiteSettings(t *testing.T) {
	db := testenv.OpenDB(t, testenv.SQLiteURL(t))
	ctx := context.Background()
	// Several connections at once, so more than one is opened.
	conns := make([]interface{ Close() error }, 0, 3)
	for i := 0; i < 3; i++ {
		c, err := db.SQL.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		cases := []struct {
			pragma string
			want   string
		}{
			{"journal_mode", "wal"},
			{"foreign_keys", "1"},
			{"busy_timeout", "10000"},
			{"synchronous", "1"}, // NORMAL
		}
		for _, tc := range cases {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("connection %d: PRAGMA %s = %s, want %s", i, tc.pragma, got, tc.want)
			}
		}
	}
	for _, c := range conns {
		_ = c.Close()
	}
}
