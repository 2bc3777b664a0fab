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

	"github.com/veridoc/veridoc/internal/testenv"
)

func TestAccountCreatePrintsWorkingCredentials(t *testing.T) {
	for _, db := range testenv.Databases() {
		t.Run(db.Name, func(t *testing.T) {
			url := db.URL(t)
			t.Setenv("DATABASE_URL", url)
			t.Setenv("VERIDOC_DATA_DIR", t.TempDir())
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
			s := testenv.NewServer(t, url)
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
	t.Setenv("VERIDOC_DATA_DIR", t.TempDir())
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
	s := testenv.NewServer(t, url)
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
