// Package app wires Veridoc together: configuration, database, object store,
// job queue, the method registry and the HTTP server, and runs them until stopped.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/veridoc/veridoc/internal/api"
	"github.com/veridoc/veridoc/internal/api/openapi"
	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/callbacks"
	"github.com/veridoc/veridoc/internal/domain/flows"
	"github.com/veridoc/veridoc/internal/domain/photos"
	"github.com/veridoc/veridoc/internal/domain/retention"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/domain/specs"
	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/platform/metrics"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/ratelimit"
	"github.com/veridoc/veridoc/internal/platform/rekey"
	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/vision/engines"
	"github.com/veridoc/veridoc/internal/web/capture"
	"github.com/veridoc/veridoc/internal/web/console"
)

// App is a running Veridoc process: API, workers, or both.
type App struct {
	Config *config.Config
	Logger *slog.Logger
	DB     *database.DB
	Store  *objectstore.Sealed
	// Keys is the master keyring that wraps the data keys of stored objects
	// and personal columns.
	Keys     *seal.Keyring
	Queue    jobs.Queue
	Registry *rpc.Registry
	Metrics  *metrics.Metrics
	Now      func() time.Time
	// Eraser erases personal data on request and when retention has passed.
	Eraser *retention.Eraser
	// Rekeyer moves data keys under the newest master key after a rotation.
	Rekeyer *rekey.Rekeyer

	connState func(net.Conn, http.ConnState)
	limits    ratelimit.Counter
	stopSync  context.CancelFunc // ends the rate-count sync (Synced)
	syncDone  chan struct{}
	redis     *ratelimit.Redis
	workers   int // jobs this process runs at once (0: API only)
	console   *console.Console
	echo      *echo.Echo
}

// Options tune a process beyond the config.
type Options struct {
	// Workers overrides Config.Workers (0 in an API-only process).
	Workers *int
	Logger  *slog.Logger
	// PollInterval for SQLite job polling (tests shorten it).
	PollInterval time.Duration
	// ConnState, when set, sees the HTTP server's connection state changes
	// (tests wait on them instead of sleeping).
	ConnState func(net.Conn, http.ConnState)
}

// New opens everything a process needs and applies migrations.
func New(ctx context.Context, cfg *config.Config, o Options) (*App, error) {
	a := &App{Config: cfg, Logger: o.Logger, Now: func() time.Time { return time.Now().UTC() }, connState: o.ConnState}
	if a.Logger == nil {
		a.Logger = NewLogger(cfg.LogLevel)
	}
	var err error
	if a.DB, err = database.Open(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	if err := a.Migrate(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.openKeys(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.openStore(ctx); err != nil {
		a.Close()
		return nil, err
	}
	workers := cfg.Workers
	if o.Workers != nil {
		workers = *o.Workers
	}
	// A worker without its models would take jobs and fail them for ever.
	if missing := engines.MissingModels(cfg.ModelsDir); workers > 0 && len(missing) > 0 {
		a.Close()
		return nil, fmt.Errorf("models: %s lacks %s: run `make models` (or set VERIDOC_MODELS_DIR to where they are), or set VERIDOC_WORKERS=0 for a process that only answers the API",
			cfg.ModelsDir, strings.Join(missing, ", "))
	}
	catalog, err := specs.Load()
	if err != nil {
		a.Close()
		return nil, err
	}
	a.workers = workers
	registry := river.NewWorkers()
	periodic := jobs.Maintenance(registry, a.DB, a.Now)
	a.Metrics = metrics.New(a.DB)
	// One segmentation net per two workers: it is a seventh of a photo's time.
	photoEngine := &photos.Engine{Dir: cfg.ModelsDir, SegmentNets: (cfg.Workers + 1) / 2}
	river.AddWorker(registry, &photos.Worker{DB: a.DB, Store: a.Store, Specs: catalog, Engine: photoEngine, Now: a.Now,
		Observe: a.Metrics.ObserveStage})
	guard, err := callbacks.NewGuard(cfg.CallbackAllow)
	if err != nil {
		a.Close()
		return nil, err
	}
	// The workers below need the queue to queue callbacks; it exists once
	// jobs.New returns, before any job runs.
	var queue jobs.Queue
	lazyQueue := &deferredQueue{q: &queue}
	shared := &engines.Set{ModelsDir: cfg.ModelsDir, Faces: photoEngine.Faces}
	flowCatalog, err := flows.Load()
	if err != nil {
		a.Close()
		return nil, err
	}
	river.AddWorker(registry, &sessions.Worker{DB: a.DB, Store: a.Store, Queue: lazyQueue, Now: a.Now, Engines: shared})
	river.AddWorker(registry, &verifications.DocumentWorker{DB: a.DB, Store: a.Store, Flows: flowCatalog, Engines: shared, Now: a.Now})
	river.AddWorker(registry, &verifications.ReviewWorker{DB: a.DB, Queue: lazyQueue, Flows: flowCatalog, Now: a.Now})
	river.AddWorker(registry, &sessions.ExpireWorker{DB: a.DB, Queue: lazyQueue, Now: a.Now})
	river.AddWorker(registry, &callbacks.Worker{DB: a.DB, Client: guard.Client(15 * time.Second), Scale: cfg.CallbackRetryScale,
		Now: a.Now, Logger: a.Logger.With("component", "callbacks"), Gone: a.callbackGone})
	periodic = append(periodic, sessions.Periodic()...)
	a.Eraser = &retention.Eraser{DB: a.DB, Store: a.Store, Now: a.Now, DefaultDays: cfg.RetentionDays,
		Sessions: &sessions.Service{DB: a.DB, Store: a.Store, Queue: lazyQueue, Logger: a.Logger, Now: a.Now, Lifetime: cfg.SessionLifetime}}
	river.AddWorker(registry, &retention.Worker{Eraser: a.Eraser})
	a.Rekeyer = &rekey.Rekeyer{DB: a.DB, Store: a.Store, Ring: a.Keys, Logger: a.Logger.With("component", "rekey")}
	river.AddWorker(registry, &rekey.Worker{Rekeyer: a.Rekeyer})
	periodic = append(periodic, retention.Periodic()...)
	a.Queue, err = jobs.New(a.DB, jobs.Options{
		Workers: workers, Registry: registry, PeriodicJobs: periodic,
		Logger: a.Logger.With("component", "jobs"), PollInterval: o.PollInterval,
	})
	if err != nil {
		a.Close()
		return nil, err
	}
	queue = a.Queue
	tiers, err := cfg.Tiers()
	if err != nil {
		a.Close()
		return nil, err
	}
	if err := a.openLimits(ctx); err != nil {
		a.Close()
		return nil, err
	}
	h := &api.Handlers{DB: a.DB, Store: a.Store, Queue: a.Queue, Logger: a.Logger, Now: a.Now, Specs: catalog,
		Limits: a.limits, Keys: &api.KeyCache{TTL: cfg.KeyCacheTTL},
		Sessions:      &sessions.Service{DB: a.DB, Store: a.Store, Queue: a.Queue, Logger: a.Logger, Now: a.Now, Lifetime: cfg.SessionLifetime},
		Verifications: &verifications.Service{DB: a.DB, Store: a.Store, Queue: a.Queue, Flows: flowCatalog, Logger: a.Logger, Now: a.Now},
		Tiers:         tiers, RateLimitPerHour: cfg.RateLimitPerHour, AuthFailuresPerHour: cfg.AuthFailuresPerHour,
		Flows: flowCatalog, PublicURL: cfg.PublicURL, Eraser: a.Eraser, RetentionDays: cfg.RetentionDays}
	a.Registry = rpc.NewRegistry()
	h.Register(a.Registry)
	a.console, err = console.New(&console.Console{DB: a.DB, Store: a.Store, Verifications: h.Verifications, Queue: a.Queue, Tiers: tiers, Limits: a.limits, LoginsPerHour: cfg.ConsoleLoginsPerHour,
		Now: a.Now, Logger: a.Logger.With("component", "console"), SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://")})
	if err != nil {
		a.Close()
		return nil, err
	}
	a.echo = a.newEcho(h)
	return a, nil
}

// openLimits chooses where request counts are shared: Redis when configured,
// else the database, synced in the background.
func (a *App) openLimits(ctx context.Context) error {
	if a.Config.RedisURL != "" {
		r, err := ratelimit.NewRedis(ctx, a.Config.RedisURL, a.Now)
		if err != nil {
			return fmt.Errorf("redis: %w", err)
		}
		a.redis, a.limits = r, r
		return nil
	}
	s := &ratelimit.Synced{Store: a.DB, Now: a.Now, Interval: a.Config.RateSyncInterval, Logger: a.Logger.With("component", "ratelimit")}
	syncCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.limits, a.stopSync, a.syncDone = s, cancel, make(chan struct{})
	go func() {
		defer close(a.syncDone)
		s.Run(syncCtx)
	}()
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

// Migrate applies the application and job-queue schemas.
func (a *App) Migrate(ctx context.Context) error {
	if err := a.DB.Migrate(ctx); err != nil {
		return err
	}
	return jobs.Migrate(ctx, a.DB)
}

func (a *App) openStore(ctx context.Context) error {
	st, err := config.ParseStorageURL(a.Config.StorageURL)
	if err != nil {
		return err
	}
	var backend objectstore.Backend
	switch st.Kind {
	case config.StorageS3:
		backend, err = objectstore.NewS3(ctx, objectstore.S3Options{
			Endpoint: st.Endpoint, Bucket: st.Bucket, Region: st.Region, Secure: st.Secure,
			AccessKey: a.Config.S3AccessKey, SecretKey: a.Config.S3SecretKey,
		})
	default:
		backend, err = objectstore.NewDisk(st.Path)
	}
	if err != nil {
		return err
	}
	key, err := a.signingKey()
	if err != nil {
		return err
	}
	signer, err := objectstore.NewSigner(key, a.Now)
	if err != nil {
		return err
	}
	a.Store = objectstore.NewSealed(backend, a.Keys, signer, a.Config.PublicURL)
	return nil
}

// openKeys loads the master keyring (generating one in the data dir on a
// first start without VERIDOC_MASTER_KEY) and the database's column keys.
func (a *App) openKeys(ctx context.Context) error {
	ring, generated, err := seal.OpenKeyring(seal.Source{
		Key: a.Config.MasterKey, File: a.Config.MasterKeyFile,
		DefaultFile: filepath.Join(a.Config.DataDir, "master-key.json"),
	})
	if err != nil {
		return err
	}
	if generated {
		a.Logger.Warn("generated a master key: back it up, nothing stored can be read without it", "path", ring.Path())
	}
	cols, err := a.DB.ColumnKeys(ctx, ring)
	if err != nil {
		return err
	}
	a.Keys = ring
	return a.DB.UseSealer(cols)
}

// signingKey is VERIDOC_SIGNING_KEY, or a random key kept in the data dir so
// every process sharing the dir (and every restart) signs alike.
func (a *App) signingKey() ([]byte, error) {
	if a.Config.SigningKey != "" {
		return []byte(a.Config.SigningKey), nil
	}
	path := filepath.Join(a.Config.DataDir, "signing.key")
	if b, err := os.ReadFile(path); err == nil {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err := os.MkdirAll(a.Config.DataDir, 0o750); err != nil {
		return nil, err
	}
	buf := make([]byte, 32)
	_, _ = rand.Read(buf)
	key := hex.EncodeToString(buf)
	// O_EXCL: if another process wrote one first, use theirs.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		b, err := os.ReadFile(path)
		return []byte(strings.TrimSpace(string(b))), err
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	_, err = f.WriteString(key + "\n")
	return []byte(key), err
}

// RotateKeys adds a new primary master key, rewraps the database's data
// keysets under it at once and queues the rewrap of every stored object for
// the workers. Old keys keep decrypting meanwhile.
func (a *App) RotateKeys(ctx context.Context) (string, error) {
	id, err := a.Keys.Rotate()
	if err != nil {
		return "", err
	}
	if _, err := a.DB.RewrapKeys(ctx, a.Keys); err != nil {
		return "", err
	}
	if _, err := a.Queue.Insert(ctx, rekey.Args{}, nil); err != nil {
		return "", err
	}
	return fmt.Sprintf("%08x", id), nil
}

// Handler is the HTTP handler of the API process.
func (a *App) Handler() http.Handler { return a.echo }

// Serve runs the HTTP server and the workers until ctx is done, then drains
// in-flight requests and jobs within the shutdown timeout.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.StartJobs(ctx); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second, // 001_*: a request may take up to 60 s
		WriteTimeout:      75 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
		ConnState:         a.connState,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	return errors.Join(serveErr, a.shutdown(srv))
}

// StartJobs starts the workers and feeds their outcomes to the metrics. The
// queue outlives ctx: shutdown stops it (Queue.Stop), letting running jobs
// finish first. River cancels running jobs when its start context ends.
func (a *App) StartJobs(ctx context.Context) error {
	qctx := context.WithoutCancel(ctx)
	if a.workers == 0 {
		return a.Queue.Start(qctx) // an insert-only queue has no job events
	}
	events, stop := a.Queue.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled, river.EventKindJobSnoozed)
	if err := a.Queue.Start(qctx); err != nil {
		stop()
		return fmt.Errorf("start jobs: %w", err)
	}
	go a.Metrics.WatchJobs(ctx, events, stop)
	return nil
}

// RunWorker runs only the job workers until ctx is done.
func (a *App) RunWorker(ctx context.Context) error {
	if err := a.StartJobs(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return a.shutdown(nil)
}

func (a *App) shutdown(srv *http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	var errs []error
	if srv != nil {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
	}
	if err := a.Queue.Stop(ctx); err != nil {
		errs = append(errs, fmt.Errorf("jobs shutdown: %w", err))
	}
	return errors.Join(errs...)
}

// Close releases the database.
func (a *App) Close() {
	if a.stopSync != nil {
		a.stopSync() // the last counts are flushed before the database closes
		<-a.syncDone
	}
	if a.redis != nil {
		_ = a.redis.Close()
	}
	if a.DB != nil {
		_ = a.DB.Close()
	}
}

// NewLogger is the process logger: JSON lines on stderr.
func NewLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// newEcho builds the router: the RPC endpoint, health checks and signed files.
func (a *App) newEcho(h *api.Handlers) *echo.Echo {
	ipExtractor := echo.ExtractIPDirect()
	if len(a.Config.TrustedProxies) > 0 {
		var opts []echo.TrustOption
		for _, c := range a.Config.TrustedProxies {
			_, n, _ := net.ParseCIDR(c)
			opts = append(opts, echo.TrustIPRange(n))
		}
		ipExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	e := echo.NewWithConfig(echo.Config{
		Logger:           a.Logger,
		IPExtractor:      ipExtractor,
		HTTPErrorHandler: errorHandler,
	})
	e.Use(middleware.Recover())
	e.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			c.Response().Header().Set(rpc.HeaderRequestID, rpc.RequestID(c.Request()))
			return next(c)
		}
	})

	server := &rpc.Server{Registry: a.Registry, Authenticate: h.Authenticate, Limit: h.Limit,
		Idempotency: idempotency{&database.IdempotencyStore{DB: a.DB, Now: a.Now}}, Logger: a.Logger, MapError: api.MapError, Audit: h.Audit}
	serve := func(c *echo.Context) error {
		name := c.Param("method")
		if strings.Contains(name, "/") { // the router's param may span segments
			return echo.ErrNotFound
		}
		r := c.Request()
		rec := &statusRecorder{ResponseWriter: c.Response(), status: http.StatusOK}
		t0 := time.Now()
		server.ServeMethod(rec, r.WithContext(rpc.WithClientIP(r.Context(), c.RealIP())), name)
		label := "unknown"
		if _, ok := a.Registry.Lookup(name); ok {
			label = name
		}
		a.Metrics.ObserveRequest(label, rec.status, time.Since(t0))
		return nil
	}
	e.Any("/api/v1/:method", serve)
	e.Any("/api/:method", serve)

	spec, err := openapi.Build(a.Registry, api.Webhooks()...)
	if err != nil {
		panic(err) // the registry is fixed at build time; a type it cannot describe is a bug
	}
	e.GET("/api/v1/openapi.json", func(c *echo.Context) error {
		return c.JSONBlob(http.StatusOK, spec)
	})
	docs, err := openapi.Docs(spec)
	if err != nil {
		panic(err)
	}
	e.GET("/docs", func(c *echo.Context) error {
		return c.HTMLBlob(http.StatusOK, docs)
	})
	e.GET("/metrics", echo.WrapHandler(a.Metrics.Handler()))
	e.GET("/verify/*", echo.WrapHandler(capture.Handler()))
	e.GET("/healthz", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/readyz", func(c *echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
		defer cancel()
		checks := map[string]string{"database": "ok", "storage": "ok"}
		status := http.StatusOK
		if err := a.DB.Ping(ctx); err != nil {
			checks["database"], status = "unavailable", http.StatusServiceUnavailable
		}
		if err := a.Store.Ping(ctx); err != nil {
			checks["storage"], status = "unavailable", http.StatusServiceUnavailable
		}
		return c.JSON(status, checks)
	})
	// The console: its own routes (net/http patterns), with the client
	// address resolved as for the API (proxies considered).
	consoleHandler := func(c *echo.Context) error {
		r := c.Request()
		a.console.ServeHTTP(c.Response(), r.WithContext(rpc.WithClientIP(r.Context(), c.RealIP())))
		return nil
	}
	e.Any("/console", consoleHandler)
	e.Any("/console/*", consoleHandler)
	e.GET(objectstore.FilesPrefix+"*", echo.WrapHandler(a.Store))
	e.HEAD(objectstore.FilesPrefix+"*", echo.WrapHandler(a.Store))
	return e
}

// statusRecorder remembers the status a handler wrote, for the metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// errorHandler answers router-level errors (no route, panics) with the API's envelope.
func errorHandler(c *echo.Context, err error) {
	if resp, uErr := echo.UnwrapResponse(c.Response()); uErr == nil && resp.Committed {
		return
	}
	var apiErr *rpc.Error
	switch code := echo.StatusCode(err); {
	case errors.As(err, &apiErr):
	case code == http.StatusNotFound:
		apiErr = rpc.NotFound.New("No such path; API methods are POST /api/v1/<class>.<method>")
	case code == http.StatusMethodNotAllowed:
		apiErr = rpc.ErrMethodNotAllowed(c.Request().Method)
	case code >= 400 && code < 500:
		apiErr = rpc.InvalidRequest.New("%s", http.StatusText(code))
		apiErr.Status = code // the router's own 4xx (e.g. 413) keeps its status
	default:
		c.Logger().Error("request failed", "err", err)
		apiErr = rpc.ErrInternal()
	}
	rpc.WriteError(c.Response(), apiErr)
}

// idempotency adapts the database's Idempotency-Key store to the API layer.
type idempotency struct{ s *database.IdempotencyStore }

func (i idempotency) Begin(ctx context.Context, accountID int64, key, method string, requestHash []byte) (*rpc.StoredResponse, error) {
	stored, err := i.s.Begin(ctx, accountID, key, method, requestHash)
	if stored == nil || err != nil {
		return nil, err
	}
	return &rpc.StoredResponse{Status: stored.Status, Body: stored.Body}, nil
}

func (i idempotency) Complete(ctx context.Context, accountID int64, key string, res rpc.StoredResponse) error {
	return i.s.Complete(ctx, accountID, key, database.StoredResponse{Status: res.Status, Body: res.Body})
}

func (i idempotency) Release(ctx context.Context, accountID int64, key string) error {
	return i.s.Release(ctx, accountID, key)
}
