package sessions

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// The rules by which a session refuses a change.
var (
	ErrNotFound   = fault.Declare("SessionNotFound", fault.NotFound)
	ErrExpired    = fault.Declare("SessionExpired", fault.Conflict)
	ErrSubmitted  = fault.Declare("SessionSubmitted", fault.Conflict)
	ErrProcessing = fault.Declare("SessionProcessing", fault.Conflict)
)

func submitted(id int64) error {
	return ErrSubmitted.New("Session %d was submitted; it takes no more changes", id)
}

// TokenPrefix marks session tokens, so they are never mistaken for secrets.
const TokenPrefix = "st_"

// Service holds the rules of a session's life before processing: opening it,
// the end user's uploads and submit, expiry on access, and erasure.
type Service struct {
	DB       *database.DB
	Store    objectstore.Store
	Queue    jobs.Queue
	Logger   *slog.Logger
	Now      func() time.Time
	Lifetime time.Duration
	Counter  FrameCounter // for the capture page's frame check (CheckFrame)
}

// CreateParams are what the integrator sets on a new session.
type CreateParams struct {
	CallbackURL      string
	Reference        string
	FaceVerification bool
	PassportOnly     bool
	MinAge           *int   // UNDERAGE below it; nil: the account's default; 0: no check
	Liveness         string // none, passive or active; "": the account's default
}

// Created is a new session with what is shown only once: the token for the
// end user's device (only its hash is stored) and, for an account's first
// callback, the webhook secret that signs it.
type Created struct {
	*database.Session
	Token         string
	WebhookSecret string // "" unless this session made the account's first
}

// Create opens a session. One with a callback URL in an account without a
// webhook secret gets the account's first.
func (sv *Service) Create(ctx context.Context, accountID int64, p CreateParams) (*Created, error) {
	if p.CallbackURL != "" {
		if err := accounts.CheckCallbackURL("callback_url", p.CallbackURL); err != nil {
			return nil, err
		}
	}
	expireNow, err := sv.checkSandbox(ctx, accountID, p.Reference)
	if err != nil {
		return nil, err
	}
	acc, err := sv.DB.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	minAge, live := acc.MinAge, p.Liveness
	if p.MinAge != nil {
		minAge = *p.MinAge
	}
	if live == "" {
		live = acc.LivenessDefault
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := sv.Now()
	s := &database.Session{AccountID: accountID, TokenHash: database.HashToken(token), State: database.SessionCreated,
		Reference: p.Reference, CallbackURL: p.CallbackURL, FaceVerification: p.FaceVerification, PassportOnly: p.PassportOnly, MinAge: minAge,
		ExpiresAt: now.Add(sv.Lifetime), CreatedAt: now, UpdatedAt: now}
	if expireNow {
		s.ExpiresAt = now
	}
	if err := challenge(s, live); err != nil {
		return nil, err
	}
	out := &Created{Session: s, Token: token}
	err = sv.DB.InTx(ctx, func(tx *database.Tx) error {
		if p.CallbackURL != "" {
			var err error
			if out.WebhookSecret, err = accounts.FirstWebhookSecret(tx, accountID); err != nil {
				return err
			}
		}
		return tx.CreateSession(s)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Load reads a session of the account, expiring it first when its time is up.
func (sv *Service) Load(ctx context.Context, accountID, id int64) (*database.Session, error) {
	s, err := sv.DB.GetSession(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	if database.SessionOpen(s.State) && !sv.Now().Before(s.ExpiresAt) {
		if err := Expire(ctx, sv.DB, sv.Queue, s.ID, sv.Now()); err != nil {
			return nil, err
		}
		return sv.DB.GetSession(ctx, accountID, id)
	}
	return s, nil
}

// open loads the token's session and refuses changes once it left the upload states.
func (sv *Service) open(ctx context.Context, accountID, id int64) (*database.Session, error) {
	s, err := sv.Load(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	if s.State == database.SessionExpired {
		return s, ErrExpired.New("Session %d expired at %s", s.ID, s.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if !database.SessionOpen(s.State) {
		return s, submitted(s.ID)
	}
	return s, nil
}

// Client is what is recorded of the end user's device.
type Client struct{ IP, UserAgent string }

// Upload stores an image of one kind (a new one replaces the old) and moves a
// new session to UPLOADING. It returns the session's state after the upload.
func (sv *Service) Upload(ctx context.Context, accountID, sessionID int64, kind string, data []byte, client Client) (string, error) {
	s, err := sv.open(ctx, accountID, sessionID)
	if err != nil {
		return "", err
	}
	switch {
	case kind == Liveness:
		return "", fault.ErrInvalidRequest.New("kind: liveness frames go in frames, with the challenge's nonce")
	case kind == Selfie && s.Liveness != "" && s.Liveness != LivenessNone:
		return "", ErrLivenessRequired.New("Session %d asks for %s liveness: upload frames (kind liveness), not a selfie", s.ID, s.Liveness)
	}
	if _, err := raster.CheckUpload(data); err != nil {
		return "", err
	}
	return sv.store(ctx, sessionID, kind, data, client)
}

// store keeps an upload of one kind (replacing the kind's last) and moves
// a new session to UPLOADING.
func (sv *Service) store(ctx context.Context, sessionID int64, kind string, data []byte, client Client) (string, error) {
	tok := make([]byte, 8)
	_, _ = rand.Read(tok)
	key := UploadKey(sessionID, kind, hex.EncodeToString(tok))
	if err := sv.Store.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/octet-stream"); err != nil {
		return "", err
	}
	now := sv.Now()
	ip, ua := truncate(client.IP, 64), truncate(client.UserAgent, 512)
	change := database.SessionChange{UserIP: &ip, UserAgent: &ua}
	var replaced, state string
	err := sv.DB.InTx(ctx, func(tx *database.Tx) error {
		s, err := tx.LockSession(sessionID)
		if err != nil {
			return err
		}
		// Checked again under the lock: a submit may have won the race.
		if !database.SessionOpen(s.State) || s.DeletedAt != nil {
			return submitted(s.ID)
		}
		if replaced, err = tx.PutSessionUpload(&database.SessionUpload{SessionID: s.ID, Kind: kind, Key: key,
			Size: int64(len(data)), CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		if s.State == database.SessionCreated {
			if err := Transition(ctx, sv.Queue, tx, s, database.SessionUploading, now, nil, change); err != nil {
				return err
			}
		} else if err := tx.UpdateSession(s.ID, now, change); err != nil {
			return err
		}
		state = s.State
		return nil
	})
	if err != nil {
		_ = sv.Store.Delete(context.WithoutCancel(ctx), key)
		return "", err
	}
	if replaced != "" {
		if err := sv.Store.Delete(ctx, replaced); err != nil {
			sv.Logger.Warn("delete replaced upload", "key", replaced, "err", err)
		}
	}
	return state, nil
}

// Submit closes the uploads and queues processing.
func (sv *Service) Submit(ctx context.Context, accountID, sessionID int64) (string, error) {
	if _, err := sv.open(ctx, accountID, sessionID); err != nil {
		return "", err
	}
	now := sv.Now()
	var state string
	err := sv.DB.InTx(ctx, func(tx *database.Tx) error {
		s, err := tx.LockSession(sessionID)
		if err != nil {
			return err
		}
		if !database.SessionOpen(s.State) || s.DeletedAt != nil {
			return submitted(s.ID)
		}
		if err := Transition(ctx, sv.Queue, tx, s, database.SessionProcessing, now, nil, database.SessionChange{SubmittedAt: &now}); err != nil {
			return err
		}
		state = s.State
		_, err = sv.Queue.InsertTx(ctx, tx, Args{SessionID: s.ID}, nil)
		return err
	})
	return state, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
