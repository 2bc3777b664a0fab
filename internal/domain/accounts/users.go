package accounts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
)

// UserRequest asks for a console user; an empty password gets a generated one.
type UserRequest struct {
	Email, Role, Password string
}

// ConsoleSessionLifetime is how long a console sign-in lasts.
const ConsoleSessionLifetime = 12 * time.Hour

// CreateUser adds a console user whose role reaches no further than by. It
// returns the password, which is stored only as its hash.
func (s *Service) CreateUser(ctx context.Context, accountID int64, by Reach, req UserRequest) (*database.ConsoleUser, string, error) {
	role, ok := roleReach(req.Role)
	if !ok {
		return nil, "", fault.ErrInvalidRequest.New("role: must be %s", strings.Join(Roles, ", "))
	}
	if !by.Covers(role) {
		return nil, "", ErrPermissionDenied.New("role: a %s reaches further than this credential (%s)", req.Role, describe(by))
	}
	email := normalEmail(req.Email)
	if at := strings.IndexByte(email, '@'); at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n") || len(email) > 254 {
		return nil, "", fault.ErrInvalidRequest.New("email: must look like name@example.com")
	}
	password := req.Password
	if password == "" {
		password = NewPassword()
	}
	if len(password) < MinPasswordLength {
		return nil, "", fault.ErrInvalidRequest.New("password: must be at least %d characters", MinPasswordLength)
	}
	if _, err := s.Get(ctx, accountID); err != nil {
		return nil, "", err
	}
	hash, err := s.Hashes.Hash(ctx, password)
	if err != nil {
		return nil, "", err
	}
	u := &database.ConsoleUser{AccountID: accountID, Email: email, Role: req.Role, PasswordHash: hash, CreatedAt: s.Now()}
	if err := s.DB.CreateConsoleUser(ctx, u); errors.Is(err, database.ErrDuplicate) {
		return nil, "", ErrUserExists.New("A console user with email %s exists", email)
	} else if err != nil {
		return nil, "", err
	}
	return u, password, nil
}

func normalEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// ListUsers lists an account's console users.
func (s *Service) ListUsers(ctx context.Context, accountID int64) ([]database.ConsoleUser, error) {
	return s.DB.ListConsoleUsers(ctx, accountID)
}

// DisableUser signs a user out everywhere and keeps them out.
func (s *Service) DisableUser(ctx context.Context, accountID, id int64) (*database.ConsoleUser, error) {
	u, err := s.DB.DisableConsoleUser(ctx, accountID, id, s.Now())
	return u, notFound(err, ErrUserNotFound, "user", id)
}

// ErrWrongPassword is a sign-in whose email or password is wrong; which one
// is never said.
var ErrWrongPassword = errors.New("accounts: wrong email or password")

// ErrChooseAccount is a sign-in whose email and password open users of
// several accounts: the account must be named.
var ErrChooseAccount = errors.New("accounts: the email and password open several accounts; name the account")

// maxSameEmail bounds the users one sign-in checks: an email is unique per
// account, so one person may have it in a few.
const maxSameEmail = 5

// SignInRequest is a console sign-in; AccountID 0 means any account.
type SignInRequest struct {
	Email, Password string
	AccountID       int64
}

// SignIn checks a console user's email and password and opens a console
// session; the token is the cookie's value, stored only as its hash. An
// unknown email costs one hash, as a known one does.
func (s *Service) SignIn(ctx context.Context, req SignInRequest) (*database.ConsoleSession, *database.ConsoleUser, string, error) {
	users, err := s.DB.ConsoleUsersByEmail(ctx, normalEmail(req.Email), req.AccountID, maxSameEmail)
	if err != nil {
		return nil, nil, "", err
	}
	if len(users) == 0 {
		if _, err := s.Hashes.Check(ctx, s.dummyHash(), req.Password); errors.Is(err, ErrBusy) || ctx.Err() != nil {
			return nil, nil, "", errors.Join(err, ctx.Err())
		}
		return nil, nil, "", ErrWrongPassword
	}
	var matched []*database.ConsoleUser
	for i := range users {
		ok, err := s.Hashes.Check(ctx, users[i].PasswordHash, req.Password)
		if errors.Is(err, ErrBusy) || ctx.Err() != nil {
			return nil, nil, "", errors.Join(err, ctx.Err())
		}
		if ok && err == nil { // a damaged hash signs nobody in
			matched = append(matched, &users[i])
		}
	}
	switch {
	case len(matched) == 0:
		return nil, nil, "", ErrWrongPassword
	case len(matched) > 1:
		return nil, nil, "", ErrChooseAccount
	}
	u := matched[0]
	token := randomText(32)
	now := s.Now()
	sess := &database.ConsoleSession{UserID: u.ID, TokenHash: database.HashToken(token), CSRF: randomText(32),
		ExpiresAt: now.Add(ConsoleSessionLifetime), CreatedAt: now}
	if err := s.DB.CreateConsoleSession(ctx, sess); err != nil {
		return nil, nil, "", err
	}
	return sess, u, token, nil
}

// dummyHash is a hash to check unknown emails against.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		s.dummy, _ = s.Hashes.Hash(context.Background(), NewPassword())
	})
	return s.dummy
}

// ConsoleSession finds the live session a cookie's token opens, with its user.
func (s *Service) ConsoleSession(ctx context.Context, token string) (*database.ConsoleSession, *database.ConsoleUser, error) {
	return s.DB.ConsoleSessionByToken(ctx, token, s.Now())
}

// SignOut ends a console session.
func (s *Service) SignOut(ctx context.Context, sessionID int64) error {
	return s.DB.DeleteConsoleSession(ctx, sessionID)
}
