package accounts_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/domain/billing"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

func service(t *testing.T) *accounts.Service {
	t.Helper()
	return &accounts.Service{DB: testenv.OpenDB(t, testenv.SQLiteURL(t)), Keys: &accounts.KeyCache{TTL: time.Minute},
		Tiers: billing.DefaultTiers, Hashes: accounts.NewHasher(2, time.Second), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return time.Now().UTC() }}
}

func at(d time.Duration) *time.Time { t := time.Now().Add(d).UTC(); return &t }

func TestReachCovers(t *testing.T) {
	cases := []struct {
		name     string
		by, want accounts.Reach
		ok       bool
	}{
		{"full covers anything", accounts.Full, accounts.Reach{Scopes: []string{"photos"}, Expires: at(time.Hour)}, true},
		{"a scope covers itself", accounts.Reach{Scopes: []string{"photos"}}, accounts.Reach{Scopes: []string{"photos"}}, true},
		{"a scope does not cover another", accounts.Reach{Scopes: []string{"photos"}}, accounts.Reach{Scopes: []string{"sessions"}}, false},
		{"a scope does not cover everything", accounts.Reach{Scopes: []string{"keys"}}, accounts.Full, false},
		{"read_only covers reading a class", accounts.Reach{Scopes: []string{"read_only"}}, accounts.Reach{Scopes: []string{"read_only", "photos"}}, true},
		{"read_only does not cover writing", accounts.Reach{Scopes: []string{"read_only"}}, accounts.Reach{Scopes: []string{"photos"}}, false},
		{"read_only does not reach keys", accounts.Reach{Scopes: []string{"read_only"}}, accounts.Reach{Scopes: []string{"read_only", "keys"}}, false},
		{"an expiry covers an earlier one", accounts.Reach{Expires: at(2 * time.Hour)}, accounts.Reach{Expires: at(time.Hour)}, true},
		{"an expiry does not cover a later one", accounts.Reach{Expires: at(time.Hour)}, accounts.Reach{Expires: at(2 * time.Hour)}, false},
		{"an expiry does not cover never", accounts.Reach{Expires: at(time.Hour)}, accounts.Full, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.by.Covers(tc.want); got != tc.ok {
				t.Errorf("Covers = %v, want %v", got, tc.ok)
			}
		})
	}
}

func TestCreateKeyAndUserRules(t *testing.T) {
	s := service(t)
	ctx := context.Background()
	acc, _, err := s.Create(ctx, "rules", false)
	if err != nil {
		t.Fatal(err)
	}
	long := string(make([]byte, accounts.MaxNameLength+1))
	keys := accounts.Reach{Scopes: []string{"keys"}}
	cases := []struct {
		name string
		by   accounts.Reach
		req  accounts.KeyRequest
		rule *fault.Rule // nil: made
	}{
		{"full makes a scoped key", accounts.Full, accounts.KeyRequest{Name: "a", Scopes: []string{"photos"}}, nil},
		{"a name too long", accounts.Full, accounts.KeyRequest{Name: long}, fault.ErrInvalidRequest},
		{"an unknown scope", accounts.Full, accounts.KeyRequest{Scopes: []string{"everything"}}, fault.ErrInvalidRequest},
		{"an expiry in the past", accounts.Full, accounts.KeyRequest{Expires: at(-time.Hour)}, fault.ErrInvalidRequest},
		{"a scoped key inherits its scopes", keys, accounts.KeyRequest{Name: "child"}, nil},
		{"a scoped key grants another scope", keys, accounts.KeyRequest{Scopes: []string{"photos"}}, accounts.ErrPermissionDenied},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := s.CreateKey(ctx, acc.ID, tc.by, tc.req)
			if tc.rule == nil {
				if err != nil || len(k.Secret) < 40 {
					t.Fatalf("%v", err)
				}
				return
			}
			if !tc.rule.Is(err) {
				t.Fatalf("got %v, want %s", err, tc.rule.Name())
			}
		})
	}
	users := []struct {
		name string
		by   accounts.Reach
		req  accounts.UserRequest
		rule *fault.Rule
	}{
		{"an owner by the operator", accounts.Full, accounts.UserRequest{Email: "o@example.com", Role: "owner"}, nil},
		{"the same email again", accounts.Full, accounts.UserRequest{Email: " O@Example.com ", Role: "viewer"}, accounts.ErrUserExists},
		{"a viewer by a keys-only key", keys, accounts.UserRequest{Email: "v@example.com", Role: "viewer"}, accounts.ErrPermissionDenied},
		{"a viewer by a reading key", accounts.Reach{Scopes: []string{"read_only"}}, accounts.UserRequest{Email: "v@example.com", Role: "viewer"}, nil},
		{"a reviewer by a reading key", accounts.Reach{Scopes: []string{"read_only"}}, accounts.UserRequest{Email: "r@example.com", Role: "reviewer"}, accounts.ErrPermissionDenied},
		{"an unknown role", accounts.Full, accounts.UserRequest{Email: "x@example.com", Role: "admin"}, fault.ErrInvalidRequest},
		{"a bad email", accounts.Full, accounts.UserRequest{Email: "nobody", Role: "viewer"}, fault.ErrInvalidRequest},
		{"a short password", accounts.Full, accounts.UserRequest{Email: "p@example.com", Role: "viewer", Password: "short"}, fault.ErrInvalidRequest},
	}
	for _, tc := range users {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.CreateUser(ctx, acc.ID, tc.by, tc.req)
			if (tc.rule == nil && err != nil) || (tc.rule != nil && !tc.rule.Is(err)) {
				t.Fatalf("got %v, want %v", err, tc.rule)
			}
		})
	}
}

// A key revoked through the service stops at once, though it was cached.
func TestRevokedKeyStopsAtOnce(t *testing.T) {
	s := service(t)
	ctx := context.Background()
	acc, k, err := s.Create(ctx, "revoke", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, k.PublicKey, k.Secret, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevokeKey(ctx, acc.ID, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, k.PublicKey, k.Secret, true); !errors.Is(err, accounts.ErrBadCredentials) {
		t.Fatalf("a revoked key authenticated: %v", err)
	}
}

// Only the sandbox takes test money; the operator's deposits go anywhere.
func TestDeposits(t *testing.T) {
	s := service(t)
	ctx := context.Background()
	live, _, _ := s.Create(ctx, "live", false)
	sandbox, _, _ := s.Create(ctx, "sandbox", true)
	if _, err := s.SandboxDeposit(ctx, live.ID, 1000, ""); !accounts.ErrSandboxOnly.Is(err) {
		t.Errorf("live account: %v", err)
	}
	if _, err := s.SandboxDeposit(ctx, sandbox.ID, 1000, ""); err != nil {
		t.Errorf("sandbox: %v", err)
	}
	if _, err := s.Deposit(ctx, live.ID, 1000, "wire"); err != nil {
		t.Errorf("operator: %v", err)
	}
	if _, err := s.Deposit(ctx, 999999, 1000, "wire"); !accounts.ErrNotFound.Is(err) {
		t.Errorf("no account: %v", err)
	}
	b, err := s.Balance(ctx, live.ID)
	if err != nil || b.Balance != 1000 || b.PhotosAvailable != int64(1000/b.Tier.Rate) {
		t.Errorf("balance %+v %v", b, err)
	}
}

// Password hashes run at most the hasher's limit at once; one that finds no
// slot within its wait is refused, not queued without end.
func TestHasherBound(t *testing.T) {
	h := accounts.NewHasher(1, time.Millisecond)
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := h.Hash(ctx, "first password 1"); err != nil {
			t.Error(err)
		}
	}()
	for deadline := time.Now().Add(5 * time.Second); h.Running() == 0; { // an argon2id hash of 64 MiB takes tens of ms
		if time.Now().After(deadline) {
			t.Fatal("the first hash never started")
		}
	}
	if _, err := h.Hash(ctx, "second password"); !accounts.ErrBusy.Is(err) {
		t.Errorf("a second hash beside the first: %v", err)
	}
	wg.Wait()
	if phc, err := h.Hash(ctx, "third password 3"); err != nil {
		t.Errorf("once free: %v", err)
	} else if ok, err := h.Check(ctx, phc, "third password 3"); !ok || err != nil {
		t.Errorf("check: %v %v", ok, err)
	}
}
