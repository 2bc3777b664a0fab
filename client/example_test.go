package client_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/veridoc/veridoc/client"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// example is the server the examples call: a real one, on SQLite, started
// once for the package's tests.
var example struct {
	url, publicKey, secret string
}

func TestMain(m *testing.M) {
	os.Exit(runWithExampleServer(m))
}

func runWithExampleServer(m *testing.M) int {
	dir, err := os.MkdirTemp("", "veridoc-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	s, stop, err := testenv.StartServer("sqlite://"+dir+"/examples.db", dir, io.Discard,
		func(c *config.Config) { c.Workers = 0 })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stop()
	_, key, err := s.Accounts.Create(context.Background(), "Example Inc.", true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	example.url, example.publicKey, example.secret = s.URL, key.PublicKey, key.Secret
	return m.Run()
}

func Example() {
	ctx := context.Background()
	c := client.New(example.url, example.publicKey, example.secret)
	acc, err := c.Account.Get(ctx, &client.AccountGetRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(acc.Name, acc.Sandbox)
	// Output: Example Inc. true
}

// A verification session: the integrator opens it, the end user's device
// uploads with the session's token.
func ExampleSessionService_Create() {
	ctx := context.Background()
	c := client.New(example.url, example.publicKey, example.secret)
	s, err := c.Session.Create(ctx, &client.SessionCreateRequest{Reference: "order-17"})
	if err != nil {
		fmt.Println(err)
		return
	}
	device := client.NewWithToken(example.url, s.Token)
	path, _ := testenv.PhotoGrace512.Find() // any JPEG or PNG portrait
	selfie, _ := os.ReadFile(path)
	up, err := device.Session.Upload(ctx, &client.SessionUploadRequest{Kind: "selfie", Image: base64.StdEncoding.EncodeToString(selfie)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(up.State)
	// Output: UPLOADING
}

// Errors carry the API's error_name; errors.Is matches them by name or by
// their HTTP status.
func ExampleError() {
	ctx := context.Background()
	c := client.New(example.url, example.publicKey, example.secret)
	_, err := c.Session.Get(ctx, &client.SessionIDRequest{ID: 999999})
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Name, e.HTTPStatus, errors.Is(err, client.ErrNotFound))
	}
	// Output: SessionNotFound 404 true
}

// A callback is trusted only once its signature verifies with the account's
// webhook secret.
func ExampleVerifyWebhook() {
	ctx := context.Background()
	c := client.New(example.url, example.publicKey, example.secret)
	rotated, err := c.WebhookSecret.Rotate(ctx, &client.WebhookSecretRotateRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := json.Marshal(map[string]any{"type": "session.approved"})
	forged := map[string][]string{"Webhook-Id": {"msg_1"}, "Webhook-Timestamp": {"1700000000"}, "Webhook-Signature": {"v1,AAAA"}}
	fmt.Println(client.VerifyWebhook(rotated.Secret, forged, body) != nil)
	// Output: true
}

// ListAll walks every page of a list method; here 25 sessions read 10 at a
// time (three pages), newest first.
func ExampleSessionService_ListAll() {
	ctx := context.Background()
	c := client.New(example.url, example.publicKey, example.secret)
	for i := range 25 {
		if _, err := c.Session.Create(ctx, &client.SessionCreateRequest{Reference: fmt.Sprintf("batch-%02d", i)}); err != nil {
			fmt.Println(err)
			return
		}
	}
	n, first, last := 0, "", ""
	req := &client.SessionListRequest{ListRequest: client.ListRequest{Limit: 10}}
	for s, err := range c.Session.ListAll(ctx, req) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if len(s.Reference) < 6 || s.Reference[:6] != "batch-" {
			continue // sessions other examples made
		}
		if n == 0 {
			first = s.Reference
		}
		last = s.Reference
		n++
	}
	fmt.Println(n, first, last, req.Cursor == "")
	// Output: 25 batch-24 batch-00 true
}
