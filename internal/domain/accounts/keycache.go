package accounts

import (
	"sync"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
)

// KeyCache remembers authenticated API keys for TTL, so a request costs no
// database read for its key, and records last use at most once a minute per
// key, so it costs no write either. A key revoked in another process stops
// working within TTL; revoked through this process's Service, at once.
type KeyCache struct {
	TTL time.Duration

	mu      sync.Mutex
	byHash  map[string]cachedKey // SHA-256 of the secret → key
	touched map[int64]time.Time  // key id → last recorded use
}

type cachedKey struct {
	key   *database.APIKey
	until time.Time
}

// maxCached bounds both maps: past it they start again empty rather than grow.
const maxCached = 100_000

func (c *KeyCache) get(hash string, now time.Time) *database.APIKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byHash[hash]
	if !ok || now.After(e.until) {
		delete(c.byHash, hash)
		return nil
	}
	return e.key
}

func (c *KeyCache) put(hash string, k *database.APIKey, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byHash == nil || len(c.byHash) > maxCached {
		c.byHash = map[string]cachedKey{}
	}
	c.byHash[hash] = cachedKey{key: k, until: now.Add(c.TTL)}
}

// Forget drops a key at once.
func (c *KeyCache) Forget(keyID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.byHash {
		if e.key.ID == keyID {
			delete(c.byHash, h)
		}
	}
}

// shouldTouch tells whether the key's last use is due to be recorded.
func (c *KeyCache) shouldTouch(keyID int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.touched == nil || len(c.touched) > maxCached {
		c.touched = map[int64]time.Time{}
	}
	if last, ok := c.touched[keyID]; ok && now.Sub(last) < time.Minute {
		return false
	}
	c.touched[keyID] = now
	return true
}
