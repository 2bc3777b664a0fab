package objectstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/platform/seal"
)

// FilesPrefix is the route signed URLs are served under.
const FilesPrefix = "/files/"

// Sealed encrypts every object on its way into a Backend, each under its own
// data key, and decrypts on the way out. Its signed URLs point at the app's
// GET /files/<key> route, which ServeHTTP answers: the bucket or folder only
// ever holds ciphertext, so clients cannot download from it directly.
type Sealed struct {
	backend Backend
	ring    *seal.Keyring
	signer  *Signer
	baseURL string // e.g. http://localhost:4000
}

// NewSealed wraps a backend.
func NewSealed(backend Backend, ring *seal.Keyring, signer *Signer, baseURL string) *Sealed {
	return &Sealed{backend: backend, ring: ring, signer: signer, baseURL: strings.TrimRight(baseURL, "/")}
}

// Ring is the master keyring that wraps the objects' data keys.
func (s *Sealed) Ring() *seal.Keyring { return s.ring }

// Backend is the store under the encryption (tests read raw bytes from it).
func (s *Sealed) Backend() Backend { return s.backend }

// Put seals r into the backend. The ciphertext is assembled in memory so the
// backend learns its size (S3 would otherwise buffer in 16 MiB parts).
func (s *Sealed) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	var buf bytes.Buffer
	if size > 0 {
		buf.Grow(int(size) + int(size)/200 + 512)
	}
	w, err := seal.Seal(&buf, s.ring, key)
	if err != nil {
		return err
	}
	n, err := io.Copy(w, r)
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("storage: read %d bytes, want %d", n, size)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return s.backend.Put(ctx, key, &buf, int64(buf.Len()), contentType)
}

// Get opens an object and decrypts it as it is read; a flipped or missing
// byte fails the read.
func (s *Sealed) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	rc, info, err := s.backend.Get(ctx, key)
	if err != nil {
		return nil, Info{}, err
	}
	r, err := seal.Open(rc, s.ring, key)
	if err != nil {
		rc.Close()
		return nil, Info{}, fmt.Errorf("storage: %s: %w", key, err)
	}
	info.Size = -1
	return readCloser{Reader: r, Closer: rc}, info, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// Delete removes an object.
func (s *Sealed) Delete(ctx context.Context, key string) error { return s.backend.Delete(ctx, key) }

// List lists the backend's keys.
func (s *Sealed) List(ctx context.Context, prefix string, fn func(key string) error) error {
	return s.backend.List(ctx, prefix, fn)
}

// Ping checks the backend.
func (s *Sealed) Ping(ctx context.Context) error { return s.backend.Ping(ctx) }

// SignedURL points at the app's /files route with an HMAC signature.
func (s *Sealed) SignedURL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	return s.baseURL + FilesPrefix + key + "?" + s.signer.Query(key, ttl).Encode(), nil
}

// ServeHTTP answers GET /files/<key>?expires=…&signature=… for signed URLs,
// streaming the plaintext.
func (s *Sealed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, FilesPrefix)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if ValidKey(key) != nil || s.signer.Verify(key, r.URL.Query()) != nil {
		// Expired and tampered look the same from outside.
		http.Error(w, "this link is invalid or has expired", http.StatusForbidden)
		return
	}
	rc, info, err := s.Get(r.Context(), key)
	switch {
	case errors.Is(err, ErrNotFound):
		http.Error(w, "not found", http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, "the file cannot be read now", http.StatusServiceUnavailable)
		return
	}
	defer rc.Close()
	if info.ContentType != "" {
		w.Header().Set("Content-Type", info.ContentType)
	}
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	// The first read decrypts the first segment: a damaged object fails here,
	// before the 200 is sent.
	first := make([]byte, 32<<10)
	n, err := io.ReadFull(rc, first)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		http.Error(w, "the file cannot be read", http.StatusInternalServerError)
		return
	}
	if _, err := w.Write(first[:n]); err != nil {
		return
	}
	if _, err := io.Copy(w, rc); err != nil && r.Context().Err() == nil {
		// A later segment failed to decrypt: break the connection so the
		// client does not take a cut-short body for the whole file.
		panic(http.ErrAbortHandler)
	}
}

// Rewrap moves an object's data key under the master keyring's primary key,
// rewriting only the header in front of the same ciphertext; an object stored
// before encryption is sealed. It tells whether it wrote.
func (s *Sealed) Rewrap(ctx context.Context, key string) (bool, error) {
	rc, info, err := s.backend.Get(ctx, key)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	h, rest, err := seal.ReadHeader(rc)
	if errors.Is(err, seal.ErrNotSealed) {
		return true, s.Put(ctx, key, rest, -1, info.ContentType)
	}
	if err != nil {
		return false, err
	}
	if h.MasterKeyID() == s.ring.PrimaryID() {
		return false, nil
	}
	nh, err := h.Rewrap(s.ring, key)
	if err != nil {
		return false, fmt.Errorf("storage: rewrap %s: %w", key, err)
	}
	size := int64(-1)
	if info.Size >= 0 {
		size = info.Size - h.Len() + nh.Len()
	}
	return true, s.backend.Put(ctx, key, io.MultiReader(bytes.NewReader(nh.Bytes()), rest), size, info.ContentType)
}
