package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

func TestAccountCreatePrintsWorkingCredentials(t *testing.T) {
	for _, db := range testenv.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			url := db.URL(t)
			t.Setenv("DATABASE_URL", url)
			dir := t.TempDir()
			t.Setenv("VERIDOC_DATA_DIR", dir)
			var out, errOut bytes.Buffer
			if err := run(context.Background(), []string{"account", "create", "--name", "Acme"}, &out, &errOut); err != nil {
				t.Fatalf("account create: %v (%s)", err, errOut.String())
			}
			var creds Credentials
			dec := json.NewDecoder(&out)
			if err := dec.Decode(&creds); err != nil || dec.More() {
				t.Fatalf("stdout is not one JSON object: %q", out.String())
			}
			if creds.AccountID <= 0 || !strings.HasPrefix(creds.PublicKey, "public-key-") || !strings.HasPrefix(creds.Secret, "secret-") {
				t.Fatalf("credentials %+v", creds)
			}
			s := testenv.NewServer(t, url, cliKeys(dir))
			req, _ := http.NewRequest("POST", s.URL+"/api/v1/account.get", nil)
			req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(creds.PublicKey+":"+creds.Secret)))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !strings.Contains(string(body), `"name":"Acme"`) {
				t.Fatalf("account.get with the printed credentials: %d %s", res.StatusCode, body)
			}
		})
	}
}

// cliKeys makes a test server share the CLI's data dir, as processes on one
// machine do: one with another master key could not open the database's
// data keys.
func cliKeys(dir string) testenv.Option {
	return testenv.WithConfig(func(c *config.Config) { c.DataDir, c.MasterKey = dir, "" })
}

func TestCLIErrors(t *testing.T) {
	t.Setenv("VERIDOC_DATA_DIR", t.TempDir())
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"account", "create"}, "--name is required"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"account"}, "subcommand"},
	}
	for _, tc := range cases {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tc.args, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.args, err, tc.want)
		}
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"serve", "--help"}, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "Usage: veridoc serve") {
		t.Errorf("serve --help: %v %q", err, errOut.String())
	}
	t.Setenv("DATABASE_URL", "mysql://nope")
	if err := run(context.Background(), []string{"migrate"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("bad DATABASE_URL: %v", err)
	}
}

func TestAccountDepositAndRateLimit(t *testing.T) {
	url := testenv.SQLiteURL(t)
	t.Setenv("DATABASE_URL", url)
	dir := t.TempDir()
	t.Setenv("VERIDOC_DATA_DIR", dir)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"account", "create", "--name", "Payer"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var creds Credentials
	if err := json.Unmarshal(out.Bytes(), &creds); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(creds.AccountID, 10)
	for _, amount := range []string{"60.00", "40"} {
		out.Reset()
		if err := run(ctx, []string{"account", "deposit", "--account", id, "--amount", amount}, &out, &errOut); err != nil {
			t.Fatalf("deposit %s: %v", amount, err)
		}
	}
	if !strings.Contains(out.String(), `"balance_after_usd":"100.00"`) {
		t.Fatalf("deposit output %q", out.String())
	}
	for _, bad := range [][]string{
		{"account", "deposit", "--account", id, "--amount", "-1"},
		{"account", "deposit", "--account", "999999", "--amount", "1.00"},
		{"account", "rate-limit", "--account", id},
	} {
		if err := run(ctx, bad, &out, &errOut); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if err := run(ctx, []string{"account", "rate-limit", "--account", id, "--per-hour", "2"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	s := testenv.NewServer(t, url, cliKeys(dir))
	var last *http.Response
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest("POST", s.URL+"/api/v1/billing.balance", nil)
		req.SetBasicAuth(creds.PublicKey, creds.Secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if i == 0 && !strings.Contains(string(body), `"tier":"Starter"`) {
			t.Fatalf("balance after $100 of deposits: %s", body)
		}
		last = res
	}
	if last.StatusCode != 429 {
		t.Fatalf("third request with a limit of 2: %d", last.StatusCode)
	}
}

// TestRetentionSweepCommand: veridoc retention sweep --as-of erases what is
// past the default retention as of that time, and prints the counts.
func TestRetentionSweepCommand(t *testing.T) {
	url := testenv.SQLiteURL(t)
	t.Setenv("DATABASE_URL", url)
	dir := t.TempDir()
	t.Setenv("VERIDOC_DATA_DIR", dir)
	t.Setenv("VERIDOC_RETENTION_DAYS", "7")
	t.Setenv("VERIDOC_WORKERS", "0")
	ctx := context.Background()
	s := testenv.NewServer(t, url, cliKeys(dir))
	acc, err := s.DB.CreateAccount(ctx, "kept a week", false)
	if err != nil {
		t.Fatal(err)
	}
	k, secret, err := s.DB.CreateAPIKey(ctx, acc.ID, "k")
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, body string) map[string]any {
		req, _ := http.NewRequest("POST", s.URL+"/api/v1/"+method, strings.NewReader(body))
		req.SetBasicAuth(k.PublicKey, secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return out
	}
	v := call("verification.create", `{"flow": "usps1583", "expected_surname": "ROE"}`)
	id := strconv.FormatFloat(v["id"].(float64), 'f', 0, 64)
	call("verification.cancel", `{"id": `+id+`}`)
	sweep := func(asOf string) string {
		var out, errOut bytes.Buffer
		if err := run(ctx, []string{"retention", "sweep", "--as-of", asOf}, &out, &errOut); err != nil {
			t.Fatalf("sweep: %v (%s)", err, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	if got := sweep(time.Now().UTC().Add(3 * 24 * time.Hour).Format(time.RFC3339)); got != `{"sessions":0,"verifications":0,"photos":0,"skipped":0,"face_tombstones":0}` {
		t.Fatalf("before a week: %s", got)
	}
	if got := sweep(time.Now().UTC().Add(8 * 24 * time.Hour).Format(time.RFC3339)); got != `{"sessions":0,"verifications":1,"photos":0,"skipped":0,"face_tombstones":0}` {
		t.Fatalf("after a week: %s", got)
	}
	if g := call("verification.get", `{"id": `+id+`}`); g["erased"] == nil || g["expected_surname"] != "" {
		t.Fatalf("after the sweep: %v", g)
	}
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"retention", "sweep", "--as-of", "yesterday"}, &out, &errOut); err == nil {
		t.Error("a bad --as-of was accepted")
	}
}

func TestMigrateStatus(t *testing.T) {
	t.Setenv("DATABASE_URL", testenv.SQLiteURL(t))
	t.Setenv("VERIDOC_DATA_DIR", t.TempDir())
	t.Setenv("VERIDOC_WORKERS", "0")
	status := func() string {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"migrate", "status"}, &out, &errOut); err != nil {
			t.Fatalf("migrate status: %v (%s)", err, errOut.String())
		}
		return out.String()
	}
	if got := status(); !strings.Contains(got, "0001") || !strings.Contains(got, "pending") || strings.Contains(got, "applied") {
		t.Fatalf("before migrate:\n%s", got)
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, &out, &errOut); err != nil {
		t.Fatalf("migrate: %v (%s)", err, errOut.String())
	}
	if got := status(); strings.Contains(got, "pending") || !strings.Contains(got, "applied") {
		t.Fatalf("after migrate:\n%s", got)
	}
}
