// Package storage keeps uploaded and generated files (images, PDFs) in one of
// two real object stores, local disk or S3, sealed (encrypted) on the way in,
// and serves them through signed, expiring URLs that decrypt on the way out.
package objectstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
)

// Backend is where object bytes live: the disk or an S3 bucket. It stores
// what it is given; Sealed gives it ciphertext.
type Backend interface {
	// Put writes an object, replacing any with the same key; size -1: unknown.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get opens an object; ErrNotFound when it does not exist.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Delete removes an object; deleting a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn with every object key under prefix ("" for all).
	List(ctx context.Context, prefix string, fn func(key string) error) error
	// Ping checks that the store answers (for /readyz).
	Ping(ctx context.Context) error
}

// Store is what the application uses: a Backend whose objects are sealed,
// plus URLs that let a client download an object without credentials.
type Store interface {
	Backend
	// SignedURL is a URL anyone can GET until it expires.
	SignedURL(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// Info describes a stored object.
type Info struct {
	Size        int64 // -1 when unknown (a sealed object's plaintext size)
	ContentType string
}

// ErrNotFound is returned for a missing object.
var ErrNotFound = errors.New("storage: object not found")

// ValidKey refuses keys that could escape the store's root or confuse S3:
// relative segments, empty segments, backslashes, control characters.
func ValidKey(key string) error {
	if key == "" || len(key) > 512 || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") {
		return fmt.Errorf("storage: invalid key %q", key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("storage: invalid key %q", key)
		}
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("storage: invalid key %q", key)
		}
	}
	return nil
}

// ReadAll reads a whole object; an empty key reads as nothing (nil, nil), so
// optional images (a document's back side) need no check at the call site.
func ReadAll(ctx context.Context, s Backend, key string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	rc, _, err := s.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// UnavailableError is a store that cannot be reached or answered with a
// server error: an outage the client may retry.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string { return "storage unavailable: " + e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

// outage marks network failures and 5xx answers of the S3 server.
func outage(err error) error {
	if err == nil {
		return nil
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		minio.ToErrorResponse(err).StatusCode >= 500 {
		return &UnavailableError{Err: err}
	}
	return err
}

// IsUnavailable tells whether err is a store outage.
func IsUnavailable(err error) bool {
	var u *UnavailableError
	return errors.As(err, &u)
}
