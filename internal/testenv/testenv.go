// Package testenv gives tests real databases, object stores and running
// servers: a fresh SQLite file and a fresh PostgreSQL database per test, and a
// bucket on the S3 server that scripts/with-services.sh started.
package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/veridoc/veridoc/app"
	"github.com/veridoc/veridoc/config"
	"github.com/veridoc/veridoc/storage"
)

// Environment variables set by scripts/with-services.sh.
const (
	envPostgres = "VERIDOC_TEST_POSTGRES_URL"
	envS3       = "VERIDOC_TEST_S3_ENDPOINT"
	envRequire  = "VERIDOC_TEST_REQUIRE_SERVICES"
)

// missing skips the test, or fails it under `make test`, where every service must be there.
func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv(envRequire) != "" {
		t.Fatalf("%s is not configured; run the tests with scripts/with-services.sh (make test)", what)
	}
	t.Skipf("%s not configured (run make test to start it)", what)
}

// Database is one database kind under test.
type Database struct {
	Name string // "sqlite" or "postgres"
	URL  func(t testing.TB) string
}

// Databases lists both kinds; each URL call makes a fresh, empty database.
func Databases() []Database {
	return []Database{{Name: "sqlite", URL: SQLiteURL}, {Name: "postgres", URL: PostgresURL}}
}

// SQLiteURL is a new database file in the test's temp dir.
func SQLiteURL(t testing.TB) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "test.db")
}

// PostgresURL creates a database for this test and drops it afterwards.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(envPostgres)
	if admin == "" {
		missing(t, "PostgreSQL ("+envPostgres+")")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to test PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	name := "veridoc_t_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, admin); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			_ = c.Close(ctx)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// S3Options points at a new bucket on the test S3 server.
func S3Options(t testing.TB) storage.S3Options {
	t.Helper()
	endpoint := os.Getenv(envS3)
	if endpoint == "" {
		missing(t, "the S3 server ("+envS3+")")
	}
	return storage.S3Options{
		Endpoint: endpoint, Bucket: "veridoc-t-" + randomHex(6), Region: "us-east-1",
		AccessKey: os.Getenv("S3_ACCESS_KEY"), SecretKey: os.Getenv("S3_SECRET_KEY"),
	}
}

// S3URL is the STORAGE_URL form of S3Options.
func S3URL(o storage.S3Options) string {
	return fmt.Sprintf("s3://%s?endpoint=%s&secure=false&region=%s", o.Bucket, o.Endpoint, o.Region)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Server is an app serving over real HTTP on loopback.
type Server struct {
	*app.App
	URL string
}

// Option adjusts the config of a test server.
type Option func(*config.Config)

// WithStorageURL uses another store than the disk default.
func WithStorageURL(u string) Option { return func(c *config.Config) { c.StorageURL = u } }

// NewServer starts an app on dbURL with in-process workers; it stops with the test.
func NewServer(t testing.TB, dbURL string, opts ...Option) *Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	cfg := ptr(config.Defaults())
	cfg.Addr, cfg.DataDir, cfg.DatabaseURL, cfg.PublicURL = "127.0.0.1:0", t.TempDir(), dbURL, base
	cfg.ShutdownTimeout, cfg.LogLevel = 10*time.Second, "warn"
	cfg.S3AccessKey, cfg.S3SecretKey = os.Getenv("S3_ACCESS_KEY"), os.Getenv("S3_SECRET_KEY")
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

// ModelsDir is the repository's models-data folder (make models fills it).
func ModelsDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
	models := filepath.Join(dir, "models-data")
	if _, err := os.Stat(filepath.Join(models, "dlib_face_recognition_resnet_model_v1.dat")); err != nil {
		missing(t, "the face models (make models)")
	}
	return models
}

// Debian test photos (STACK.md).
const (
	PhotoAstronaut   = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"
	PhotoGraceHopper = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg"
	PhotoGrace512    = "/usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg"
	PhotoNoFace      = "/usr/share/doc/facedetect/examples/640px-IceBlockNearJoekullsarlon.jpg"
)

// ReadPhoto reads a test photo from a Debian package.
func ReadPhoto(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		missing(t, "test photo "+path+" (Debian packages python3-skimage, facedetect, python-matplotlib-data)")
	}
	return b
}

// PNGHeader is a PNG whose header claims w×h pixels and holds no pixel data:
// enough to test a decompression-bomb check, which must not decode.
func PNGHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	_ = binary.Write(&b, binary.BigEndian, uint32(13))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}
