package objectstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Disk stores objects as files under a root folder, each beside a
// "<name>.type" file that holds its content type.
type Disk struct {
	root string
}

// NewDisk opens (and creates) a disk store.
func NewDisk(root string) (*Disk, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return &Disk{root: root}, nil
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

// Ping checks the root folder is writable.
func (d *Disk) Ping(ctx context.Context) error {
	f, err := os.CreateTemp(d.root, ".ping-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// List walks the folder; content-type files and half-written temporaries are
// not objects.
func (d *Disk) List(ctx context.Context, prefix string, fn func(key string) error) error {
	err := filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, ".type") || strings.HasPrefix(name, ".") {
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		return fn(key)
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
