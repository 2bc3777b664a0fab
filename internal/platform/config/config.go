// Package config reads Veridoc's settings from the environment once, at start,
// and validates them so a bad value stops the process with a clear message.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config is every setting of the server and the CLI.
type Config struct {
	Addr        string `env:"VERIDOC_ADDR" envDefault:":4000"`
	DataDir     string `env:"VERIDOC_DATA_DIR" envDefault:"./data"`
	DatabaseURL string `env:"DATABASE_URL"`
	StorageURL  string `env:"STORAGE_URL"`
	// PublicURL is how clients reach this server; disk-store signed URLs point here.
	PublicURL string `env:"VERIDOC_PUBLIC_URL" envDefault:"http://localhost:4000"`
	// TLSCertFile and TLSKeyFile, both or neither, make the server speak TLS
	// (HTTP/2 and HTTP/1.1) itself; SIGHUP reads them again.
	TLSCertFile string `env:"VERIDOC_TLS_CERT_FILE"`
	TLSKeyFile  string `env:"VERIDOC_TLS_KEY_FILE"`
	// RequireHTTPS refuses API calls that did not come over HTTPS: over TLS
	// here, or from a trusted proxy that says X-Forwarded-Proto: https.
	RequireHTTPS bool `env:"VERIDOC_REQUIRE_HTTPS"`
	// SigningKey signs disk-store URLs. Empty: a random key kept in the data dir,
	// which every process sharing that dir reads.
	SigningKey     string `env:"VERIDOC_SIGNING_KEY"`
	SigningKeyFile string `env:"VERIDOC_SIGNING_KEY_FILE,file"` // the key read from a file (secrets mounts)
	// MasterKey is the Tink keyset (JSON, or its base64) that wraps every data
	// key; MasterKeyFile is the path of a file that holds one (veridoc keys
	// rotate rewrites it). Neither: <data dir>/master-key.json, made on first start.
	MasterKey     string `env:"VERIDOC_MASTER_KEY"`
	MasterKeyFile string `env:"VERIDOC_MASTER_KEY_FILE"`
	// S3 credentials for an s3:// STORAGE_URL.
	S3AccessKey     string `env:"S3_ACCESS_KEY"`
	S3SecretKey     string `env:"S3_SECRET_KEY"`
	S3SecretKeyFile string `env:"S3_SECRET_KEY_FILE,file"`

	// ModelsDir holds the face and OCR models (make models).
	ModelsDir string `env:"VERIDOC_MODELS_DIR" envDefault:"./models-data"`

	Workers         int           `env:"VERIDOC_WORKERS" envDefault:"2"`
	ShutdownTimeout time.Duration `env:"VERIDOC_SHUTDOWN_TIMEOUT" envDefault:"20s"`
	// TrustProxy: take the client IP from X-Forwarded-For set by these proxies (CIDRs).
	TrustedProxies []string `env:"VERIDOC_TRUSTED_PROXIES"`
	LogLevel       string   `env:"VERIDOC_LOG_LEVEL" envDefault:"info"`
	// PprofAddr, when set (e.g. 127.0.0.1:6060), serves Go's profiler there:
	// a separate listener, never the API's.
	PprofAddr string `env:"VERIDOC_PPROF_ADDR"`

	// RateLimitPerHour is the default request budget (accounts may have their own)
	// of each account or each API key, as RateLimitScope says.
	RateLimitPerHour int `env:"VERIDOC_RATE_LIMIT_PER_HOUR" envDefault:"1000"`
	// RateLimitScope is what one budget covers: "account" (all its keys
	// together, as the photo product's pages show it) or "key".
	RateLimitScope string `env:"VERIDOC_RATE_LIMIT_SCOPE" envDefault:"account"`
	// RetentionDays is how long finished sessions, verifications and photos
	// keep their images and personal fields, for accounts without their own
	// (0: kept until deleted).
	RetentionDays int `env:"VERIDOC_RETENTION_DAYS" envDefault:"0"`
	// AuthFailuresPerHour is how many failed authentications one client IP may make.
	AuthFailuresPerHour int `env:"VERIDOC_AUTH_FAILURES_PER_HOUR" envDefault:"100"`
	// ConsoleLoginsPerHour is how many console sign-ins one client IP may try.
	ConsoleLoginsPerHour int `env:"VERIDOC_CONSOLE_LOGINS_PER_HOUR" envDefault:"30"`
	// RedisURL, when set, keeps the rate counts in Redis (exact across
	// processes); otherwise each process counts and syncs with the database.
	RedisURL string `env:"VERIDOC_REDIS_URL"`
	// RateSyncInterval is how often a process adds its counts to the database:
	// the limit can be exceeded by what the other processes admit in one interval.
	RateSyncInterval time.Duration `env:"VERIDOC_RATE_SYNC_INTERVAL" envDefault:"1s"`
	// KeyCacheTTL is how long an API key stays cached: a key revoked in
	// another process stops working within it.
	KeyCacheTTL time.Duration `env:"VERIDOC_KEY_CACHE_TTL" envDefault:"2s"`
	// BillingTiers overrides the price table: "Base:0:0.50,Starter:100:0.40,…".
	BillingTiers string `env:"VERIDOC_BILLING_TIERS"`

	// SessionLifetime is how long a verification session accepts uploads.
	SessionLifetime time.Duration `env:"VERIDOC_SESSION_LIFETIME" envDefault:"24h"`
	// CallbackAllow lets callbacks reach these CIDRs although they are
	// loopback, private, link-local or CGNAT (refused by default: SSRF).
	CallbackAllow []string `env:"VERIDOC_CALLBACK_ALLOW"`
	// CallbackRetryScale multiplies the callback retry delays (tests shrink them).
	CallbackRetryScale float64 `env:"VERIDOC_CALLBACK_RETRY_SCALE" envDefault:"1"`
}

// Load reads and validates the environment.
func Load() (*Config, error) {
	c, err := env.ParseAs[Config]()
	if err != nil {
		return nil, namedParseErrors(err)
	}
	c.SigningKey = cmp.Or(c.SigningKey, strings.TrimSpace(c.SigningKeyFile))
	c.S3SecretKey = cmp.Or(c.S3SecretKey, strings.TrimSpace(c.S3SecretKeyFile))
	if c.S3AccessKey == "" {
		c.S3AccessKey = lookupFirst("AWS_ACCESS_KEY_ID", "MINIO_ROOT_USER")
	}
	if c.S3SecretKey == "" {
		c.S3SecretKey = lookupFirst("AWS_SECRET_ACCESS_KEY", "MINIO_ROOT_PASSWORD")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Defaults is the configuration of an empty environment, not yet validated
// (tests start from it and change what they need).
func Defaults() Config {
	c, err := env.ParseAsWithOptions[Config](env.Options{Environment: map[string]string{}})
	if err != nil {
		panic(err) // the defaults in the struct tags are constants
	}
	return c
}

// Validate checks every value and fills the defaults that depend on others.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("VERIDOC_ADDR %q: want host:port, e.g. :4000", c.Addr))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("VERIDOC_DATA_DIR must not be empty"))
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite://" + filepath.Join(c.DataDir, "veridoc.db")
	}
	if _, err := ParseDatabaseURL(c.DatabaseURL); err != nil {
		errs = append(errs, err)
	}
	if c.StorageURL == "" {
		c.StorageURL = "file://" + filepath.Join(c.DataDir, "objects")
	}
	if st, err := ParseStorageURL(c.StorageURL); err != nil {
		errs = append(errs, err)
	} else if st.Kind == StorageS3 && (c.S3AccessKey == "" || c.S3SecretKey == "") {
		errs = append(errs, errors.New("STORAGE_URL is s3://: set S3_ACCESS_KEY and S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"))
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("VERIDOC_PUBLIC_URL %q: want an http(s) URL", c.PublicURL))
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	errs = append(errs, c.validateHTTPS()...)
	if c.SigningKey != "" && len(c.SigningKey) < 32 {
		errs = append(errs, errors.New("VERIDOC_SIGNING_KEY: must be at least 32 characters"))
	}
	if c.Workers < 0 || c.Workers > 256 {
		errs = append(errs, fmt.Errorf("VERIDOC_WORKERS %d: want 0–256", c.Workers))
	}
	for _, cidr := range c.CallbackAllow {
		if _, _, err := net.ParseCIDR(cidr); err != nil {
			errs = append(errs, fmt.Errorf("VERIDOC_CALLBACK_ALLOW: %q is not a CIDR", cidr))
		}
	}
	if c.SessionLifetime < time.Minute {
		errs = append(errs, fmt.Errorf("VERIDOC_SESSION_LIFETIME %s: want at least 1m", c.SessionLifetime))
	}
	if c.CallbackRetryScale <= 0 || c.CallbackRetryScale > 1 {
		errs = append(errs, fmt.Errorf("VERIDOC_CALLBACK_RETRY_SCALE %g: want a factor in (0, 1]", c.CallbackRetryScale))
	}
	for _, cidr := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(cidr); err != nil {
			errs = append(errs, fmt.Errorf("VERIDOC_TRUSTED_PROXIES: %q is not a CIDR", cidr))
		}
	}
	if c.RateLimitPerHour < 1 {
		errs = append(errs, fmt.Errorf("VERIDOC_RATE_LIMIT_PER_HOUR %d: want at least 1", c.RateLimitPerHour))
	}
	if c.RateLimitScope != "account" && c.RateLimitScope != "key" {
		errs = append(errs, fmt.Errorf("VERIDOC_RATE_LIMIT_SCOPE %q: want account or key", c.RateLimitScope))
	}
	if c.KeyCacheTTL < 0 || c.KeyCacheTTL > 5*time.Second {
		errs = append(errs, fmt.Errorf("VERIDOC_KEY_CACHE_TTL %s: want 0 to 5s (revocation must take effect within 5 s)", c.KeyCacheTTL))
	}
	if c.RateSyncInterval < 100*time.Millisecond || c.RateSyncInterval > time.Minute {
		errs = append(errs, fmt.Errorf("VERIDOC_RATE_SYNC_INTERVAL %s: want 100ms to 1m", c.RateSyncInterval))
	}
	if c.AuthFailuresPerHour < 1 {
		errs = append(errs, fmt.Errorf("VERIDOC_AUTH_FAILURES_PER_HOUR %d: want at least 1", c.AuthFailuresPerHour))
	}
	if c.ConsoleLoginsPerHour < 1 {
		errs = append(errs, fmt.Errorf("VERIDOC_CONSOLE_LOGINS_PER_HOUR %d: want at least 1", c.ConsoleLoginsPerHour))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("VERIDOC_LOG_LEVEL %q: want debug, info, warn or error", c.LogLevel))
	}
	return errors.Join(errs...)
}

// Database kinds.
const (
	DatabaseSQLite   = "sqlite"
	DatabasePostgres = "postgres"
)

// Database is a parsed DATABASE_URL.
type Database struct {
	Kind string
	// DSN is what the driver opens: a file path with pragmas for SQLite, the URL for PostgreSQL.
	DSN string
}

// ParseDatabaseURL accepts postgres://, postgresql:// and sqlite://PATH.
func ParseDatabaseURL(raw string) (Database, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return Database{}, fmt.Errorf("DATABASE_URL: %v", err)
		}
		return Database{Kind: DatabasePostgres, DSN: raw}, nil
	case strings.HasPrefix(raw, "sqlite://"):
		path := strings.TrimPrefix(raw, "sqlite://")
		if path == "" {
			return Database{}, errors.New("DATABASE_URL: sqlite:// needs a file path")
		}
		// WAL for concurrent readers, a busy timeout instead of SQLITE_BUSY errors, and
		// BEGIN IMMEDIATE so a read-then-write transaction cannot deadlock on upgrade.
		dsn := path + "?_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=1&_synchronous=NORMAL&_txlock=immediate"
		return Database{Kind: DatabaseSQLite, DSN: dsn}, nil
	default:
		return Database{}, fmt.Errorf("DATABASE_URL %q: want postgres://… or sqlite://PATH", redact(raw))
	}
}

// Storage kinds.
const (
	StorageDisk = "disk"
	StorageS3   = "s3"
)

// Storage is a parsed STORAGE_URL.
type Storage struct {
	Kind     string
	Path     string // disk
	Bucket   string // s3
	Endpoint string // s3 host:port
	Secure   bool
	Region   string
}

// ParseStorageURL accepts file://PATH (or a bare path) and
// s3://BUCKET?endpoint=host:port&secure=false&region=us-east-1.
func ParseStorageURL(raw string) (Storage, error) {
	if !strings.Contains(raw, "://") {
		return Storage{Kind: StorageDisk, Path: raw}, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Storage{}, fmt.Errorf("STORAGE_URL: %v", err)
	}
	switch u.Scheme {
	case "file":
		p := u.Host + u.Path
		if p == "" {
			return Storage{}, errors.New("STORAGE_URL: file:// needs a folder")
		}
		return Storage{Kind: StorageDisk, Path: p}, nil
	case "s3":
		q := u.Query()
		s := Storage{Kind: StorageS3, Bucket: u.Host, Endpoint: q.Get("endpoint"), Secure: q.Get("secure") != "false", Region: q.Get("region")}
		if s.Bucket == "" {
			return Storage{}, errors.New("STORAGE_URL: s3:// needs a bucket, e.g. s3://veridoc?endpoint=127.0.0.1:9000")
		}
		if s.Endpoint == "" {
			s.Endpoint = "s3.amazonaws.com"
		}
		if s.Region == "" {
			s.Region = "us-east-1"
		}
		return s, nil
	default:
		return Storage{}, fmt.Errorf("STORAGE_URL %q: want file://PATH or s3://BUCKET?endpoint=host:port", raw)
	}
}

// namedParseErrors rewrites the env library's errors, which name Go fields, to
// name the environment variable and the value type wanted.
func namedParseErrors(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("config: %w", err)
	}
	var out []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := reflect.TypeFor[Config]().FieldByName(pe.Name); ok {
				name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
				out = append(out, fmt.Errorf("%s: want a value of type %s", name, pe.Type))
				continue
			}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return raw
}

func lookupFirst(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// defaultPublicURL is PublicURL's default: make run's address.
const defaultPublicURL = "http://localhost:4000"

// validateHTTPS checks the TLS settings. Over TLS or behind a proxy that
// requires HTTPS, signed URLs and verify_url must be https: the default
// public URL becomes https, and an explicit http one is refused.
func (c *Config) validateHTTPS() []error {
	var errs []error
	tls := c.TLSCertFile != "" || c.TLSKeyFile != ""
	if tls && (c.TLSCertFile == "" || c.TLSKeyFile == "") {
		errs = append(errs, errors.New("VERIDOC_TLS_CERT_FILE and VERIDOC_TLS_KEY_FILE: set both or neither"))
	}
	if tls && c.PublicURL == defaultPublicURL {
		c.PublicURL = "https://localhost:4000"
	}
	if (tls || c.RequireHTTPS) && strings.HasPrefix(c.PublicURL, "http://") {
		errs = append(errs, fmt.Errorf("VERIDOC_PUBLIC_URL %q: must be https:// when the server speaks TLS or VERIDOC_REQUIRE_HTTPS is set", c.PublicURL))
	}
	return errs
}
