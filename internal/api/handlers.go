// Package handlers implements the API classes: one file per class. A handler
// decodes nothing itself (rpc does): it checks the input's form, calls the
// domain package (sessions, verifications, billing) or a models query scoped
// by the caller's account, and shapes the flat response. Business rules live
// in the domain packages; MapError turns their refusals into API errors.
package api

import (
	"log/slog"
	"strconv"
	"time"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/domain/flows"
	"github.com/veridoc/veridoc/internal/domain/photos"
	"github.com/veridoc/veridoc/internal/domain/retention"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/domain/specs"
	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/ratelimit"
)

// Handlers holds what the API classes need.
type Handlers struct {
	DB            *database.DB // reads; every change goes through a domain service
	Store         objectstore.Store
	Accounts      *accounts.Service
	Photos        *photos.Service
	Sessions      *sessions.Service
	Verifications *verifications.Service
	Eraser        *retention.Eraser
	Limits        ratelimit.Counter // request counts shared by the API processes
	Queue         jobs.Queue
	Logger        *slog.Logger
	Now           func() time.Time

	Specs               *specs.Library
	Flows               *flows.Catalog
	RateLimitPerHour    int
	RateLimitScope      string // "account" or "key": what one budget covers
	AuthFailuresPerHour int
	PublicURL           string // how end users reach this server (capture page links)
	RetentionDays       int    // the server default (VERIDOC_RETENTION_DAYS)
}

// Body limits.
const (
	smallBody = 16 << 10 // requests with ids and short strings
)

// Register adds every API method to reg. This list is the API.
func (h *Handlers) Register(reg *rpc.Registry) {
	h.registerAccount(reg)
	h.registerAPIKey(reg)
	h.registerBilling(reg)
	h.registerTransaction(reg)
	h.registerSpecification(reg)
	h.registerPhoto(reg)
	h.registerSession(reg)
	h.registerDocumentBlock(reg)
	h.registerFaceBlock(reg)
	h.registerCallback(reg)
	h.registerFlow(reg)
	h.registerVerification(reg)
	h.registerDocument(reg)
	h.registerExtractedData(reg)
	h.registerDecision(reg)
	h.registerWebhookEndpoint(reg)
	h.registerAudit(reg)
	h.registerUser(reg)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
