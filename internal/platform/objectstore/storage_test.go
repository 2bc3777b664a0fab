package objectstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// stores runs the same contract on a sealed disk store and a sealed store on
// the real S3 server, each served by a real HTTP server as the app does.
func stores(t *testing.T) map[string]func(t *testing.T, now func() time.Time) *objectstore.Sealed {
	open := func(t *testing.T, now func() time.Time, backend objectstore.Backend) *objectstore.Sealed {
		srv := httptest.NewUnstartedServer(nil)
		signer, err := objectstore.NewSigner(bytes.Repeat([]byte("k"), 32), now)
		if err != nil {
			t.Fatal(err)
		}
		ring, _, err := seal.OpenKeyring(seal.Source{DefaultFile: filepath.Join(t.TempDir(), "master-key.json")})
		if err != nil {
			t.Fatal(err)
		}
		s := objectstore.NewSealed(backend, ring, signer, "http://"+srv.Listener.Addr().String())
		srv.Config.Handler = s
		srv.Start()
		t.Cleanup(srv.Close)
		return s
	}
	return map[string]func(t *testing.T, now func() time.Time) *objectstore.Sealed{
		"disk": func(t *testing.T, now func() time.Time) *objectstore.Sealed {
			d, err := objectstore.NewDisk(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return open(t, now, d)
		},
		"s3": func(t *testing.T, now func() time.Time) *objectstore.Sealed {
			s, err := objectstore.NewS3(context.Background(), testenv.S3Options(t))
			if err != nil {
				t.Fatal(err)
			}
			return open(t, now, s)
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
			if !bytes.Equal(got, payload) || info.ContentType != "image/jpeg" {
				t.Fatalf("round trip: %d bytes, info %+v", len(got), info)
			}

			// The backend holds ciphertext only.
			raw, err := objectstore.ReadAll(ctx, st.Backend(), key)
			if err != nil || bytes.Contains(raw, payload[:64]) || len(raw) < len(payload) {
				t.Fatalf("raw object: %d bytes, holds plaintext: %v (%v)", len(raw), bytes.Contains(raw, payload[:64]), err)
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
			if _, _, err := st.Get(ctx, key); !errors.Is(err, objectstore.ErrNotFound) {
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

// Expiry is checked on both stores with the clock the signer uses.
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
			if status, body := fetch(t, u); status != 200 || string(body) != "hello" {
				t.Fatalf("fresh URL: %d %q", status, body)
			}
			clock = clock.Add(2 * ttl)
			if status, _ := fetch(t, u); status != 403 {
				t.Fatalf("expired URL answered %d", status)
			}
		})
	}
}

// TestListAndRewrap: after a master-key rotation every object, sealed under
// the old key or stored in the clear before encryption, is rewrapped under the
// new one and still reads the same; a damaged object is an error, not bytes.
func TestListAndRewrap(t *testing.T) {
	ctx := context.Background()
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t, time.Now)
			prefix := fmt.Sprintf("rewrap-%d/", time.Now().UnixNano())
			want := map[string]string{prefix + "a/1.jpg": "one", prefix + "a/2.pdf": "two"}
			for k, v := range want {
				if err := st.Put(ctx, k, strings.NewReader(v), int64(len(v)), "text/plain"); err != nil {
					t.Fatal(err)
				}
			}
			legacy := prefix + "b/old.txt"
			want[legacy] = "stored before encryption"
			if err := st.Backend().Put(ctx, legacy, strings.NewReader(want[legacy]), -1, "text/plain"); err != nil {
				t.Fatal(err)
			}
			var keys []string
			if err := st.List(ctx, prefix, func(k string) error { keys = append(keys, k); return nil }); err != nil {
				t.Fatal(err)
			}
			slices.Sort(keys)
			if len(keys) != 3 || keys[2] != legacy {
				t.Fatalf("list: %v", keys)
			}
			ring := st.Ring()
			old := ring.PrimaryID()
			if _, err := ring.Rotate(); err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				changed, err := st.Rewrap(ctx, k)
				if err != nil || !changed {
					t.Fatalf("rewrap %s: %v %v", k, changed, err)
				}
				if changed, err := st.Rewrap(ctx, k); err != nil || changed {
					t.Fatalf("second rewrap %s wrote again: %v", k, err)
				}
				raw, _ := objectstore.ReadAll(ctx, st.Backend(), k)
				h, _, err := seal.ReadHeader(bytes.NewReader(raw))
				if err != nil || h.MasterKeyID() == old || h.MasterKeyID() != ring.PrimaryID() {
					t.Fatalf("%s after rewrap: %v", k, err)
				}
				got, err := objectstore.ReadAll(ctx, st, k)
				if err != nil || string(got) != want[k] {
					t.Fatalf("%s reads %q, %v", k, got, err)
				}
			}
			// A flipped byte in the ciphertext fails the read and the download.
			raw, _ := objectstore.ReadAll(ctx, st.Backend(), keys[0])
			raw[len(raw)-3] ^= 0x40
			if err := st.Backend().Put(ctx, keys[0], bytes.NewReader(raw), int64(len(raw)), "text/plain"); err != nil {
				t.Fatal(err)
			}
			if got, err := objectstore.ReadAll(ctx, st, keys[0]); err == nil {
				t.Fatalf("damaged object read as %q", got)
			}
			u, _ := st.SignedURL(ctx, keys[0], time.Minute)
			if status, body := fetch(t, u); status == 200 && string(body) == want[keys[0]] {
				t.Fatal("damaged object downloaded")
			}
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
	s, err := objectstore.NewSigner(bytes.Repeat([]byte("s"), 32), func() time.Time { return now })
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
		{"other key", "a/c", func(url.Values) {}, objectstore.ErrBadSignature},
		{"later expiry", "a/b", func(v url.Values) { v.Set("expires", "9999999999") }, objectstore.ErrBadSignature},
		{"no signature", "a/b", func(v url.Values) { v.Del("signature") }, objectstore.ErrBadSignature},
		{"bad expiry", "a/b", func(v url.Values) { v.Set("expires", "soon") }, objectstore.ErrBadSignature},
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
	if _, err := objectstore.NewSigner([]byte("short"), time.Now); err == nil {
		t.Error("short signing key accepted")
	}
}
