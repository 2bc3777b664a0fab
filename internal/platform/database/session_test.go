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

// TestListSessionsOrder pages through sessions whose creation times tie and
// run against their ids (two API processes insert at once), with and
// without a created_before bound: every page follows (created_at, id)
// newest first, and the pages together hold each row once.
func TestListSessionsOrder(t *testing.T) {
	base := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	// Seconds after base, in insertion (id) order: ties, and a later id
	// with an earlier time.
	offsets := []int{0, 5, 5, 5, 3, 9, 9, 7, 12, 12, 1}
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			db := testenv.OpenDB(t, dbk.URL(t))
			ctx := context.Background()
			acc := newAccount(t, db)
			rows := make([]database.Session, len(offsets))
			for i, off := range offsets {
				at := base.Add(time.Duration(off) * time.Second)
				rows[i] = database.Session{AccountID: acc, TokenHash: []byte(fmt.Sprintf("order-%d-%d", acc, i)),
					State: database.SessionApproved, ExpiresAt: at.Add(time.Hour), CreatedAt: at, UpdatedAt: at}
			}
			if err := db.BulkInsert(ctx, &rows, 100); err != nil {
				t.Fatal(err)
			}
			bound := base.Add(9 * time.Second)
			cases := []struct {
				name   string
				before *time.Time
			}{{"all", nil}, {"created_before", &bound}}
			for _, tc := range cases {
				var want []database.Session
				for _, r := range rows {
					if tc.before == nil || r.CreatedAt.Before(*tc.before) {
						want = append(want, r)
					}
				}
				slices.SortFunc(want, func(a, b database.Session) int {
					if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
						return c
					}
					return int(b.ID - a.ID)
				})
				var got []int64
				f := database.SessionFilter{CreatedBefore: tc.before, Limit: 2}
				for page := 0; page < 20; page++ {
					list, err := db.ListSessions(ctx, acc, f)
					if err != nil {
						t.Fatal(err)
					}
					if len(list) == 0 {
						break
					}
					for _, s := range list {
						got = append(got, s.ID)
					}
					last := list[len(list)-1]
					f.BeforeID, f.BeforeAt = last.ID, last.CreatedAt
				}
				wantIDs := make([]int64, len(want))
				for i, s := range want {
					wantIDs[i] = s.ID
				}
				if !slices.Equal(got, wantIDs) {
					t.Errorf("%s: pages %v, want %v", tc.name, got, wantIDs)
				}
			}
		})
	}
}

// TestListAuditOrder: audit_event.list pages as session.list does, events
// whose times tie and run against their ids (times to the nanosecond, as
// a worker's clock gives them) included.
func TestListAuditOrder(t *testing.T) {
	base := time.Date(2026, 6, 1, 12, 0, 0, 123456789, time.UTC)
	offsets := []int{0, 5, 5, 5, 3, 9, 9, 7, 12, 12, 1}
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			db := testenv.OpenDB(t, dbk.URL(t))
			ctx := context.Background()
			acc := newAccount(t, db)
			var events []database.AuditEvent
			for _, off := range offsets {
				e := database.AuditEvent{AccountID: acc, CreatedAt: base.Add(time.Duration(off) * time.Second), Actor: "system", Action: "test"}
				if err := db.AppendAudit(ctx, &e); err != nil {
					t.Fatal(err)
				}
				events = append(events, e)
			}
			bound := base.Add(9 * time.Second)
			for _, before := range []*time.Time{nil, &bound} {
				var want []int64
				sorted := slices.Clone(events)
				slices.SortFunc(sorted, func(a, b database.AuditEvent) int {
					if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
						return c
					}
					return int(b.ID - a.ID)
				})
				for _, e := range sorted {
					if before == nil || e.CreatedAt.Before(*before) {
						want = append(want, e.ID)
					}
				}
				var got []int64
				f := database.AuditFilter{Before: before, Limit: 2}
				for page := 0; page < 20; page++ {
					list, err := db.ListAudit(ctx, acc, f)
					if err != nil {
						t.Fatal(err)
					}
					if len(list) == 0 {
						break
					}
					for _, e := range list {
						got = append(got, e.ID)
					}
					f.BeforeID, f.BeforeAt = list[len(list)-1].ID, list[len(list)-1].CreatedAt
				}
				if !slices.Equal(got, want) {
					t.Errorf("created_before %v: pages %v, want %v", before, got, want)
				}
			}
		})
	}
}
