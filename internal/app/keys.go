package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/ratelimit"
	"github.com/veridoc/veridoc/internal/platform/rekey"
	"github.com/veridoc/veridoc/internal/platform/seal"
)

func (a *App) openStore(ctx context.Context) error {
	st, err := config.ParseStorageURL(a.Config.StorageURL)
	if err != nil {
		return err
	}
	var backend objectstore.Backend
	switch st.Kind {
	case config.StorageS3:
		backend, err = objectstore.NewS3(ctx, objectstore.S3Options{
			Endpoint: st.Endpoint, Bucket: st.Bucket, Region: st.Region, Secure: st.Secure,
			AccessKey: a.Config.S3AccessKey, SecretKey: a.Config.S3SecretKey,
		})
	default:
		backend, err = objectstore.NewDisk(st.Path)
	}
	if err != nil {
		return err
	}
	key, err := a.signingKey()
	if err != nil {
		return err
	}
	// The console's form key is derived, so signed URLs never share a key with it.
	m := hmac.New(sha256.New, key)
	m.Write([]byte("veridoc console form tokens"))
	a.formKey = m.Sum(nil)
	signer, err := objectstore.NewSigner(key, a.Now)
	if err != nil {
		return err
	}
	a.Store = objectstore.NewSealed(backend, a.Keys, signer, a.Config.PublicURL)
	return nil
}

// openKeys loads the master keyring (generating one in the data dir on a
// first start without VERIDOC_MASTER_KEY) and the database's column keys.
func (a *App) openKeys(ctx context.Context) error {
	ring, generated, err := seal.OpenKeyring(seal.Source{
		Key: a.Config.MasterKey, File: a.Config.MasterKeyFile,
		DefaultFile: filepath.Join(a.Config.DataDir, "master-key.json"),
	})
	if err != nil {
		return err
	}
	if generated {
		a.Logger.Warn("generated a master key: back it up, nothing stored can be read without it", "path", ring.Path())
	}
	cols, err := a.DB.ColumnKeys(ctx, ring)
	if err != nil {
		return err
	}
	a.Keys = ring
	return a.DB.UseSealer(cols)
}

// signingKey is VERIDOC_SIGNING_KEY, or a random key kept in the data dir so
// every process sharing the dir (and every restart) signs alike.
func (a *App) signingKey() ([]byte, error) {
	if a.Config.SigningKey != "" {
		return []byte(a.Config.SigningKey), nil
	}
	path := filepath.Join(a.Config.DataDir, "signing.key")
	if b, err := os.ReadFile(path); err == nil {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err := os.MkdirAll(a.Config.DataDir, 0o750); err != nil {
		return nil, err
	}
	buf := make([]byte, 32)
	_, _ = rand.Read(buf)
	key := hex.EncodeToString(buf)
	// O_EXCL: if another process wrote one first, use theirs.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		b, err := os.ReadFile(path)
		return []byte(strings.TrimSpace(string(b))), err
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	_, err = f.WriteString(key + "\n")
	return []byte(key), err
}

// RotateKeys adds a new primary master key, rewraps the database's data
// keysets under it at once and queues the rewrap of every stored object for
// the workers. Old keys keep decrypting meanwhile.
func (a *App) RotateKeys(ctx context.Context) (string, error) {
	id, err := a.Keys.Rotate()
	if err != nil {
		return "", err
	}
	if _, err := a.DB.RewrapKeys(ctx, a.Keys); err != nil {
		return "", err
	}
	if _, err := a.Queue.Insert(ctx, rekey.Args{}, nil); err != nil {
		return "", err
	}
	return fmt.Sprintf("%08x", id), nil
}

// openLimits chooses where request counts are shared: Redis when configured,
// else the database, synced in the background.
func (a *App) openLimits(ctx context.Context) error {
	if a.Config.RedisURL != "" {
		r, err := ratelimit.NewRedis(ctx, a.Config.RedisURL, a.Now)
		if err != nil {
			return fmt.Errorf("redis: %w", err)
		}
		a.redis, a.limits = r, r
		return nil
	}
	s := &ratelimit.Synced{Store: a.DB, Now: a.Now, Interval: a.Config.RateSyncInterval, Logger: a.Logger.With("component", "ratelimit")}
	syncCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.limits, a.stopSync, a.syncDone = s, cancel, make(chan struct{})
	go func() {
		defer close(a.syncDone)
		s.Run(syncCtx)
	}()
	return nil
}
