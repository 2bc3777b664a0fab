// Package certs serves TLS from a certificate and key file pair that can be
// replaced while the server runs: Reload reads them again (on SIGHUP), and
// new connections get the new certificate while open ones keep theirs. A
// pair that fails to load leaves the one in use in place.
package certs

import (
	"crypto/tls"
	"fmt"
	"sync/atomic"
)

// Reloader holds the certificate in use.
type Reloader struct {
	certFile, keyFile string
	current           atomic.Pointer[tls.Certificate]
}

// New loads the pair once; a server should not start without it.
func New(certFile, keyFile string) (*Reloader, error) {
	r := &Reloader{certFile: certFile, keyFile: keyFile}
	if err := r.Reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// Reload reads the pair again and, when it is valid, puts it in use.
func (r *Reloader) Reload() error {
	c, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("tls: load %s and %s: %w", r.certFile, r.keyFile, err)
	}
	r.current.Store(&c)
	return nil
}

// GetCertificate is tls.Config's hook: the pair in use.
func (r *Reloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return r.current.Load(), nil
}

// Config is the server's TLS configuration: TLS 1.2 or later, HTTP/2 offered
// first (net/http serves it on a TLS listener), the certificate from r.
func (r *Reloader) Config() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.GetCertificate, NextProtos: []string{"h2", "http/1.1"}}
}
