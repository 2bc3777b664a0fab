// Package handlers implements the API classes: one file per class, each
// decoding nothing itself (rpc does), checking ownership, calling models and
// shaping flat responses.
package handlers

import (
	"errors"
	"log/slog"
	"time"

	"github.com/veridoc/veridoc/jobs"
	"github.com/veridoc/veridoc/models"
	"github.com/veridoc/veridoc/rpc"
	"github.com/veridoc/veridoc/storage"
)

// Handlers holds what the API classes need.
type Handlers struct {
	DB     *models.DB
	Store  storage.Store
	Queue  jobs.Queue
	Logger *slog.Logger
	Now    func() time.Time
}

// Body limits.
const (
	smallBody = 16 << 10 // requests with ids and short strings
)

// Register adds every API method to reg. This list is the API.
func (h *Handlers) Register(reg *rpc.Registry) {
	h.registerAccount(reg)
	h.registerAPIKey(reg)
}

// missing maps a models miss to the class's NotFound error.
func missing(err error, class string, id int64) error {
	if errors.Is(err, models.ErrNotFound) {
		return rpc.ErrNotFound(class, id)
	}
	return err
}
