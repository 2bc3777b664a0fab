package config

import (
	"strings"
	"testing"
)

func TestLoadDefaults(t *testing.T) {
	for _, k := range []string{"VERIDOC_ADDR", "VERIDOC_DATA_DIR", "DATABASE_URL", "STORAGE_URL", "VERIDOC_PUBLIC_URL", "VERIDOC_WORKERS"} {
		t.Setenv(k, "")
	}
	t.Setenv("VERIDOC_DATA_DIR", "/tmp/vd")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":4000" || c.DatabaseURL != "sqlite:///tmp/vd/veridoc.db" || c.StorageURL != "file:///tmp/vd/objects" || c.Workers != 2 {
		t.Fatalf("defaults: %+v", c)
	}
}

// Over TLS the default public URL is https, so links are.
func TestTLSMakesTheDefaultPublicURLHTTPS(t *testing.T) {
	c := Defaults()
	c.TLSCertFile, c.TLSKeyFile = "cert.pem", "key.pem"
	if err := c.Validate(); err != nil || c.PublicURL != "https://localhost:4000" {
		t.Fatalf("public URL %q, %v", c.PublicURL, err)
	}
}

func TestLoadRejects(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"VERIDOC_ADDR": "4000"}, "VERIDOC_ADDR"},
		{map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{map[string]string{"STORAGE_URL": "ftp://x"}, "STORAGE_URL"},
		{map[string]string{"STORAGE_URL": "s3://bucket?endpoint=h:1", "S3_ACCESS_KEY": "", "S3_SECRET_KEY": "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "MINIO_ROOT_USER": "", "MINIO_ROOT_PASSWORD": ""}, "S3_ACCESS_KEY"},
		{map[string]string{"VERIDOC_WORKERS": "many"}, "VERIDOC_WORKERS"},
		{map[string]string{"VERIDOC_WORKERS": "-1"}, "VERIDOC_WORKERS"},
		{map[string]string{"VERIDOC_PUBLIC_URL": "localhost"}, "VERIDOC_PUBLIC_URL"},
		{map[string]string{"VERIDOC_TRUSTED_PROXIES": "10.0.0.0"}, "VERIDOC_TRUSTED_PROXIES"},
		{map[string]string{"VERIDOC_LOG_LEVEL": "loud"}, "VERIDOC_LOG_LEVEL"},
		{map[string]string{"VERIDOC_RATE_LIMIT_SCOPE": "ip"}, "VERIDOC_RATE_LIMIT_SCOPE"},
		{map[string]string{"VERIDOC_TLS_CERT_FILE": "/etc/cert.pem"}, "VERIDOC_TLS_KEY_FILE"},
		{map[string]string{"VERIDOC_TLS_CERT_FILE": "c.pem", "VERIDOC_TLS_KEY_FILE": "k.pem", "VERIDOC_PUBLIC_URL": "http://id.example.com"}, "VERIDOC_PUBLIC_URL"},
		{map[string]string{"VERIDOC_REQUIRE_HTTPS": "1", "VERIDOC_PUBLIC_URL": "http://id.example.com"}, "VERIDOC_PUBLIC_URL"},
		{map[string]string{"VERIDOC_REQUIRE_HTTPS": "maybe"}, "VERIDOC_REQUIRE_HTTPS"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := Load()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

func TestParseStorageURL(t *testing.T) {
	s, err := ParseStorageURL("s3://photos?endpoint=127.0.0.1:9000&secure=false")
	if err != nil || s.Kind != StorageS3 || s.Bucket != "photos" || s.Endpoint != "127.0.0.1:9000" || s.Secure || s.Region != "us-east-1" {
		t.Fatalf("%+v %v", s, err)
	}
	if s, err := ParseStorageURL("/var/lib/veridoc"); err != nil || s.Kind != StorageDisk || s.Path != "/var/lib/veridoc" {
		t.Fatalf("%+v %v", s, err)
	}
	if _, err := ParseStorageURL("s3://?endpoint=x"); err == nil {
		t.Fatal("s3 without bucket accepted")
	}
}

func TestRedactsPasswords(t *testing.T) {
	_, err := ParseDatabaseURL("mysql://user:hunter2@host/db")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error leaks the password: %v", err)
	}
}
