package sessions_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// fixture is a session service on a fresh SQLite database with a clock the
// test moves.
type fixture struct {
	sv      *sessions.Service
	db      *database.DB
	account int64
	now     time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testenv.OpenDB(t, testenv.SQLiteURL(t))
	f := &fixture{db: db, now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	f.sv = &sessions.Service{DB: db, Store: testenv.SealedDisk(t, t.TempDir()), Queue: testenv.Queue(t, db),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return f.now }, Lifetime: time.Hour}
	acc, err := db.CreateAccount(context.Background(), "sessions", false)
	if err != nil {
		t.Fatal(err)
	}
	f.account = acc.ID
	return f
}

func (f *fixture) create(t *testing.T) *database.Session {
	t.Helper()
	s, err := f.sv.Create(context.Background(), f.account, sessions.CreateParams{Reference: "r"})
	if err != nil || len(s.Token) < 40 || s.State != database.SessionCreated || s.WebhookSecret != "" {
		t.Fatalf("create: %+v %v", s, err)
	}
	return s.Session
}

var photo = func(t *testing.T) []byte { return testenv.ReadPhoto(t, testenv.PhotoGrace512) }

// Each rule of a session's life before processing, one case each; every
// case fails if its rule is removed.
func TestSessionRules(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, f *fixture) error
		rule *fault.Rule // nil: allowed
	}{
		{"the first callback makes the account's webhook secret, once", func(t *testing.T, f *fixture) error {
			first, err := f.sv.Create(ctx, f.account, sessions.CreateParams{CallbackURL: "https://example.com/hook"})
			if err != nil || !strings.HasPrefix(first.WebhookSecret, "whsec_") {
				t.Fatalf("first: %+v %v", first, err)
			}
			second, err := f.sv.Create(ctx, f.account, sessions.CreateParams{CallbackURL: "https://example.com/hook"})
			if err != nil || second.WebhookSecret != "" {
				t.Fatalf("second: %+v %v", second, err)
			}
			acc, _ := f.db.GetAccount(ctx, f.account)
			if acc.WebhookSecret != first.WebhookSecret {
				t.Error("the account does not sign with the secret shown")
			}
			return nil
		}, nil},
		{"a callback URL with credentials", func(t *testing.T, f *fixture) error {
			_, err := f.sv.Create(ctx, f.account, sessions.CreateParams{CallbackURL: "https://user:pw@example.com/hook"})
			return err
		}, fault.ErrInvalidRequest},
		{"an upload moves a new session to UPLOADING", func(t *testing.T, f *fixture) error {
			s := f.create(t)
			state, err := f.sv.Upload(ctx, f.account, s.ID, sessions.Selfie, photo(t), sessions.Client{IP: "192.0.2.1"})
			if err == nil && state != database.SessionUploading {
				t.Errorf("state %s", state)
			}
			return err
		}, nil},
		{"an upload that is not an image", func(t *testing.T, f *fixture) error {
			_, err := f.sv.Upload(ctx, f.account, f.create(t).ID, sessions.Selfie, []byte("hello"), sessions.Client{})
			return err
		}, raster.ErrUnsupportedType},
		{"an upload after the submit", func(t *testing.T, f *fixture) error {
			s := f.create(t)
			if _, err := f.sv.Upload(ctx, f.account, s.ID, sessions.DocumentFront, photo(t), sessions.Client{}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.sv.Submit(ctx, f.account, s.ID); err != nil {
				t.Fatal(err)
			}
			_, err := f.sv.Upload(ctx, f.account, s.ID, sessions.Selfie, photo(t), sessions.Client{})
			return err
		}, sessions.ErrSubmitted},
		{"an upload after the session's lifetime", func(t *testing.T, f *fixture) error {
			s := f.create(t)
			f.now = f.now.Add(2 * time.Hour)
			_, err := f.sv.Upload(ctx, f.account, s.ID, sessions.Selfie, photo(t), sessions.Client{})
			if got, _ := f.sv.Load(ctx, f.account, s.ID); got.State != database.SessionExpired {
				t.Errorf("state after its lifetime: %s", got.State)
			}
			return err
		}, sessions.ErrExpired},
		{"another account's session is not found", func(t *testing.T, f *fixture) error {
			s := f.create(t)
			_, err := f.sv.Upload(ctx, f.account+1, s.ID, sessions.Selfie, photo(t), sessions.Client{})
			if err == nil {
				t.Error("uploaded to another account's session")
			}
			return nil
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(t, newFixture(t))
			if (tc.rule == nil && err != nil) || (tc.rule != nil && !tc.rule.Is(err)) {
				t.Fatalf("got %v, want %v", err, tc.rule)
			}
		})
	}
}

// A submit queues the session's processing in the same transaction.
func TestSubmitQueuesProcessing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := f.create(t)
	if _, err := f.sv.Upload(ctx, f.account, s.ID, sessions.DocumentFront, photo(t), sessions.Client{}); err != nil {
		t.Fatal(err)
	}
	state, err := f.sv.Submit(ctx, f.account, s.ID)
	if err != nil || state != database.SessionProcessing {
		t.Fatalf("submit: %s %v", state, err)
	}
	if n := testenv.Queued(t, f.db, sessions.Args{}.Kind()); n != 1 {
		t.Errorf("%d processing jobs queued, want 1", n)
	}
}
