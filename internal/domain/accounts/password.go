package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/veridoc/veridoc/internal/platform/fault"
)

// argon2id parameters (RFC 9106's second recommended option, with 64 MiB).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// MinPasswordLength is the shortest password a console user may have.
const MinPasswordLength = 12

// ErrBusy refuses a password check when as many are running as the process
// allows and none finished within the wait.
var ErrBusy = fault.Declare("PasswordChecksBusy", fault.Unavailable)

// Hasher computes argon2id hashes, at most a fixed number at once: each takes
// 64 MiB, so parallel sign-ins without a bound could take all the process's
// memory (docs/security.md).
type Hasher struct {
	slots chan struct{}
	wait  time.Duration
}

// NewHasher allows limit hashes at once (about the number of cores); the
// others wait up to wait for a slot, then are refused with ErrBusy.
func NewHasher(limit int, wait time.Duration) *Hasher {
	return &Hasher{slots: make(chan struct{}, max(limit, 1)), wait: wait}
}

// Running is how many hashes are being computed now.
func (h *Hasher) Running() int { return len(h.slots) }

func (h *Hasher) acquire(ctx context.Context) error {
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		e := ErrBusy.New("Too many sign-ins are being checked at once; retry in a moment")
		e.RetryAfter = 1
		return e
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release frees a slot and the hash's 64 MiB at once: left to the
// collector, a burst of sign-ins would grow the heap to twice its garbage.
func (h *Hasher) release() {
	<-h.slots
	debug.FreeOSMemory()
}

// Hash hashes a password into a PHC string.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Check tells whether password matches a PHC string of Hash.
func (h *Hasher) Check(ctx context.Context, phc, password string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("accounts: not an argon2id hash")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, err
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false, errors.New("accounts: damaged hash")
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NewPassword is 18 random bytes in URL-safe base64 (24 characters).
func NewPassword() string { return randomText(18) }

func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
