package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
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
