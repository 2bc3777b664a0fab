package app

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/veridoc/veridoc/internal/api"
	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/domain/billing"
	"github.com/veridoc/veridoc/internal/domain/callbacks"
	"github.com/veridoc/veridoc/internal/domain/faceindex"
	"github.com/veridoc/veridoc/internal/domain/flows"
	"github.com/veridoc/veridoc/internal/domain/photos"
	"github.com/veridoc/veridoc/internal/domain/retention"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/domain/specs"
	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/platform/metrics"
	"github.com/veridoc/veridoc/internal/platform/rekey"
	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/vision/engines"
	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/facesearch"
	"github.com/veridoc/veridoc/internal/web/console"
)

// passwordWait is how long a sign-in waits for a free password hash before
// it is refused (503 with Retry-After).
const passwordWait = 10 * time.Second

// wired is what wire made that the router needs.
type wired struct {
	handlers *api.Handlers
}

// services are the domain services, one of each per process.
type services struct {
	specs         *specs.Library
	flows         *flows.Catalog
	accounts      *accounts.Service
	photos        *photos.Service
	sessions      *sessions.Service
	verifications *verifications.Service
	engines       *engines.Set
}

// wire builds the domain services, registers the workers, opens the queue and
// builds the API and the console on top.
func (a *App) wire(o Options) (*wired, error) {
	tiers, err := billing.ParseTiers(a.Config.BillingTiers)
	if err != nil {
		return nil, fmt.Errorf("VERIDOC_BILLING_TIERS: %w", err)
	}
	// Workers are registered before the queue exists, and insert jobs
	// through it once it does (deferredQueue).
	var queue jobs.Queue
	lazy := &deferredQueue{q: &queue}
	sv, err := a.services(tiers, lazy)
	if err != nil {
		return nil, err
	}
	registry := river.NewWorkers()
	periodic, err := a.workersOf(registry, sv, lazy)
	if err != nil {
		return nil, err
	}
	a.Queue, err = jobs.New(a.DB, jobs.Options{
		Workers: a.workers, Registry: registry, PeriodicJobs: periodic,
		Logger: a.Logger.With("component", "jobs"), PollInterval: o.PollInterval,
	})
	if err != nil {
		return nil, err
	}
	queue = a.Queue
	h := a.handlers(sv)
	a.Registry = rpc.NewRegistry()
	h.Register(a.Registry)
	a.console, err = console.New(&console.Console{DB: a.DB, Store: a.Store, Accounts: sv.accounts, Verifications: sv.verifications,
		Sessions: sv.sessions, Queue: a.Queue, Limits: a.limits, LoginsPerHour: a.Config.ConsoleLoginsPerHour, Now: a.Now,
		Logger: a.Logger.With("component", "console"), SecureCookies: strings.HasPrefix(a.Config.PublicURL, "https://"),
		FormKey: a.formKey})
	if err != nil {
		return nil, err
	}
	return &wired{handlers: h}, nil
}

// services builds one of each domain service.
func (a *App) services(tiers billing.Tiers, q jobs.Queue) (*services, error) {
	catalog, err := specs.Load()
	if err != nil {
		return nil, err
	}
	flowCatalog, err := flows.Load()
	if err != nil {
		return nil, err
	}
	sv := &services{specs: &specs.Library{Catalog: catalog, DB: a.DB}, flows: flowCatalog}
	a.Accounts = &accounts.Service{DB: a.DB, Keys: &accounts.KeyCache{TTL: a.Config.KeyCacheTTL}, Tiers: tiers,
		Hashes: accounts.NewHasher(runtime.NumCPU(), passwordWait), Logger: a.Logger.With("component", "accounts"), Now: a.Now}
	sv.accounts = a.Accounts
	sv.photos = &photos.Service{DB: a.DB, Store: a.Store, Queue: q, Specs: sv.specs, Accounts: a.Accounts}
	// The capture page's frame check runs in API processes too: half the
	// cores at most, so it never takes the whole process.
	a.counter = faces.NewCounter(max(1, runtime.NumCPU()/2))
	sv.sessions = &sessions.Service{DB: a.DB, Store: a.Store, Queue: q, Logger: a.Logger, Now: a.Now, Lifetime: a.Config.SessionLifetime,
		Counter: a.counter}
	sv.verifications = &verifications.Service{DB: a.DB, Store: a.Store, Queue: q, Flows: flowCatalog, Logger: a.Logger, Now: a.Now}
	// One segmentation net per two workers: it is a seventh of a photo's time.
	sv.engines = &engines.Set{ModelsDir: a.Config.ModelsDir, SegmentNets: (a.Config.Workers + 1) / 2}
	basis, err := facesearch.LoadBasis()
	if err != nil {
		return nil, err
	}
	a.Faces = faceindex.New(a.DB, basis)
	a.Eraser = &retention.Eraser{DB: a.DB, Store: a.Store, Now: a.Now, DefaultDays: a.Config.RetentionDays}
	a.Rekeyer = &rekey.Rekeyer{DB: a.DB, Store: a.Store, Ring: a.Keys, Logger: a.Logger.With("component", "rekey")}
	a.Metrics = metrics.New(a.DB)
	return sv, nil
}

// workersOf registers every job's worker and returns the periodic jobs.
func (a *App) workersOf(reg *river.Workers, sv *services, q jobs.Queue) ([]*river.PeriodicJob, error) {
	guard, err := callbacks.NewGuard(a.Config.CallbackAllow)
	if err != nil {
		return nil, err
	}
	river.AddWorker(reg, &photos.Worker{DB: a.DB, Store: a.Store, Specs: sv.specs, Engines: sv.engines, Now: a.Now,
		Observe: a.Metrics.ObserveStage})
	index := func(ctx context.Context, accountID int64) (*seal.Index, error) {
		return a.DB.IndexKeys(ctx, a.Keys, accountID)
	}
	river.AddWorker(reg, &sessions.Worker{DB: a.DB, Store: a.Store, Queue: q, Now: a.Now, Engines: sv.engines, Index: index, Faces: a.Faces})
	river.AddWorker(reg, &sessions.ExpireWorker{DB: a.DB, Queue: q, Now: a.Now})
	river.AddWorker(reg, &verifications.DocumentWorker{DB: a.DB, Store: a.Store, Flows: sv.flows, Engines: sv.engines, Now: a.Now})
	river.AddWorker(reg, &verifications.ReviewWorker{DB: a.DB, Queue: q, Flows: sv.flows, Now: a.Now, Faces: a.Faces, Index: index})
	river.AddWorker(reg, &callbacks.Worker{DB: a.DB, Client: guard.Client(15 * time.Second), Scale: a.Config.CallbackRetryScale,
		Now: a.Now, Logger: a.Logger.With("component", "callbacks"), Gone: a.callbackGone})
	river.AddWorker(reg, &retention.Worker{Eraser: a.Eraser})
	river.AddWorker(reg, &rekey.Worker{Rekeyer: a.Rekeyer})
	periodic := jobs.Maintenance(reg, a.DB, a.Now)
	periodic = append(periodic, sessions.Periodic()...)
	return append(periodic, retention.Periodic()...), nil
}

// handlers builds the API classes over the services.
func (a *App) handlers(sv *services) *api.Handlers {
	return &api.Handlers{DB: a.DB, Store: a.Store, Queue: a.Queue, Logger: a.Logger, Now: a.Now, Specs: sv.specs, Flows: sv.flows,
		Accounts: sv.accounts, Photos: sv.photos, Sessions: sv.sessions, Verifications: sv.verifications, Eraser: a.Eraser,
		Limits: a.limits, RateLimitPerHour: a.Config.RateLimitPerHour, RateLimitScope: a.Config.RateLimitScope, AuthFailuresPerHour: a.Config.AuthFailuresPerHour,
		PublicURL: a.Config.PublicURL, RetentionDays: a.Config.RetentionDays}
}

// checkModels refuses to start workers without their models: they would
// take jobs and fail them for ever.
func (a *App) checkModels() error {
	if missing := engines.MissingModels(a.Config.ModelsDir); a.workers > 0 && len(missing) > 0 {
		return fmt.Errorf("models: %s lacks %s: run `make models` (or set VERIDOC_MODELS_DIR to where they are), or set VERIDOC_WORKERS=0 for a process that only answers the API",
			a.Config.ModelsDir, strings.Join(missing, ", "))
	}
	return nil
}

// callbackGone stops deliveries to a receiver that answered 410 Gone.
func (a *App) callbackGone(ctx context.Context, c *database.Callback) error {
	if c.Subject == database.SubjectSession {
		return a.DB.DisableSessionCallback(ctx, c.SubjectID)
	}
	if c.EndpointID != 0 {
		return a.DB.DisableEndpoint(ctx, c.EndpointID)
	}
	return nil
}

// deferredQueue lets workers registered before the queue exists insert jobs.
type deferredQueue struct{ q *jobs.Queue }

func (d *deferredQueue) InsertTx(ctx context.Context, tx *database.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return (*d.q).InsertTx(ctx, tx, args, opts)
}
func (d *deferredQueue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return (*d.q).Insert(ctx, args, opts)
}
func (d *deferredQueue) Start(ctx context.Context) error { return (*d.q).Start(ctx) }
func (d *deferredQueue) Stop(ctx context.Context) error  { return (*d.q).Stop(ctx) }
func (d *deferredQueue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return (*d.q).Subscribe(kinds...)
}
