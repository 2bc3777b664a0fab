package database_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// row is a listed row's place in the order.
type row struct {
	id int64
	at time.Time
}

// offsets are the rows' creation times, seconds after a base, in insertion
// (id) order: ties, and later ids with earlier times (two API processes
// inserting at once).
var offsets = []int{0, 5, 5, 5, 3, 9, 9, 7, 12, 12, 1}

// checkPages pages (limit 2) through a list, with and without a
// created_before bound, and wants every page in (created_at, id) order,
// newest first, and the pages together to hold each row once. list reads
// one page after (beforeID, beforeAt), none when beforeID is 0.
func checkPages(t *testing.T, rows []row, bound time.Time, list func(before *time.Time, beforeID int64, beforeAt time.Time) []row) {
	t.Helper()
	for _, before := range []*time.Time{nil, &bound} {
		sorted := slices.Clone(rows)
		slices.SortFunc(sorted, func(a, b row) int {
			if c := b.at.Compare(a.at); c != 0 {
				return c
			}
			return int(b.id - a.id)
		})
		var want, got []int64
		for _, r := range sorted {
			if before == nil || r.at.Before(*before) {
				want = append(want, r.id)
			}
		}
		var afterID int64
		var afterAt time.Time
		for range 20 {
			page := list(before, afterID, afterAt)
			if len(page) == 0 {
				break
			}
			for _, r := range page {
				got = append(got, r.id)
			}
			afterID, afterAt = page[len(page)-1].id, page[len(page)-1].at
		}
		if !slices.Equal(got, want) {
			t.Errorf("created_before %v: pages %v, want %v", before, got, want)
		}
	}
}

// TestListOrder: session.list and audit_event.list page by (created_at,
// id) on both databases (audit times to the nanosecond, as a worker's
// clock gives them).
func TestListOrder(t *testing.T) {
	base := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	bound := base.Add(9 * time.Second)
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			db := testenv.OpenDB(t, dbk.URL(t))
			ctx := context.Background()
			acc := newAccount(t, db)

			sessions := make([]database.Session, len(offsets))
			for i, off := range offsets {
				at := base.Add(time.Duration(off) * time.Second)
				sessions[i] = database.Session{AccountID: acc, TokenHash: []byte(fmt.Sprintf("order-%d-%d", acc, i)),
					State: database.SessionApproved, ExpiresAt: at.Add(time.Hour), CreatedAt: at, UpdatedAt: at}
			}
			if err := db.BulkInsert(ctx, &sessions, 100); err != nil {
				t.Fatal(err)
			}
			var rows []row
			for _, s := range sessions {
				rows = append(rows, row{s.ID, s.CreatedAt})
			}
			checkPages(t, rows, bound, func(before *time.Time, beforeID int64, beforeAt time.Time) []row {
				list, err := db.ListSessions(ctx, acc, database.SessionFilter{CreatedBefore: before, BeforeID: beforeID, BeforeAt: beforeAt, Limit: 2})
				if err != nil {
					t.Fatal(err)
				}
				var out []row
				for _, s := range list {
					out = append(out, row{s.ID, s.CreatedAt})
				}
				return out
			})

			rows = nil
			for _, off := range offsets {
				e := database.AuditEvent{AccountID: acc, CreatedAt: base.Add(time.Duration(off)*time.Second + 123456789), Actor: "system", Action: "test"}
				if err := db.AppendAudit(ctx, &e); err != nil {
					t.Fatal(err)
				}
				rows = append(rows, row{e.ID, e.CreatedAt})
			}
			checkPages(t, rows, bound, func(before *time.Time, beforeID int64, beforeAt time.Time) []row {
				list, err := db.ListAudit(ctx, acc, database.AuditFilter{Before: before, BeforeID: beforeID, BeforeAt: beforeAt, Limit: 2})
				if err != nil {
					t.Fatal(err)
				}
				var out []row
				for _, e := range list {
					out = append(out, row{e.ID, e.CreatedAt})
				}
				return out
			})
		})
	}
}
