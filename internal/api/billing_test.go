package api_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/billing"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

func TestBillingBalanceAndTiers(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *testenv.Server) {
		c, accID, _, _ := apitest.Account(t, s, "tiers")
		r := c.Call("billing.balance", nil)
		if r.Status != 200 || r.Str("balance_usd") != "0.00" || r.Str("tier") != "Base" || r.Str("rate_per_photo") != "0.50" ||
			r.Num("photos_available") != 0 || r.Num("photos_processed") != 0 || r.Str("currency") != "USD" {
			t.Fatalf("new account: %s", r.Raw)
		}
		ctx := context.Background()
		steps := []struct {
			deposit        string
			balance, tier  string
			rate           string
			photosAvailble int64
		}{
			{"99.99", "99.99", "Base", "0.50", 199},
			{"0.01", "100.00", "Starter", "0.40", 250},
			{"149.99", "249.99", "Starter", "0.40", 624},
			{"0.01", "250.00", "Professional", "0.30", 833},
			{"250.00", "500.00", "Enterprise", "0.20", 2500},
		}
		for _, st := range steps {
			amount, _ := billing.ParseUSD(st.deposit)
			if _, err := s.DB.Deposit(ctx, accID, int64(amount), "test"); err != nil {
				t.Fatal(err)
			}
			r := c.Call("billing.balance", nil)
			if r.Str("balance_usd") != st.balance || r.Str("tier") != st.tier || r.Str("rate_per_photo") != st.rate ||
				r.Num("photos_available") != st.photosAvailble || r.Str("lifetime_deposits_usd") != st.balance {
				t.Errorf("after depositing %s: %s", st.deposit, r.Raw)
			}
		}
	})
}

func TestDepositsAndTransactions(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *testenv.Server) {
		live, _, _, _ := apitest.Account(t, s, "live")
		if r := live.Call("billing.deposit", map[string]any{"amount_usd": "10.00"}); r.Status != 403 || r.Str("error_name") != "SandboxOnly" {
			t.Fatalf("live account deposit: %s", r.Raw)
		}
		ctx := context.Background()
		sb, err := s.DB.CreateAccount(ctx, "sandbox", true)
		if err != nil {
			t.Fatal(err)
		}
		k, secret, _ := s.DB.CreateAPIKey(ctx, sb.ID, "k")
		c := &apitest.Client{T: t, Base: s.URL, Auth: apitest.Basic(k.PublicKey, secret)}
		for _, bad := range []any{"-5", "0", "1.001", "ten", 10} {
			r := c.Call("billing.deposit", map[string]any{"amount_usd": bad})
			if r.Status != 400 {
				t.Errorf("amount %v: %s", bad, r.Raw)
			}
		}
		first := c.Call("billing.deposit", map[string]any{"amount_usd": "10.50"})
		if first.Status != 200 || first.Str("type") != "deposit" || first.Str("amount_usd") != "10.50" || first.Str("balance_after_usd") != "10.50" || first.Body["task_id"] != nil {
			t.Fatalf("deposit: %s", first.Raw)
		}
		// Deposits are side effects: a retry with the same key does not deposit twice.
		ic := c.With("Idempotency-Key", "dep-1")
		a, b := ic.Call("billing.deposit", map[string]any{"amount_usd": "5"}), ic.Call("billing.deposit", map[string]any{"amount_usd": "5"})
		if a.Raw != b.Raw || a.Str("balance_after_usd") != "15.50" {
			t.Fatalf("retried deposit: %s / %s", a.Raw, b.Raw)
		}
		if r := c.Call("billing.balance", nil); r.Str("balance_usd") != "15.50" {
			t.Fatalf("balance after retried deposit: %s", r.Raw)
		}

		list := c.Call("transaction.list", map[string]any{"type": "deposit"})
		if data := list.Body["data"].([]any); len(data) != 2 {
			t.Fatalf("deposits listed: %s", list.Raw)
		}
		if r := c.Call("transaction.list", map[string]any{"type": "charge"}); len(r.Body["data"].([]any)) != 0 {
			t.Fatalf("charges listed: %s", r.Raw)
		}
		if r := c.Call("transaction.list", map[string]any{"type": "gift"}); r.Status != 400 {
			t.Fatalf("unknown type: %s", r.Raw)
		}
		future := time.Now().UTC().Add(time.Hour).Format(time.RFC3339)
		if r := c.Call("transaction.list", map[string]any{"created_after": future}); len(r.Body["data"].([]any)) != 0 {
			t.Fatalf("created_after filter: %s", r.Raw)
		}
		if r := c.Call("transaction.list", map[string]any{"created_before": future}); len(r.Body["data"].([]any)) != 2 {
			t.Fatalf("created_before filter: %s", r.Raw)
		}
		if r := c.Call("transaction.list", map[string]any{"created_before": "tomorrow"}); r.Status != 400 {
			t.Fatalf("bad timestamp: %s", r.Raw)
		}
		got := c.Call("transaction.get", map[string]any{"id": first.Num("id")})
		if got.Raw != first.Raw {
			t.Fatalf("get: %s, created %s", got.Raw, first.Raw)
		}
		if r := live.Call("transaction.get", map[string]any{"id": first.Num("id")}); r.Status != 404 || r.Str("error_name") != "TransactionNotFound" {
			t.Fatalf("another account's transaction: %s", r.Raw)
		}
	})
}

// The limit is per account (all its keys together) and shared by every API
// process on the database. A process counts its own requests exactly and
// adds them to the shared count every sync interval; it learns the others'
// counts when it syncs, so the limit can be exceeded by what one process
// admits within one interval.
func TestRateLimitAcrossProcesses(t *testing.T) {
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			url := dbk.URL(t)
			fast := testenv.WithConfig(func(c *config.Config) { c.RateSyncInterval = 100 * time.Millisecond })
			one, two := testenv.NewServer(t, url, fast), testenv.NewServer(t, url, fast)
			c1, accID, pub, secret := apitest.Account(t, one, "limited")
			if err := one.DB.SetRateLimit(context.Background(), accID, 5); err != nil {
				t.Fatal(err)
			}
			c2 := &apitest.Client{T: t, Base: two.URL, Auth: apitest.Basic(pub, secret)}
			expect := func(c *apitest.Client, remaining int) {
				t.Helper()
				r := c.Call("account.get", nil)
				if r.Status != 200 || r.Header.Get("RateLimit-Limit") != "5" || r.Header.Get("RateLimit-Remaining") != strconv.Itoa(remaining) {
					t.Fatalf("want 200 with %d remaining: %d, limit %q remaining %q", remaining, r.Status, r.Header.Get("RateLimit-Limit"), r.Header.Get("RateLimit-Remaining"))
				}
				if r.Header.Get("RateLimit-Scope") != "account" || r.Header.Get("RateLimit-Policy") != "5;w=3600" {
					t.Fatalf("RateLimit-Scope %q, RateLimit-Policy %q", r.Header.Get("RateLimit-Scope"), r.Header.Get("RateLimit-Policy"))
				}
				if reset, _ := strconv.Atoi(r.Header.Get("RateLimit-Reset")); reset < 1 || reset > 3600 {
					t.Fatalf("RateLimit-Reset %q", r.Header.Get("RateLimit-Reset"))
				}
			}
			for i := 1; i <= 3; i++ {
				expect(c1, 5-i)
			}
			bucket := func() int64 {
				n, _ := one.DB.PeekRate(context.Background(), fmt.Sprintf("account:%d", accID), time.Now().UTC().Truncate(time.Hour))
				return n
			}
			testenv.WaitFor(t, 5*time.Second, "the first process to share its count", func() bool { return bucket() == 3 })
			// The second process starts from the shared count.
			expect(c2, 1)
			expect(c2, 0)
			r := c2.Call("account.get", nil)
			if r.Status != 429 || r.Str("error_name") != "RateLimited" || r.Header.Get("Retry-After") == "" || r.Header.Get("RateLimit-Remaining") != "0" {
				t.Fatalf("over the limit: %d %s %v", r.Status, r.Raw, r.Header)
			}
			// The first process refuses too once it has synced.
			admitted := 0
			testenv.WaitFor(t, 5*time.Second, "the first process to learn the shared count", func() bool {
				if c1.Call("account.get", nil).Status == 429 {
					return true
				}
				admitted++
				return false
			})
			t.Logf("the first process admitted %d requests over the limit before it synced", admitted)
			// Another key of the same account spends the same budget.
			k, s2, _ := one.DB.CreateAPIKey(context.Background(), accID, "second")
			if r := (&apitest.Client{T: t, Base: two.URL, Auth: apitest.Basic(k.PublicKey, s2)}).Call("account.get", nil); r.Status != 429 ||
				!strings.HasPrefix(r.Str("error_message"), "This account made more than 5 requests") {
				t.Fatalf("second key: %s", r.Raw)
			}
		})
	}
}

// With VERIDOC_RATE_LIMIT_SCOPE=key each API key has its own budget, and
// the headers and the refusal say so.
func TestRateLimitPerKey(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.RateLimitScope = "key" }))
	c1, accID, _, _ := apitest.Account(t, s, "per-key")
	if err := s.DB.SetRateLimit(context.Background(), accID, 2); err != nil {
		t.Fatal(err)
	}
	k, secret, err := s.DB.CreateAPIKey(context.Background(), accID, "second")
	if err != nil {
		t.Fatal(err)
	}
	c2 := &apitest.Client{T: t, Base: s.URL, Auth: apitest.Basic(k.PublicKey, secret)}
	for _, c := range []*apitest.Client{c1, c1, c2, c2} {
		if r := c.Call("account.get", nil); r.Status != 200 || r.Header.Get("RateLimit-Scope") != "key" {
			t.Fatalf("within each key's budget: %d %q", r.Status, r.Header.Get("RateLimit-Scope"))
		}
	}
	for _, c := range []*apitest.Client{c1, c2} {
		if r := c.Call("account.get", nil); r.Status != 429 || !strings.HasPrefix(r.Str("error_message"), "This API key made more than 2 requests") {
			t.Fatalf("over a key's budget: %s", r.Raw)
		}
	}
}

// An authenticated request writes nothing: the key comes from the cache after
// the first request, its last use is recorded once a minute, and the rate
// count is added to the database in the background.
func TestAuthenticatedRequestsDoNotWrite(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.RateSyncInterval = time.Minute }))
	c, accID, _, _ := apitest.Account(t, s, "reader")
	for i := 0; i < 20; i++ {
		if r := c.Call("account.get", nil); r.Status != 200 || r.Header.Get("RateLimit-Remaining") != strconv.Itoa(999-i) {
			t.Fatalf("request %d: %d remaining %q", i, r.Status, r.Header.Get("RateLimit-Remaining"))
		}
	}
	var counters int
	if err := s.DB.SQL.QueryRow("SELECT count(*) FROM rate_counters").Scan(&counters); err != nil {
		t.Fatal(err)
	}
	if counters != 0 {
		t.Errorf("%d rate counter rows written during the sync interval", counters)
	}
	keys, err := s.DB.ListAPIKeys(context.Background(), accID, 0, 10)
	if err != nil || len(keys) != 1 || keys[0].LastUsedAt == nil {
		t.Fatalf("last use not recorded: %v %+v", err, keys)
	}
}

func TestFailedAuthIsThrottledPerIP(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.AuthFailuresPerHour = 3 }))
	good, _, pub, _ := apitest.Account(t, s, "victim")
	bad := &apitest.Client{T: t, Base: s.URL, Auth: apitest.Basic(pub, "secret-guess")}
	for i := 0; i < 3; i++ {
		if r := bad.Call("account.get", nil); r.Status != 401 {
			t.Fatalf("attempt %d: %d", i, r.Status)
		}
	}
	r := bad.Call("account.get", nil)
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("after 3 failures: %d %s", r.Status, r.Raw)
	}
	// The address is blocked, even with the right credentials, until the window ends.
	if r := good.Call("account.get", nil); r.Status != 429 {
		t.Fatalf("good credentials from the blocked address: %d", r.Status)
	}
}

// A key revoked through one API process stops working in another within the
// key cache's TTL (2 s by default; the bound promised is 5 s).
func TestRevocationReachesOtherProcesses(t *testing.T) {
	url := testenv.SQLiteURL(t)
	one, two := testenv.NewServer(t, url), testenv.NewServer(t, url)
	c1, _, _, _ := apitest.Account(t, one, "revoker")
	victim := c1.Call("api_key.create", map[string]any{"name": "to revoke"})
	c2 := &apitest.Client{T: t, Base: two.URL, Auth: apitest.Basic(victim.Str("public_key"), victim.Str("secret"))}
	if r := c2.Call("account.get", nil); r.Status != 200 { // now cached in two
		t.Fatalf("before revocation: %s", r.Raw)
	}
	if r := c1.Call("api_key.delete", map[string]any{"id": victim.Num("id")}); r.Status != 200 {
		t.Fatalf("revoke: %s", r.Raw)
	}
	revoked := time.Now()
	testenv.WaitFor(t, 5*time.Second, "the other process to refuse the revoked key", func() bool {
		return c2.Call("account.get", nil).Status == 401
	})
	t.Logf("refused by the other process %s after revocation", time.Since(revoked).Round(10*time.Millisecond))
}
