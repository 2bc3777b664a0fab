package testenv

import (
	"bytes"
	"context"
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

func sharedMasterKey(t testing.TB) string {
	ks, err := masterKey()
	if err != nil {
		t.Fatal(err)
	}
	return string(ks)
}

// OwnMasterKey gives a server the embedded default instead of the tests'
// shared key: a key file in its data dir, made on start (rotation edits it).
func OwnMasterKey() Option { return func(c *config.Config) { c.MasterKey = "" } }

// NewServer starts an app on dbURL with in-process workers; it stops with the test.
func NewServer(t testing.TB, dbURL string, opts ...Option) *Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	cfg := ptr(config.Defaults())
	cfg.Addr, cfg.DataDir, cfg.DatabaseURL, cfg.PublicURL = "127.0.0.1:0", t.TempDir(), dbURL, base
	cfg.ShutdownTimeout, cfg.LogLevel = 10*time.Second, "warn"
	cfg.S3AccessKey, cfg.S3SecretKey = os.Getenv("S3_ACCESS_KEY"), os.Getenv("S3_SECRET_KEY")
	// Servers of one test share its databases as a deployment's processes
	// do, so they share a master key too (OwnMasterKey opts out).
	cfg.MasterKey = sharedMasterKey(t)
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
		t.Fatalf("test config: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testLog{t: t}
	a, err := app.New(ctx, cfg, app.Options{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})), PollInterval: 50 * time.Millisecond})
	if err != nil {
		cancel()
		t.Fatalf("start app: %v", err)
	}
	if err := a.StartJobs(ctx); err != nil {
		t.Fatalf("start jobs: %v", err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = a.Queue.Stop(stopCtx)
		cancel()
		a.Close()
		logs.close()
	})
	return &Server{App: a, URL: base}
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
