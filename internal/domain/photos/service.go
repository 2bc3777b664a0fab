package photos

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/domain/billing"
	"github.com/veridoc/veridoc/internal/domain/specs"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Service opens photo tasks: the upload checked and stored, the price held
// from the balance and the job queued, in one transaction.
type Service struct {
	DB       *database.DB
	Store    objectstore.Store
	Queue    jobs.Queue
	Specs    *specs.Library
	Accounts *accounts.Service // the price of a photo
}

// Output formats: a signed URL to the files, or the photo inline.
const (
	OutputURL    = "url"
	OutputBase64 = "base64"
)

// OutputFormats lists the formats.
var OutputFormats = []string{OutputURL, OutputBase64}

// Request is one photo to process.
type Request struct {
	SpecID int64
	Photo  []byte
	// Sandbox is a magic photo ("sandbox:…") sent in place of one.
	Sandbox      string
	OutputFormat string
	Background   string
}

// Process checks the upload, holds its price and queues the task.
func (s *Service) Process(ctx context.Context, accountID int64, req Request) (*database.PhotoTask, error) {
	tasks, err := s.open(ctx, accountID, []Request{req}, false)
	if err != nil {
		return nil, err
	}
	return tasks[0], nil
}

// MaxBatch is the most photos one photo.batch call takes.
const MaxBatch = 10

// ProcessBatch opens a task per photo, all or none: every upload is checked
// before anything is stored, and the tasks, their holds and their jobs are
// made in one transaction (a balance short of the whole batch opens none).
// The tasks share the first one's id as their batch.
func (s *Service) ProcessBatch(ctx context.Context, accountID int64, reqs []Request) ([]*database.PhotoTask, error) {
	return s.open(ctx, accountID, reqs, true)
}

func (s *Service) open(ctx context.Context, accountID int64, reqs []Request, batch bool) ([]*database.PhotoTask, error) {
	for i := range reqs {
		if err := s.check(ctx, accountID, &reqs[i]); err != nil {
			return nil, err
		}
	}
	tier, err := s.Accounts.Price(ctx, accountID)
	if err != nil {
		return nil, err
	}
	// The uploads are stored first so a job always finds its own; a failed
	// transaction below removes them again.
	keys := make([]string, 0, len(reqs))
	removeAll := func() {
		for _, k := range keys {
			_ = s.Store.Delete(context.WithoutCancel(ctx), k)
		}
	}
	for _, req := range reqs {
		token := make([]byte, 16)
		_, _ = rand.Read(token)
		key := SourceKey(accountID, hex.EncodeToString(token))
		if err := s.Store.Put(ctx, key, bytes.NewReader(req.Photo), int64(len(req.Photo)), "application/octet-stream"); err != nil {
			removeAll()
			return nil, err
		}
		keys = append(keys, key)
	}
	tasks := make([]*database.PhotoTask, len(reqs))
	err = s.DB.InTx(ctx, func(tx *database.Tx) error {
		ids := make([]int64, len(reqs))
		for i, req := range reqs {
			t := &database.PhotoTask{AccountID: accountID, SpecID: req.SpecID, State: database.TaskPending,
				OutputFormat: req.OutputFormat, Background: req.Background, SourceKey: keys[i], PriceCents: int64(tier.Rate)}
			if err := tx.CreatePhotoTask(t); err != nil {
				return err
			}
			if err := database.HoldForTask(tx, accountID, t.ID, int64(tier.Rate)); err != nil {
				return err
			}
			if _, err := s.Queue.InsertTx(ctx, tx, Args{TaskID: t.ID}, nil); err != nil {
				return err
			}
			tasks[i], ids[i] = t, t.ID
		}
		if !batch {
			return nil
		}
		for _, t := range tasks {
			t.BatchID = ids[0]
		}
		return tx.SetPhotoBatch(ids[0], ids)
	})
	if err != nil {
		removeAll()
		if errors.Is(err, database.ErrInsufficientBalance) {
			if len(reqs) == 1 {
				return nil, accounts.ErrInsufficientBalance.New(
					"The balance less running tasks is below the price of a photo (%s %s); make a deposit", tier.Rate, billing.Currency)
			}
			return nil, accounts.ErrInsufficientBalance.New(
				"The balance less running tasks is below the price of %d photos (%s %s each); make a deposit", len(reqs), tier.Rate, billing.Currency)
		}
		return nil, err
	}
	return tasks, nil
}

// check validates one request: its spec, and its upload or sandbox value
// (which it replaces with what the sandbox processes).
func (s *Service) check(ctx context.Context, accountID int64, req *Request) error {
	if _, err := s.Specs.Lookup(ctx, accountID, req.SpecID); err != nil {
		return err
	}
	if req.Sandbox != "" {
		photo, failure, err := s.sandboxUpload(ctx, accountID, req.Sandbox)
		if err != nil {
			return err
		}
		req.Photo = photo
		if failure {
			return nil
		}
	}
	_, err := raster.CheckUpload(req.Photo)
	return err
}
