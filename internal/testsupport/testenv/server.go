package testenv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/app"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/seal"
)

// Server is an app serving over real HTTP on loopback.
type Server struct {
	*app.App
	URL string
}

// Option adjusts the config of a test server.
type Option func(*config.Config)

// WithStorageURL uses another store than the disk default.
func WithStorageURL(u string) Option { return func(c *config.Config) { c.StorageURL = u } }

var masterKey = sync.OnceValues(seal.NewKeyset)

// OwnMasterKey gives a server the embedded default instead of the tests'
// shared key: a key file in its data dir, made on start (rotation edits it).
func OwnMasterKey() Option { return func(c *config.Config) { c.MasterKey = "" } }

// NewServer starts an app on dbURL with in-process workers; it stops with the test.
func NewServer(t testing.TB, dbURL string, opts ...Option) *Server {
	t.Helper()
	ks, err := masterKey()
	if err != nil {
		t.Fatal(err)
	}
	// Servers of one test share its databases as a deployment's processes
	// do, so they share a master key too (OwnMasterKey opts out).
	shared := func(c *config.Config) { c.MasterKey = string(ks) }
	logs := &testLog{t: t}
	s, stop, err := StartServer(dbURL, t.TempDir(), logs, append([]Option{shared}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop()
		logs.close()
	})
	return s
}

// StartServer starts an app on dbURL with its data in dataDir and its warnings
// logged to logs, for callers without a test (an example's TestMain); stop
// shuts it down.
func StartServer(dbURL, dataDir string, logs io.Writer, opts ...Option) (*Server, func(), error) {
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	cfg := ptr(config.Defaults())
	cfg.Addr, cfg.DataDir, cfg.DatabaseURL, cfg.PublicURL = "127.0.0.1:0", dataDir, dbURL, base
	cfg.ShutdownTimeout, cfg.LogLevel = 10*time.Second, "warn"
	cfg.S3AccessKey, cfg.S3SecretKey = os.Getenv("S3_ACCESS_KEY"), os.Getenv("S3_SECRET_KEY")
	// Workers need their models (the server refuses to start without them);
	// where they are missing, the server only answers the API, and tests that
	// need jobs skip through ModelsDir.
	if dir, ok := repoModels(); ok {
		cfg.ModelsDir = dir
	} else {
		cfg.Workers = 0
	}
	for _, o := range opts {
		o(cfg)
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, fmt.Errorf("test config: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, app.Options{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})), PollInterval: 50 * time.Millisecond})
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("start app: %w", err)
	}
	if err := a.StartJobs(ctx); err != nil {
		cancel()
		a.Close()
		return nil, nil, fmt.Errorf("start jobs: %w", err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	stop := func() {
		srv.Close()
		stopCtx, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = a.Queue.Stop(stopCtx)
		cancel()
		a.Close()
	}
	return &Server{App: a, URL: base}, stop, nil
}

// testLog sends server logs to the test's log (shown when it fails), until the test ends.
type testLog struct {
	mu     sync.Mutex
	t      testing.TB
	closed bool
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.t.Log(string(bytes.TrimRight(p, "\n")))
	}
	return len(p), nil
}

func (l *testLog) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
}

func ptr[T any](v T) *T { return &v }

// WithConfig changes any setting.
func WithConfig(fn func(*config.Config)) Option { return fn }
