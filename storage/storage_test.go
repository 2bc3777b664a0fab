package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/testenv"
	"github.com/veridoc/veridoc/storage"
)

// stores runs the same contract on the disk store (served by a real HTTP
// server, as the app does) and on the real S3 server.
func stores(t *testing.T) map[string]func(t *testing.T, now func() time.Time) storage.Store {
	return map[string]func(t *testing.T, now func() time.Time) storage.Store{
		"disk": func(t *testing.T, now func() time.Time) storage.Store {
			srv := httptest.NewUnstartedServer(nil)
			signer, err := storage.NewSigner(bytes.Repeat([]byte("k"), 32), now)
			if err != nil {
				t.Fatal(err)
			}
			d, err := storage.NewDisk(t.TempDir(), "http://"+srv.Listener.Addr().String(), signer)
			if err != nil {
				t.Fatal(err)
			}
			srv.Config.Handler = d
			srv.Start()
			t.Cleanup(srv.Close)
			return d
		},
		"s3": func(t *testing.T, _ func() time.Time) storage.Store {
			s, err := storage.NewS3(context.Background(), testenv.S3Options(t))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
}

func TestStoreContract(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := open(t, time.Now)
			if err := st.Ping(ctx); err != nil {
				t.Fatalf("ping: %v", err)
			}
			payload := bytes.Repeat([]byte("veridoc\x00\xff"), 300_000) // ~2.7 MB, binary
			key := "acct/1/photos/original.jpg"
			if err := st.Put(ctx, key, bytes.NewReader(payload), int64(len(payload)), "image/jpeg"); err != nil {
				t.Fatalf("put: %v", err)
			}
			rc, info, err := st.Get(ctx, key)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, payload) || info.Size != int64(len(payload)) || info.ContentType != "image/jpeg" {
				t.Fatalf("round trip: %d bytes, info %+v", len(got), info)
			}

			// A signed URL downloads the object without credentials.
			u, err := st.SignedURL(ctx, key, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if status, body := fetch(t, u); status != 200 || !bytes.Equal(body, payload) {
				t.Fatalf("signed URL: %d, %d bytes", status, len(body))
			}
			// A tampered URL is refused.
			if status, _ := fetch(t, tamper(t, u)); status < 400 {
				t.Fatalf("tampered URL answered %d", status)
			}

			// Replace, delete, delete again.
			if err := st.Put(ctx, key, strings.NewReader("v2"), 2, "text/plain"); err != nil {
				t.Fatal(err)
			}
			rc, _, _ = st.Get(ctx, key)
			if b, _ := io.ReadAll(rc); string(b) != "v2" {
				t.Fatalf("after replace: %q", b)
			}
			rc.Close()
			if err := st.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.Get(ctx, key); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("get after delete: %v", err)
			}
			if err := st.Delete(ctx, key); err != nil {
				t.Fatalf("deleting a missing object: %v", err)
			}
			for _, bad := range []string{"../etc/passwd", "/abs", "a//b", "a/./b", "a\\b", ""} {
				if err := st.Put(ctx, bad, strings.NewReader("x"), 1, "text/plain"); err == nil {
					t.Errorf("key %q accepted", bad)
				}
			}
		})
	}
}

// Expiry is checked on both stores with the clock they really use: S3 presigns
// with a short lifetime; the disk store's clock is moved forward.
func TestSignedURLExpires(t *testing.T) {
	ctx := context.Background()
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			clock := time.Now()
			st := open(t, func() time.Time { return clock })
			if err := st.Put(ctx, "k/x.txt", strings.NewReader("hello"), 5, "text/plain"); err != nil {
				t.Fatal(err)
			}
			ttl := time.Second
			u, err := st.SignedURL(ctx, "k/x.txt", ttl)
			if err != nil {
				t.Fatal(err)
			}
			if status, _ := fetch(t, u); status != 200 {
				t.Fatalf("fresh URL: %d", status)
			}
			if name == "disk" {
				clock = clock.Add(2 * ttl)
				if status, _ := fetch(t, u); status != 403 {
					t.Fatalf("expired URL answered %d", status)
				}
				return
			}
			// The S3 server checks the expiry against its own clock, from a
			// signing time in whole seconds: wait for the URL to stop working.
			testenv.WaitFor(t, 10*time.Second, "the signed URL to expire", func() bool {
				status, _ := fetch(t, u)
				return status == 403
			})
		})
	}
}

func fetch(t *testing.T, u string) (int, []byte) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// tamper points a signed URL at another object, keeping the signature.
func tamper(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = strings.Replace(u.Path, "original", "other", 1)
	return u.String()
}

func TestSignerRejects(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s, err := storage.NewSigner(bytes.Repeat([]byte("s"), 32), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	q := s.Query("a/b", time.Minute)
	cases := []struct {
		name string
		key  string
		mod  func(url.Values)
		want error
	}{
		{"valid", "a/b", func(url.Values) {}, nil},
		{"other key", "a/c", func(url.Values) {}, storage.ErrBadSignature},
		{"later expiry", "a/b", func(v url.Values) { v.Set("expires", "9999999999") }, storage.ErrBadSignature},
		{"no signature", "a/b", func(v url.Values) { v.Del("signature") }, storage.ErrBadSignature},
		{"bad expiry", "a/b", func(v url.Values) { v.Set("expires", "soon") }, storage.ErrBadSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{}
			for k, vs := range q {
				v[k] = append([]string(nil), vs...)
			}
			tc.mod(v)
			if err := s.Verify(tc.key, v); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := storage.NewSigner([]byte("short"), time.Now); err == nil {
		t.Error("short signing key accepted")
	}
}
