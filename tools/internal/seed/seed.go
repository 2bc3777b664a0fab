// Package seed fills an account with decided sessions by bulk inserts (not
// the API), for measuring at size: each session has sealed personal
// fields, a document blind index, a face (a synthetic descriptor spread as
// real ones are: facesearch.Sample), an audit event and a delivered
// callback.
package seed

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/vision/facesearch"
)

// Options say what to insert.
type Options struct {
	DB        *database.DB
	Index     *seal.Index // the account's blind index
	Basis     *facesearch.Basis
	AccountID int64
	Sessions  int
	Batch     int       // rows per INSERT; 0: 1000
	Now       time.Time // sessions are spread over the year before it
	Seed      uint64
	Progress  func(done int)
}

var states = []string{database.SessionApproved, database.SessionApproved, database.SessionApproved, database.SessionApproved,
	database.SessionApproved, database.SessionApproved, database.SessionApproved, database.SessionApproved, database.SessionDeclined, database.SessionReview}

// Sessions inserts o.Sessions sessions, oldest first.
func Sessions(ctx context.Context, o Options) error {
	if o.Batch == 0 {
		o.Batch = 1000
	}
	r := mrand.New(mrand.NewPCG(o.Seed, uint64(o.AccountID)))
	year := 365 * 24 * time.Hour
	for done := 0; done < o.Sessions; {
		n := min(o.Batch, o.Sessions-done)
		rows := make([]database.Session, n)
		for i := range rows {
			k := done + i
			at := o.Now.Add(-year + time.Duration(float64(year)*float64(k)/float64(o.Sessions))).UTC()
			s, err := session(o, r, k, at)
			if err != nil {
				return err
			}
			rows[i] = s
		}
		if err := o.DB.BulkInsert(ctx, &rows, o.Batch); err != nil {
			return fmt.Errorf("sessions: %w", err)
		}
		if err := extras(ctx, o, r, rows); err != nil {
			return err
		}
		done += n
		if o.Progress != nil {
			o.Progress(done)
		}
	}
	return nil
}

func session(o Options, r *mrand.Rand, k int, at time.Time) (database.Session, error) {
	token := make([]byte, 32)
	if _, err := rand.Read(token); err != nil {
		return database.Session{}, err
	}
	number := fmt.Sprintf("S%08d", k)
	idx, err := o.Index.Of("UTO", "P", number)
	if err != nil {
		return database.Session{}, err
	}
	state := states[r.IntN(len(states))]
	finished := at.Add(40 * time.Second)
	s := database.Session{AccountID: o.AccountID, TokenHash: token, State: state, Reference: fmt.Sprintf("ref-%d", k),
		DocIndex: idx, GivenNames: "ANNA", Surname: fmt.Sprintf("SEED%d", k), DateOfBirth: "1980-01-01", DocumentNumber: number,
		DocumentType: "P", IssuingCountry: "UTO", Nationality: "UTO", ExpiresAt: at.Add(time.Hour), SubmittedAt: &at,
		CreatedAt: at, UpdatedAt: finished}
	if state != database.SessionReview {
		s.FinishedAt = &finished
	}
	if state == database.SessionDeclined {
		s.Checks = "FACE_MISMATCH"
	}
	return s, nil
}

// extras adds each session's face, audit event and callback.
func extras(ctx context.Context, o Options, r *mrand.Rand, rows []database.Session) error {
	faces := make([]database.Face, len(rows))
	audit := make([]database.AuditEvent, len(rows))
	calls := make([]database.Callback, len(rows))
	for i, s := range rows {
		person, err := o.Index.Of("person", s.Surname, s.GivenNames, s.DateOfBirth)
		if err != nil {
			return err
		}
		faces[i] = database.Face{AccountID: o.AccountID, SessionID: s.ID, Descriptor: database.EncodeDescriptor(facesearch.Sample(o.Basis, r)),
			DocKey: s.DocIndex, PersonKey: person, CreatedAt: s.UpdatedAt, UpdatedAt: s.UpdatedAt}
		audit[i] = database.AuditEvent{AccountID: o.AccountID, CreatedAt: s.CreatedAt, Actor: fmt.Sprintf("session:%d", s.ID),
			Action: "session.submit", Object: fmt.Sprintf("session:%d", s.ID)}
		calls[i] = database.Callback{AccountID: o.AccountID, Subject: "session", SubjectID: s.ID, Event: "session." + s.State,
			URL: "https://example.com/hook", Payload: fmt.Sprintf(`{"session_id":%d}`, s.ID), MessageID: fmt.Sprintf("msg_seed_%d_%d", o.AccountID, s.ID),
			State: database.CallbackDelivered, Attempts: 1, LastStatus: 200, CreatedAt: s.UpdatedAt, UpdatedAt: s.UpdatedAt, DeliveredAt: &s.UpdatedAt}
	}
	for _, batch := range []any{&faces, &audit, &calls} {
		if err := o.DB.BulkInsert(ctx, batch, o.Batch); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	return nil
}
