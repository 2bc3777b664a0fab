package certs_test

import (
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/veridoc/veridoc/internal/platform/certs"
	"github.com/veridoc/veridoc/internal/testsupport/testcert"
)

// serial dials a TLS server on ln and returns its certificate's serial.
func serial(t *testing.T, addr string, ca *testcert.CA) int64 {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.Pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

func TestReload(t *testing.T) {
	ca := testcert.NewCA(t)
	dir := t.TempDir()
	certFile, keyFile := ca.Leaf(t, dir, 1)
	r, err := certs.New(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", r.Config())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) { _ = c.(*tls.Conn).Handshake(); c.Close() }(c)
		}
	}()
	addr := ln.Addr().String()
	if got := serial(t, addr, ca); got != 1 {
		t.Fatalf("serial %d, want 1", got)
	}
	// A renewed pair is served once reloaded.
	ca.Leaf(t, dir, 2)
	if got := serial(t, addr, ca); got != 1 {
		t.Fatalf("before reload: serial %d, want 1", got)
	}
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := serial(t, addr, ca); got != 2 {
		t.Fatalf("after reload: serial %d, want 2", got)
	}
	// A broken pair is refused and the one in use stays.
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.Reload(); err == nil {
		t.Fatal("a broken key was accepted")
	}
	if got := serial(t, addr, ca); got != 2 {
		t.Fatalf("after a failed reload: serial %d, want 2", got)
	}
	if _, err := certs.New(certFile, filepath.Join(dir, "missing.pem")); err == nil {
		t.Fatal("a missing key file was accepted")
	}
}
