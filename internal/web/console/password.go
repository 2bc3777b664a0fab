package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/veridoc/veridoc/internal/platform/database"
)

// argon2id parameters (RFC 9106's second recommended option, with 64 MiB).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// HashPassword hashes with argon2id into a PHC string.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword tells whether password matches a PHC string of HashPassword.
func CheckPassword(phc, password string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("console: not an argon2id hash")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, err
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false, errors.New("console: damaged hash")
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NewPassword is 18 random bytes in URL-safe base64 (24 characters).
func NewPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Errors of CreateUser.
var (
	ErrBadRole  = errors.New("role must be owner, reviewer or viewer")
	ErrBadEmail = errors.New("email must look like name@example.com")
	ErrShort    = errors.New("password must be at least 12 characters")
)

// CreateUser adds a console user to an account. An empty password gets a
// generated one, which is returned (it is stored only as its hash).
func CreateUser(ctx context.Context, db *database.DB, accountID int64, email, role, password string, now time.Time) (*database.ConsoleUser, string, error) {
	if role != database.RoleOwner && role != database.RoleReviewer && role != database.RoleViewer {
		return nil, "", ErrBadRole
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if at := strings.IndexByte(email, '@'); at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n") || len(email) > 254 {
		return nil, "", ErrBadEmail
	}
	if password == "" {
		password = NewPassword()
	}
	if len(password) < 12 {
		return nil, "", ErrShort
	}
	if _, err := db.GetAccount(ctx, accountID); err != nil {
		return nil, "", err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, "", err
	}
	u := &database.ConsoleUser{AccountID: accountID, Email: email, Role: role, PasswordHash: hash, CreatedAt: now}
	if err := db.CreateConsoleUser(ctx, u); err != nil {
		return nil, "", err
	}
	return u, password, nil
}
