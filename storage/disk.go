package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Disk stores objects as files under a root folder. Its signed URLs point at
// the app's GET /files/<key> route, which Disk.ServeHTTP answers.
type Disk struct {
	root    string
	baseURL string // e.g. http://localhost:4000
	signer  *Signer
}

// FilesPrefix is the route disk-store URLs are served under.
const FilesPrefix = "/files/"

// NewDisk opens (and creates) a disk store.
func NewDisk(root, baseURL string, signer *Signer) (*Disk, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return &Disk{root: root, baseURL: strings.TrimRight(baseURL, "/"), signer: signer}, nil
}

func (d *Disk) path(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Put writes to a temporary file and renames it, so readers never see half an object.
func (d *Disk) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after a successful rename
	n, err := io.Copy(tmp, r)
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("storage: wrote %d bytes, want %d", n, size)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(p+".type", []byte(contentType), 0o640); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Get opens an object.
func (d *Disk) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, Info{}, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, ErrNotFound
	}
	if err != nil {
		return nil, Info{}, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Info{}, err
	}
	ct, _ := os.ReadFile(p + ".type")
	return f, Info{Size: st.Size(), ContentType: string(ct)}, nil
}

// Delete removes an object and its content-type file.
func (d *Disk) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	for _, f := range []string{p, p + ".type"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// SignedURL points at the app's /files route with an HMAC signature.
func (d *Disk) SignedURL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	return d.baseURL + FilesPrefix + key + "?" + d.signer.Query(key, ttl).Encode(), nil
}

// Ping checks the root folder is writable.
func (d *Disk) Ping(ctx context.Context) error {
	f, err := os.CreateTemp(d.root, ".ping-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// ServeHTTP answers GET /files/<key>?expires=…&signature=… for signed URLs.
func (d *Disk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, FilesPrefix)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if ValidKey(key) != nil || d.signer.Verify(key, r.URL.Query()) != nil {
		// Expired and tampered look the same from outside.
		http.Error(w, "this link is invalid or has expired", http.StatusForbidden)
		return
	}
	rc, info, err := d.Get(r.Context(), key)
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	defer rc.Close()
	if info.ContentType != "" {
		w.Header().Set("Content-Type", info.ContentType)
	}
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if f, ok := rc.(*os.File); ok {
		http.ServeContent(w, r, "", time.Time{}, f)
		return
	}
	_, _ = io.Copy(w, rc)
}
