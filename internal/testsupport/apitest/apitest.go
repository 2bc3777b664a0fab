// Package apitest speaks to a test server as integrators and staff do: a JSON
// client for the API methods (every error it sees must be in the catalogue)
// and a cookie-keeping browser for the console's forms.
package apitest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// Client speaks to a test server over real HTTP.
type Client struct {
	T      testing.TB
	Base   string
	Auth   string // Authorization header value
	Header http.Header
}

// Reply is an answer: always a JSON object.
type Reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

// Str is a string property of the answer ("" when absent).
func (r Reply) Str(k string) string { s, _ := r.Body[k].(string); return s }

// Num is a number property of the answer (0 when absent).
func (r Reply) Num(k string) int64 { f, _ := r.Body[k].(float64); return int64(f) }

// Basic is the Authorization header of an API key pair.
func Basic(pub, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(pub+":"+secret))
}

// B64 is standard base64, as the API takes files.
func B64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// With is a copy of the client that sends one more header.
func (c *Client) With(h, v string) *Client {
	cp := *c
	cp.Header = c.Header.Clone()
	if cp.Header == nil {
		cp.Header = http.Header{}
	}
	cp.Header.Set(h, v)
	return &cp
}

// Device is the end user's side of a session: the client with its token.
func Device(c *Client, token string) *Client {
	cp := *c
	cp.Auth = "Bearer " + token
	return &cp
}

// Do sends any HTTP method and body to a path.
func (c *Client) Do(httpMethod, path string, body []byte) Reply {
	c.T.Helper()
	req, err := http.NewRequest(httpMethod, c.Base+path, bytes.NewReader(body))
	if err != nil {
		c.T.Fatal(err)
	}
	if c.Auth != "" {
		req.Header.Set("Authorization", c.Auth)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", httpMethod, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := Reply{Status: res.StatusCode, Header: res.Header, Raw: string(b)}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		c.T.Fatalf("%s %s: Content-Type %q, body %q: every answer must be JSON", httpMethod, path, ct, b)
	}
	if err := json.Unmarshal(b, &r.Body); err != nil {
		c.T.Fatalf("%s %s: answer is not a JSON object: %q", httpMethod, path, b)
	}
	// Every error any test provokes must be one of the catalogue's.
	if name, ok := r.Body["error_name"].(string); ok && !rpc.Known(name) {
		c.T.Errorf("%s %s: error_name %q is not in the catalogue", httpMethod, path, name)
	}
	return r
}

// Call posts a body (a string is sent as is, anything else as JSON) to a method.
func (c *Client) Call(method string, body any) Reply {
	c.T.Helper()
	var b []byte
	switch v := body.(type) {
	case nil:
	case string:
		b = []byte(v)
	default:
		b, _ = json.Marshal(v)
	}
	return c.Do(http.MethodPost, "/api/v1/"+method, b)
}

// Account makes an account with a full key on the server's database and
// returns a client for it, the account's id and the key pair.
func Account(t testing.TB, s *testenv.Server, name string) (*Client, int64, string, string) {
	t.Helper()
	return account(t, s, name, false)
}

// SandboxAccount is Account for a sandbox account (test money, magic values).
func SandboxAccount(t testing.TB, s *testenv.Server, name string) (*Client, int64, string, string) {
	t.Helper()
	return account(t, s, name, true)
}

func account(t testing.TB, s *testenv.Server, name string, sandbox bool) (*Client, int64, string, string) {
	t.Helper()
	ctx := context.Background()
	a, err := s.DB.CreateAccount(ctx, name, sandbox)
	if err != nil {
		t.Fatal(err)
	}
	k, secret, err := s.DB.CreateAPIKey(ctx, a.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return &Client{T: t, Base: s.URL, Auth: Basic(k.PublicKey, secret)}, a.ID, k.PublicKey, secret
}
