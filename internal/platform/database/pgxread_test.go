package database_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// The hot reads (pgx on PostgreSQL, GORM on SQLite) return what GORM's own
// reads return, field for field: sealed columns decrypted, NULLs as nil, and
// another account's id not found.
func TestHotReadsMatchGORM(t *testing.T) {
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			db := testenv.OpenDB(t, dbk.URL(t))
			ctx := context.Background()
			now := time.Now().UTC().Truncate(time.Microsecond)
			acc, err := db.CreateAccount(ctx, "hot", true)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.RotateWebhookSecret(ctx, acc.ID, "whsec_one", now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := db.RotateWebhookSecret(ctx, acc.ID, "whsec_two", now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			score := 73
			full := &database.Session{AccountID: acc.ID, TokenHash: []byte("token-full"), State: database.SessionApproved,
				Reference: "ref", CallbackURL: "https://example.test/cb", FaceVerification: true, UserIP: "192.0.2.1",
				UserAgent: "ua", GivenNames: "ANNA MARIA", Surname: "ERIKSSON", Nationality: "UTO", Sex: "F",
				DateOfBirth: "1974-08-12", PersonalNumber: "ZE184226B", DocumentType: "PASSPORT", DocumentNumber: "L898902C3",
				ExpiryDate: "2032-04-15", IssuingCountry: "UTO", PortraitKey: "p", FaceKey: "f", FaceMatchScore: &score,
				Checks: "A,B", ExpiresAt: now.Add(time.Hour), SubmittedAt: &now, FinishedAt: &now}
			bare := &database.Session{AccountID: acc.ID, TokenHash: []byte("token-bare"), State: database.SessionCreated,
				ExpiresAt: now.Add(time.Hour)}
			for _, s := range []*database.Session{full, bare} {
				if err := db.InTx(ctx, func(tx *database.Tx) error { return tx.CreateSession(s) }); err != nil {
					t.Fatal(err)
				}
				got, err := db.GetSession(ctx, acc.ID, s.ID)
				if err != nil {
					t.Fatal(err)
				}
				want, err := db.SessionByID(ctx, s.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("session %d:\n got %+v\nwant %+v", s.ID, got, want)
				}
				if _, err := db.GetSession(ctx, acc.ID+1, s.ID); !errors.Is(err, database.ErrNotFound) {
					t.Errorf("another account's session: %v, want ErrNotFound", err)
				}
			}
			if full.GivenNames != "ANNA MARIA" || full.FaceMatchScore == nil {
				t.Fatalf("the session written changed: %+v", full)
			}

			got, err := db.GetAccount(ctx, acc.ID)
			if err != nil {
				t.Fatal(err)
			}
			all, err := db.ListAccounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range all {
				if a.ID == acc.ID && !reflect.DeepEqual(*got, a) {
					t.Errorf("account:\n got %+v\nwant %+v", *got, a)
				}
			}
			if got.WebhookSecret != "whsec_two" || got.PreviousWebhookSecret != "whsec_one" {
				t.Errorf("secrets read as %q, %q", got.WebhookSecret, got.PreviousWebhookSecret)
			}
			if _, err := db.GetAccount(ctx, acc.ID+1000); !errors.Is(err, database.ErrNotFound) {
				t.Errorf("unknown account: %v, want ErrNotFound", err)
			}
		})
	}
}
