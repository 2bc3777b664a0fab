package retention_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/retention"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func eraser(t *testing.T, defaultDays int) (*retention.Eraser, *database.DB) {
	t.Helper()
	db := testenv.OpenDB(t, testenv.SQLiteURL(t))
	store := testenv.SealedDisk(t, t.TempDir())
	clock := func() time.Time { return now }
	return &retention.Eraser{DB: db, Store: store, Now: clock, DefaultDays: defaultDays}, db
}

// seed gives an account a session and a photo task in a state, last changed age ago.
func seed(t *testing.T, db *database.DB, accountID int64, session, task string, age time.Duration) {
	t.Helper()
	at := now.Add(-age)
	err := db.InTx(context.Background(), func(tx *database.Tx) error {
		if err := tx.CreateSession(&database.Session{AccountID: accountID, TokenHash: []byte(testenv.RandomHex(16)), State: session,
			UserIP: "192.0.2.9", ExpiresAt: at.Add(time.Hour), CreatedAt: at, UpdatedAt: at}); err != nil {
			return err
		}
		return tx.CreatePhotoTask(&database.PhotoTask{AccountID: accountID, SpecID: 1, State: task, OutputFormat: "url",
			SourceKey: "uploads/x", PriceCents: 50, CreatedAt: at, UpdatedAt: at})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSweep(t *testing.T) {
	days := func(n int) *int { return &n }
	cases := []struct {
		name        string
		defaultDays int
		own         *int // the account's own retention
		session     string
		task        string
		age         time.Duration
		want        retention.Report
	}{
		{"finished and past retention", 30, nil, database.SessionApproved, database.TaskSuccess, 31 * 24 * time.Hour,
			retention.Report{Sessions: 1, Photos: 1}},
		{"finished but within retention", 30, nil, database.SessionDeclined, database.TaskFailure, 29 * 24 * time.Hour, retention.Report{}},
		{"not finished", 30, nil, database.SessionUploading, database.TaskPending, 365 * 24 * time.Hour, retention.Report{}},
		{"kept by the server default 0", 0, nil, database.SessionExpired, database.TaskSuccess, 365 * 24 * time.Hour, retention.Report{}},
		{"the account's own days win", 0, days(7), database.SessionExpired, database.TaskSuccess, 8 * 24 * time.Hour,
			retention.Report{Sessions: 1, Photos: 1}},
		{"the account keeps for ever", 30, days(0), database.SessionApproved, database.TaskSuccess, 365 * 24 * time.Hour, retention.Report{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e, db := eraser(t, tc.defaultDays)
			acc, _ := db.CreateAccount(ctx, "r", false)
			if tc.own != nil {
				if err := db.SetRetention(ctx, acc.ID, tc.own); err != nil {
					t.Fatal(err)
				}
			}
			seed(t, db, acc.ID, tc.session, tc.task, tc.age)
			got, err := e.Sweep(ctx, now)
			if err != nil || got != tc.want {
				t.Fatalf("sweep: %+v %v, want %+v", got, err, tc.want)
			}
			// What was erased is not erased again, and leaves an audit event each.
			if again, _ := e.Sweep(ctx, now); again != (retention.Report{}) {
				t.Errorf("a second sweep: %+v", again)
			}
			events, err := db.ListAudit(ctx, acc.ID, database.AuditFilter{Action: retention.ActionErasure, Limit: 10})
			if err != nil || len(events) != tc.want.Sessions+tc.want.Photos {
				t.Errorf("%d erasure events (%v)", len(events), err)
			}
		})
	}
}

// A task still being processed is refused, not erased.
func TestEraseRefusesRunningWork(t *testing.T) {
	ctx := context.Background()
	e, db := eraser(t, 30)
	acc, _ := db.CreateAccount(ctx, "busy", false)
	seed(t, db, acc.ID, database.SessionProcessing, database.TaskProcessing, time.Hour)
	if _, err := e.PhotoTask(ctx, acc.ID, 1); !retention.ErrTaskRunning.Is(err) {
		t.Errorf("a running task: %v", err)
	}
	if _, err := e.Session(ctx, acc.ID, 1); !retention.ErrSessionProcessing.Is(err) {
		t.Errorf("a session being processed: %v", err)
	}
}

// A session's erasure deletes its uploads and personal fields and keeps the
// row as a stub; a second erasure finds nothing left to do.
func TestSessionErasure(t *testing.T) {
	ctx := context.Background()
	e, db := eraser(t, 0)
	acc, _ := db.CreateAccount(ctx, "erase", false)
	sv := &sessions.Service{DB: db, Store: e.Store, Queue: testenv.Queue(t, db), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return now }, Lifetime: time.Hour}
	s, err := sv.Create(ctx, acc.ID, sessions.CreateParams{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sv.Upload(ctx, acc.ID, s.ID, sessions.Selfie, testenv.ReadPhoto(t, testenv.PhotoGrace512), sessions.Client{IP: "192.0.2.7"}); err != nil {
		t.Fatal(err)
	}
	uploads, _ := db.SessionUploads(ctx, s.ID)
	got, err := e.Session(ctx, acc.ID, s.ID)
	if err != nil || got.DeletedAt == nil || got.UserIP != "" || len(uploads) == 0 {
		t.Fatalf("erase: %+v %v", got, err)
	}
	for _, u := range uploads {
		if _, _, err := e.Store.Get(ctx, u.Key); !errors.Is(err, objectstore.ErrNotFound) {
			t.Errorf("upload %s after the erasure: %v", u.Key, err)
		}
	}
	if again, err := e.Session(ctx, acc.ID, s.ID); err != nil || again.DeletedAt == nil {
		t.Errorf("a second erasure: %v", err)
	}
	if _, err := e.Session(ctx, acc.ID+1, s.ID); err == nil {
		t.Error("another account's session was erased")
	}
}
