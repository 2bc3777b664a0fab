// Package testenv gives tests real databases, object stores and running
// servers: a fresh SQLite file and a fresh PostgreSQL database per test, and a
// bucket on the S3 server that scripts/with-services.sh started.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/vision/engines"
)

// Environment variables set by scripts/with-services.sh.
const (
	envPostgres = "VERIDOC_TEST_POSTGRES_URL"
	envS3       = "VERIDOC_TEST_S3_ENDPOINT"
	envRequire  = "VERIDOC_TEST_REQUIRE_SERVICES"
	envRedis    = "VERIDOC_TEST_REDIS_URL"
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

// RedisURL is the test Redis (a database number of its own; tests use keys
// with a random prefix).
func RedisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envRedis)
	if u == "" {
		missing(t, "Redis ("+envRedis+")")
	}
	return u
}

// RandomHex is n random bytes in hex, for names that must not collide.
func RandomHex(n int) string { return randomHex(n) }

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
func S3Options(t testing.TB) objectstore.S3Options {
	t.Helper()
	endpoint := os.Getenv(envS3)
	if endpoint == "" {
		missing(t, "the S3 server ("+envS3+")")
	}
	return objectstore.S3Options{
		Endpoint: endpoint, Bucket: "veridoc-t-" + randomHex(6), Region: "us-east-1",
		AccessKey: os.Getenv("S3_ACCESS_KEY"), SecretKey: os.Getenv("S3_SECRET_KEY"),
	}
}

// S3URL is the STORAGE_URL form of S3Options.
func S3URL(o objectstore.S3Options) string {
	return fmt.Sprintf("s3://%s?endpoint=%s&secure=false&region=%s", o.Bucket, o.Endpoint, o.Region)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ModelsDir is the repository's models-data folder (make models fills it).
func ModelsDir(t testing.TB) string {
	t.Helper()
	models, ok := repoModels()
	if !ok {
		missing(t, "the face and OCR models (make models)")
	}
	return models
}

// repoModels finds the repository's models-data folder and tells whether it
// holds every model a worker loads.
func repoModels() (string, bool) {
	if repo.Root() == "" {
		return "", false
	}
	models := repo.Models()
	return models, len(engines.MissingModels(models)) == 0
}

// WaitFor polls ok until it holds, failing the test after d. Tests wait on
// what they can observe, never on a fixed sleep.
func WaitFor(t testing.TB, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	// From 50 ms up to 500 ms between tries: a long wait on the API stays
	// well inside an API key's hourly rate limit.
	pause := 50 * time.Millisecond
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(pause)
		pause = min(pause*3/2, 500*time.Millisecond)
	}
}

// OpenDB opens and migrates the database at url for a store-level test; it
// closes with the test.
func OpenDB(t testing.TB, url string) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	UseSealer(t, db)
	return db
}

// Keyring is a fresh master keyring in a temporary folder.
func Keyring(t testing.TB) *seal.Keyring {
	t.Helper()
	ring, _, err := seal.OpenKeyring(seal.Source{DefaultFile: filepath.Join(t.TempDir(), "master-key.json")})
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

// UseSealer gives a migrated database its column keys under a fresh keyring,
// as the app does at start.
func UseSealer(t testing.TB, db *database.DB) {
	t.Helper()
	cols, err := db.ColumnKeys(context.Background(), Keyring(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UseSealer(cols); err != nil {
		t.Fatal(err)
	}
}

// SealedDisk is a sealed disk store in dir, as the app opens it.
func SealedDisk(t testing.TB, dir string) *objectstore.Sealed {
	t.Helper()
	d, err := objectstore.NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := objectstore.NewSigner([]byte(strings.Repeat("k", 32)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	return objectstore.NewSealed(d, Keyring(t), signer, "http://localhost")
}

// Queue is an insert-only job queue on a migrated database (no workers: the
// test looks at what was queued).
func Queue(t testing.TB, db *database.DB) jobs.Queue {
	t.Helper()
	ctx := context.Background()
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(db, jobs.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// Queued counts the live jobs of a kind.
func Queued(t testing.TB, db *database.DB, kind string) int64 {
	t.Helper()
	rows, err := db.QueueDepth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, r := range rows {
		if r.Kind == kind {
			n += r.Jobs
		}
	}
	return n
}
