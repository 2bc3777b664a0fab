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
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/davidbyttow/govips/v2/vips"
	"github.com/jackc/pgx/v5"

	"github.com/veridoc/veridoc/internal/app"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/vision/engines"
	"github.com/veridoc/veridoc/internal/vision/raster"
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

// Photo is a test photo shipped by a Debian package (STACK.md).
type Photo struct {
	Package string // the Debian package
	Path    string // where the package installs it today
}

func (p Photo) String() string { return p.Path }

// Debian test photos.
var (
	PhotoAstronaut   = Photo{"python3-skimage", "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"}
	PhotoGraceHopper = Photo{"python-matplotlib-data", "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg"}
	PhotoGrace512    = Photo{"facedetect", "/usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg"}
	PhotoNoFace      = Photo{"facedetect", "/usr/share/doc/facedetect/examples/640px-IceBlockNearJoekullsarlon.jpg"}
)

// Find locates the photo: at its usual path, or wherever the installed
// package put a file of that name (paths move between releases, e.g. the
// Python version in a path).
func (p Photo) Find() (string, error) {
	if _, err := os.Stat(p.Path); err == nil {
		return p.Path, nil
	}
	out, err := exec.Command("dpkg", "-L", p.Package).Output()
	if err != nil {
		return "", fmt.Errorf("the Debian package %s is not installed (apt-get install %s)", p.Package, p.Package)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if filepath.Base(line) == filepath.Base(p.Path) {
			return line, nil
		}
	}
	return "", fmt.Errorf("the Debian package %s holds no %s", p.Package, filepath.Base(p.Path))
}

// ReadPhoto reads a test photo; without its package the test is skipped
// (failed under make test) with a message naming the package to install.
func ReadPhoto(t testing.TB, p Photo) []byte {
	t.Helper()
	path, err := p.Find()
	if err == nil {
		var b []byte
		if b, err = os.ReadFile(path); err == nil {
			return b
		}
	}
	missing(t, "test photo "+filepath.Base(p.Path)+": "+err.Error())
	return nil
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

// ScaledPhoto is a test photo resized by scale (Lanczos) as a JPEG: portraits
// large enough for a document's head size, or too small on purpose.
func ScaledPhoto(t testing.TB, p Photo, scale float64) []byte {
	t.Helper()
	raster.Start()
	img, err := vips.NewImageFromBuffer(ReadPhoto(t, p))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if err := img.Resize(scale, vips.KernelLanczos3); err != nil {
		t.Fatal(err)
	}
	b, _, err := img.ExportJpeg(&vips.JpegExportParams{Quality: 90})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ScanBomb is a progressive JPEG of side×side pixels (a Debian test photo
// enlarged) whose last scan is repeated until it has scans scans: small on
// the wire, and a decoder goes over the whole image once per scan.
func ScanBomb(t testing.TB, side, scans int) []byte {
	t.Helper()
	src := ReadPhoto(t, PhotoGrace512)
	vips.Startup(nil)
	img, err := vips.NewImageFromBuffer(src)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if err := img.Resize(float64(side)/float64(img.Width()), vips.KernelLinear); err != nil {
		t.Fatal(err)
	}
	prog, _, err := img.ExportJpeg(&vips.JpegExportParams{Quality: 60, Interlace: true})
	if err != nil {
		t.Fatal(err)
	}
	// Each scan runs from its SOS marker to the next marker after its data
	// (a stuffed 0xFF is followed by 0x00, never by a marker code); the
	// smallest one is repeated, as an attacker would.
	eoi := len(prog) - 2
	if !bytes.HasSuffix(prog, []byte{0xFF, 0xD9}) {
		t.Fatal("no EOI marker")
	}
	starts := []int{}
	for i := 0; i+1 < len(prog); i++ {
		if prog[i] == 0xFF && prog[i+1] == 0xDA {
			starts = append(starts, i)
		}
	}
	if len(starts) == 0 {
		t.Fatal("no scan")
	}
	small := prog[starts[0]:eoi]
	for _, at := range starts {
		end := at + 2 + (int(prog[at+2])<<8 | int(prog[at+3])) // past the SOS header
		for end+1 < eoi && (prog[end] != 0xFF || prog[end+1] == 0x00 || (prog[end+1] >= 0xD0 && prog[end+1] <= 0xD7)) {
			end++
		}
		if end-at < len(small) {
			small = prog[at:end]
		}
	}
	out := bytes.NewBuffer(append([]byte{}, prog[:eoi]...))
	for range scans - len(starts) {
		out.Write(small)
	}
	out.Write(prog[eoi:])
	return out.Bytes()
}

// BlankPDF is a one-page PDF whose page is w×h points (1/72 in) and holds
// nothing: a few hundred bytes, whatever size it declares.
func BlankPDF(w, h float64) []byte {
	return []byte(fmt.Sprintf("%%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"+
		"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"+
		"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 %.0f %.0f]>> endobj\n"+
		"trailer <</Root 1 0 R>>\n%%%%EOF\n", w, h))
}
