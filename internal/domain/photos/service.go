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
	Specs    *specs.Catalog
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
	if _, ok := s.Specs.Get(req.SpecID); !ok {
		return nil, specs.ErrNotFound.New("No specification found with id: %d", req.SpecID)
	}
	if req.Sandbox != "" {
		var failure bool
		var err error
		if req.Photo, failure, err = s.sandboxUpload(ctx, accountID, req.Sandbox); err != nil {
			return nil, err
		}
		if failure {
			return s.queue(ctx, accountID, req)
		}
	}
	if _, err := raster.CheckUpload(req.Photo); err != nil {
		return nil, err
	}
	return s.queue(ctx, accountID, req)
}

// queue stores the upload, holds the price and queues the task.
func (s *Service) queue(ctx context.Context, accountID int64, req Request) (*database.PhotoTask, error) {
	tier, err := s.Accounts.Price(ctx, accountID)
	if err != nil {
		return nil, err
	}
	// The upload is stored first so the job always finds it; a failed
	// transaction below removes it again.
	token := make([]byte, 16)
	_, _ = rand.Read(token)
	key := SourceKey(accountID, hex.EncodeToString(token))
	if err := s.Store.Put(ctx, key, bytes.NewReader(req.Photo), int64(len(req.Photo)), "application/octet-stream"); err != nil {
		return nil, err
	}
	task := &database.PhotoTask{AccountID: accountID, SpecID: req.SpecID, State: database.TaskPending,
		OutputFormat: req.OutputFormat, Background: req.Background, SourceKey: key, PriceCents: int64(tier.Rate)}
	err = s.DB.InTx(ctx, func(tx *database.Tx) error {
		if err := tx.CreatePhotoTask(task); err != nil {
			return err
		}
		if err := database.HoldForTask(tx, accountID, task.ID, int64(tier.Rate)); err != nil {
			return err
		}
		_, err := s.Queue.InsertTx(ctx, tx, Args{TaskID: task.ID}, nil)
		return err
	})
	if err != nil {
		_ = s.Store.Delete(context.WithoutCancel(ctx), key)
		if errors.Is(err, database.ErrInsufficientBalance) {
			return nil, accounts.ErrInsufficientBalance.New(
				"The balance less running tasks is below the price of a photo (%s %s); make a deposit", tier.Rate, billing.Currency)
		}
		return nil, err
	}
	return task, nil
}
