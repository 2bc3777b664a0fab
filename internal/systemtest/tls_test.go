package systemtest

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/testsupport/testcert"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestServeTLS runs the binary with a certificate the test makes: it speaks
// HTTP/2 over TLS, sends HSTS, hands out https links, and serves a renewed
// certificate after SIGHUP without dropping a request.
func TestServeTLS(t *testing.T) {
	ca := testcert.NewCA(t)
	dir := t.TempDir()
	certFile, keyFile := ca.Leaf(t, dir, 1)
	d := newDeployment(t, testenv.SQLiteURL(t), "", "VERIDOC_TLS_CERT_FILE="+certFile, "VERIDOC_TLS_KEY_FILE="+keyFile)
	port := freePort(t)
	base := fmt.Sprintf("https://127.0.0.1:%d", port)
	p := &proc{t: t, name: "tls", logs: &syncBuffer{}, done: make(chan struct{}), URL: base}
	p.cmd = exec.Command(bin, "serve")
	p.cmd.Env = append(d.env, "VERIDOC_DATA_DIR="+t.TempDir(), "VERIDOC_WORKERS=0",
		fmt.Sprintf("VERIDOC_ADDR=127.0.0.1:%d", port), "VERIDOC_PUBLIC_URL="+base)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop(syscall.SIGKILL)
		if t.Failed() {
			t.Logf("--- logs ---\n%s", p.logs.String())
		}
	})
	// A fresh transport per check: a new connection sees the certificate in use.
	hc := func() *http.Client {
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{ForceAttemptHTTP2: true,
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool}}}
	}
	var res *http.Response
	testenv.WaitFor(t, 30*time.Second, "the TLS server to answer /healthz", func() bool {
		r, err := hc().Get(base + "/healthz")
		if err != nil {
			return false
		}
		r.Body.Close()
		res = r
		return r.StatusCode == 200
	})
	if res.Proto != "HTTP/2.0" || res.Header.Get("Strict-Transport-Security") == "" || res.TLS.PeerCertificates[0].SerialNumber.Int64() != 1 {
		t.Fatalf("proto %s, HSTS %q, serial %v", res.Proto, res.Header.Get("Strict-Transport-Security"), res.TLS.PeerCertificates[0].SerialNumber)
	}
	pub, secret, _ := d.account("tls")
	c := newClient(t, pub, secret, p)
	c.http = hc()
	s := c.call("session.create", map[string]any{})
	if s.Status != 200 || !strings.HasPrefix(s.str("verify_url"), base+"/verify/") {
		t.Fatalf("session.create over TLS: %s", s.Raw)
	}
	// Renewed on disk, then SIGHUP: new connections get the new certificate.
	ca.Leaf(t, dir, 2)
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 10*time.Second, "the renewed certificate", func() bool {
		r, err := hc().Get(base + "/healthz")
		if err != nil {
			return false
		}
		r.Body.Close()
		return r.TLS.PeerCertificates[0].SerialNumber.Int64() == 2
	})
	if r := c.call("account.get", nil); r.Status != 200 {
		t.Fatalf("the open connection after the reload: %s", r.Raw)
	}
	select {
	case <-p.done:
		t.Fatalf("the server exited on SIGHUP")
	default:
	}
	// Plain HTTP to the TLS port is not served.
	if r, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", port)); err == nil {
		r.Body.Close()
		if r.StatusCode == 200 {
			t.Fatal("plain HTTP served on the TLS port")
		}
	}
}
