package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestRequireHTTPS: behind a proxy that ends TLS, VERIDOC_REQUIRE_HTTPS
// refuses plain-HTTP API calls, takes those the trusted proxy marks https
// (with HSTS and https links), redirects pages, and leaves probes open.
func TestRequireHTTPS(t *testing.T) {
	const public = "https://id.example.test"
	behind := func(proxies ...string) testenv.Option {
		return testenv.WithConfig(func(c *config.Config) {
			c.RequireHTTPS, c.PublicURL, c.TrustedProxies = true, public, proxies
		})
	}
	s := testenv.NewServer(t, testenv.SQLiteURL(t), behind("127.0.0.1/32"))
	plain, _, _, _ := apitest.Account(t, s, "https only")
	viaProxy := plain.With("X-Forwarded-Proto", "https")

	if r := plain.Call("account.get", nil); r.Status != 403 || r.Str("error_name") != "HTTPSRequired" || !strings.Contains(r.Str("error_message"), public) {
		t.Fatalf("plain HTTP API call: %d %s", r.Status, r.Raw)
	}
	r := viaProxy.Call("session.create", map[string]any{})
	if r.Status != 200 || !strings.HasPrefix(r.Str("verify_url"), public+"/verify/") || r.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("via the proxy: %d %s %v", r.Status, r.Raw, r.Header)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(s.URL + "/docs?x=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != public+"/docs?x=1" {
		t.Errorf("plain page: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s over plain HTTP: %d, HSTS %q", path, res.StatusCode, res.Header.Get("Strict-Transport-Security"))
		}
	}
	// Only a trusted proxy may say https: from any other peer the header is ignored.
	other := testenv.NewServer(t, testenv.SQLiteURL(t), behind("10.0.0.0/8"))
	c, _, _, _ := apitest.Account(t, other, "untrusted")
	if r := c.With("X-Forwarded-Proto", "https").Call("account.get", nil); r.Status != 403 || r.Str("error_name") != "HTTPSRequired" {
		t.Errorf("X-Forwarded-Proto from an untrusted peer: %d %s", r.Status, r.Raw)
	}
}
