package client_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/veridoc/veridoc/client"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// proxy sits between the SDK and a real server and misbehaves as told: fail
// answers the nth request itself (0 = forward).
type proxy struct {
	*httptest.Server
	mu   sync.Mutex
	seen []*http.Request
	fail func(n int, r *http.Request, w http.ResponseWriter, forward func()) bool
}

func newProxy(t *testing.T, target string) *proxy {
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &proxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		n := len(p.seen)
		p.seen = append(p.seen, r.Clone(context.Background()))
		fail := p.fail
		p.mu.Unlock()
		if fail != nil && fail(n, r, w, func() { rp.ServeHTTP(httptest.NewRecorder(), r) }) {
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *proxy) requests() []*http.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.seen)
}

func setup(t *testing.T) (*testenv.Server, string, string) {
	models := testenv.ModelsDir(t)
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) {
		c.ModelsDir = models
		c.CallbackAllow = []string{"127.0.0.1/32"}
	}))
	ctx := context.Background()
	a, err := s.DB.CreateAccount(ctx, "sdk", true)
	if err != nil {
		t.Fatal(err)
	}
	k, secret, err := s.DB.CreateAPIKey(ctx, a.ID, "sdk")
	if err != nil {
		t.Fatal(err)
	}
	return s, k.PublicKey, secret
}

func TestSDKMatchesServer(t *testing.T) {
	s, _, _ := setup(t)
	var server []string
	for _, m := range s.Registry.Methods() {
		server = append(server, m.Name)
	}
	if !slices.Equal(server, client.MethodNames) {
		t.Fatalf("SDK methods %v\nserver methods %v", client.MethodNames, server)
	}
}

func TestSDKSessionFlow(t *testing.T) {
	s, pub, secret := setup(t)
	ctx := context.Background()
	c := client.New(s.URL, pub, secret, client.WithRetries(4, 10*time.Millisecond))

	got := make(chan []byte, 10)
	var whSecret string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := client.VerifyWebhook(whSecret, r.Header, body); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		got <- body
	}))
	defer recv.Close()
	sec, err := c.WebhookSecret.Rotate(ctx, &client.WebhookSecretRotateRequest{})
	if err != nil {
		t.Fatal(err)
	}
	whSecret = sec.Secret
	if err := client.VerifyWebhook("whsec_"+base64.StdEncoding.EncodeToString([]byte("another secret, 32 bytes long..")), http.Header{}, nil); !errors.Is(err, client.ErrBadSignature) {
		t.Fatalf("unsigned request: %v", err)
	}

	created, err := c.Session.Create(ctx, &client.SessionCreateRequest{CallbackURL: recv.URL, FaceVerification: true, Reference: "sdk"})
	if err != nil {
		t.Fatal(err)
	}
	anna := testdocs.Person{Code: "P<", Issuer: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Number: "L898902C3",
		Nationality: "UTO", Birth: "740812", Sex: "F", Expiry: "340415", Optional: "ZE184226B"}
	doc := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: testenv.ReadPhoto(t, testenv.PhotoGraceHopper)})
	dev := client.NewWithToken(s.URL, created.Token)
	for kind, img := range map[string][]byte{"document_front": doc, "selfie": testenv.ReadPhoto(t, testenv.PhotoGrace512)} {
		if _, err := dev.Session.Upload(ctx, &client.SessionUploadRequest{Kind: kind, Image: base64.StdEncoding.EncodeToString(img)}); err != nil {
			t.Fatalf("upload %s: %v", kind, err)
		}
	}
	if _, err := dev.Session.Submit(ctx, &client.SessionSubmitRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err = dev.Session.Submit(ctx, &client.SessionSubmitRequest{})
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, client.ErrConflict) || apiErr.Name != "SessionSubmitted" || apiErr.RequestID == "" {
		t.Fatalf("second submit: %#v", err)
	}
	var sess *client.Session
	testenv.WaitFor(t, 90*time.Second, "the session decision", func() bool {
		if sess, err = c.Session.Get(ctx, &client.SessionIDRequest{ID: created.ID}); err != nil {
			t.Fatal(err)
		}
		return sess.State == "APPROVED" || sess.State == "DECLINED"
	})
	if sess.State != "APPROVED" || sess.Surname != "ERIKSSON" || sess.FaceMatchScore == nil || sess.Created.IsZero() {
		t.Fatalf("session %+v", sess)
	}
	select {
	case <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("no verified callback arrived")
	}
	_, err = c.Session.Get(ctx, &client.SessionIDRequest{ID: 1 << 40})
	if !errors.Is(err, client.ErrNotFound) || !errors.Is(err, &client.Error{Name: "SessionNotFound"}) {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestSDKRetries(t *testing.T) {
	s, pub, secret := setup(t)
	ctx := context.Background()

	t.Run("a lost answer is retried with the same Idempotency-Key and creates once", func(t *testing.T) {
		p := newProxy(t, s.URL)
		p.fail = func(n int, r *http.Request, w http.ResponseWriter, forward func()) bool {
			if n == 0 {
				forward() // the server creates it, the client never hears
				w.WriteHeader(http.StatusBadGateway)
				return true
			}
			return false
		}
		c := client.New(p.URL, pub, secret, client.WithRetries(4, 10*time.Millisecond))
		created, err := c.Session.Create(ctx, &client.SessionCreateRequest{Reference: "once"})
		if err != nil {
			t.Fatal(err)
		}
		reqs := p.requests()
		if len(reqs) != 2 || reqs[0].Header.Get("Idempotency-Key") == "" || reqs[0].Header.Get("Idempotency-Key") != reqs[1].Header.Get("Idempotency-Key") {
			t.Fatalf("%d attempts, keys %q %q", len(reqs), reqs[0].Header.Get("Idempotency-Key"), reqs[len(reqs)-1].Header.Get("Idempotency-Key"))
		}
		list, err := c.Session.List(ctx, &client.SessionListRequest{Reference: "once"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Data) != 1 || list.Data[0].ID != created.ID {
			t.Fatalf("sessions %+v", list.Data)
		}
	})
	t.Run("5xx and network errors are retried up to 4 times", func(t *testing.T) {
		p := newProxy(t, s.URL)
		p.fail = func(n int, r *http.Request, w http.ResponseWriter, _ func()) bool {
			if n == 0 { // drop the connection
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
				return true
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		c := client.New(p.URL, pub, secret, client.WithRetries(4, 10*time.Millisecond))
		_, err := c.Account.Get(ctx, &client.AccountGetRequest{})
		if !errors.Is(err, client.ErrServer) || len(p.requests()) != 5 {
			t.Fatalf("err %v after %d attempts, want 5 attempts", err, len(p.requests()))
		}
	})
	t.Run("4xx is never retried", func(t *testing.T) {
		p := newProxy(t, s.URL)
		c := client.New(p.URL, pub, secret, client.WithRetries(4, 10*time.Millisecond))
		if _, err := c.Session.Get(ctx, &client.SessionIDRequest{ID: 1 << 40}); !errors.Is(err, client.ErrNotFound) || len(p.requests()) != 1 {
			t.Fatalf("err %v after %d attempts", err, len(p.requests()))
		}
	})
	t.Run("429 waits for Retry-After", func(t *testing.T) {
		p := newProxy(t, s.URL)
		p.fail = func(n int, r *http.Request, w http.ResponseWriter, _ func()) bool {
			if n == 0 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(`{"error_name":"RateLimited","error_message":"slow down"}`))
				return true
			}
			return false
		}
		c := client.New(p.URL, pub, secret, client.WithRetries(4, 10*time.Millisecond))
		t0 := time.Now()
		if _, err := c.Account.Get(ctx, &client.AccountGetRequest{}); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(t0); waited < time.Second {
			t.Fatalf("retried after %s, before Retry-After", waited)
		}
	})
	t.Run("photo task wait", func(t *testing.T) {
		c := client.New(s.URL, pub, secret)
		if _, err := c.Billing.Deposit(ctx, &client.DepositRequest{AmountUSD: "5.00"}); err != nil {
			t.Fatal(err)
		}
		specs, err := c.Specification.List(ctx, &client.SpecificationListRequest{CountryCode: "US"})
		if err != nil || len(specs.Data) == 0 {
			t.Fatal(err)
		}
		res, err := c.Photo.Process(ctx, &client.PhotoProcessRequest{Photo: base64.StdEncoding.EncodeToString(testenv.ReadPhoto(t, testenv.PhotoNoFace)), SpecID: specs.Data[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		task, err := c.Tasks.Wait(wctx, res.TaskID)
		if err != nil || task.State != "FAILURE" || task.ErrorCode != "NO_FACE_DETECTED" {
			t.Fatalf("task %+v, %v", task, err)
		}
	})
}

// ListAll yields the first error and stops: a bad cursor is one.
func TestListAllStopsAtAnError(t *testing.T) {
	c := client.New(example.url, example.publicKey, example.secret)
	var errs, items int
	for _, err := range c.Session.ListAll(t.Context(), &client.SessionListRequest{ListRequest: client.ListRequest{Cursor: "not-a-cursor"}}) {
		if err != nil {
			errs++
			if !errors.Is(err, client.ErrInvalidRequest) {
				t.Errorf("error %v, want InvalidRequest", err)
			}
			continue
		}
		items++
	}
	if errs != 1 || items != 0 {
		t.Fatalf("%d errors, %d items", errs, items)
	}
}
