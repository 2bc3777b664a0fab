package app_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/app"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestHealthAndReadiness(t *testing.T) {
	stores := map[string]func(t *testing.T) []testenv.Option{
		"disk": func(t *testing.T) []testenv.Option { return nil },
		"s3": func(t *testing.T) []testenv.Option {
			return []testenv.Option{testenv.WithStorageURL(testenv.S3URL(testenv.S3Options(t)))}
		},
	}
	for _, db := range testenv.Databases() {
		for storeName, opts := range stores {
			t.Run(db.Name+"/"+storeName, func(t *testing.T) {
				s := testenv.NewServer(t, db.URL(t), opts(t)...)
				if code, body := get(t, s.URL+"/healthz"); code != 200 || !strings.Contains(body, "ok") {
					t.Fatalf("healthz %d %s", code, body)
				}
				if code, body := get(t, s.URL+"/readyz"); code != 200 || body != "{\"database\":\"ok\",\"storage\":\"ok\"}\n" {
					t.Fatalf("readyz %d %s", code, body)
				}
				// Objects put through the app's store download through their signed URL.
				ctx := context.Background()
				if err := s.Store.Put(ctx, "t/hello.txt", strings.NewReader("hello"), 5, "text/plain"); err != nil {
					t.Fatal(err)
				}
				u, err := s.Store.SignedURL(ctx, "t/hello.txt", time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				if code, body := get(t, u); code != 200 || body != "hello" {
					t.Fatalf("signed URL %d %q", code, body)
				}
				if code, _ := get(t, strings.Replace(u, "hello.txt", "hellx.txt", 1)); code != 403 {
					t.Fatalf("URL signed for another object answered %d", code)
				}
				// Readiness follows the database.
				if err := s.Queue.Stop(ctx); err != nil {
					t.Fatal(err)
				}
				s.DB.Close()
				if code, body := get(t, s.URL+"/readyz"); code != 503 || !strings.Contains(body, `"database":"unavailable"`) {
					t.Fatalf("readyz with the database closed: %d %s", code, body)
				}
			})
		}
	}
}

// Serve answers until its context ends, then shuts down cleanly.
func TestServeShutsDown(t *testing.T) {
	c := config.Defaults()
	cfg := &c
	cfg.Addr, cfg.DataDir, cfg.Workers, cfg.ShutdownTimeout = "127.0.0.1:0", t.TempDir(), 1, 5*time.Second
	cfg.ModelsDir = testenv.ModelsDir(t)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	active := make(chan string, 16) // the client address of a connection whose request the server has read
	a, err := app.New(ctx, cfg, app.Options{Logger: app.NewLogger("error"), ConnState: func(c net.Conn, st http.ConnState) {
		if st == http.StateActive {
			select {
			case active <- c.RemoteAddr().String():
			default: // nobody is waiting for it
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	if code, _ := get(t, "http://"+ln.Addr().String()+"/healthz"); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	acc, err := a.DB.CreateAccount(context.Background(), "drain", false)
	if err != nil {
		t.Fatal(err)
	}
	key, secret, _ := a.DB.CreateAPIKey(context.Background(), acc.ID, "k")
	// A request still uploading its body when shutdown starts is finished, not
	// cut. It is written by hand on its own connection, so the test knows when
	// the server has read its headers.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"name": "in flight"}`
	auth := base64.StdEncoding.EncodeToString([]byte(key.PublicKey + ":" + secret))
	fmt.Fprintf(conn, "POST /api/v1/api_key.create HTTP/1.1\r\nHost: test\r\nAuthorization: Basic %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		auth, len(body), body[:10])
	testenv.WaitFor(t, 10*time.Second, "the server to read the request", func() bool {
		select {
		case addr := <-active:
			return addr == conn.LocalAddr().String()
		default:
			return false
		}
	})
	cancel()
	// Shutdown has begun once the listener refuses new connections.
	testenv.WaitFor(t, 10*time.Second, "the listener to close", func() bool {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	if _, err := conn.Write([]byte(body[10:])); err != nil {
		t.Fatalf("the rest of the body: %v", err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("in-flight request during shutdown: %v %v", res, err)
	}
	res.Body.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Fatal("server still answers after shutdown")
	}
}

// A process with workers refuses to start without its models, saying how to
// get them; an API-only process starts without them.
func TestWorkersNeedModels(t *testing.T) {
	c := config.Defaults()
	cfg := &c
	cfg.DataDir, cfg.ModelsDir = t.TempDir(), t.TempDir()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err := app.New(ctx, cfg, app.Options{Logger: app.NewLogger("error")})
	if err == nil || !strings.Contains(err.Error(), "make models") || !strings.Contains(err.Error(), "mrz.traineddata") {
		t.Fatalf("start with workers and no models: %v", err)
	}
	none := 0
	a, err := app.New(ctx, cfg, app.Options{Logger: app.NewLogger("error"), Workers: &none})
	if err != nil {
		t.Fatalf("API-only start without models: %v", err)
	}
	a.Close()
}

// TestMasterKeys: the embedded default makes a key file (mode 0600) once; a
// process given another master key than the one that wrapped the database's
// data keys refuses to start and says why.
func TestMasterKeys(t *testing.T) {
	ctx := context.Background()
	none := 0
	dir := t.TempDir()
	start := func(mod func(*config.Config)) (*app.App, error) {
		c := config.Defaults()
		c.DataDir = dir
		mod(&c)
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		return app.New(ctx, &c, app.Options{Logger: app.NewLogger("error"), Workers: &none})
	}
	a, err := start(func(*config.Config) {})
	if err != nil {
		t.Fatal(err)
	}
	first := a.Keys.PrimaryID()
	a.Close()
	st, err := os.Stat(filepath.Join(dir, "master-key.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	a, err = start(func(*config.Config) {})
	if err != nil || a.Keys.PrimaryID() != first {
		t.Fatalf("restart: %v", err)
	}
	a.Close()
	other, err := seal.NewKeyset()
	if err != nil {
		t.Fatal(err)
	}
	_, err = start(func(c *config.Config) { c.MasterKey = string(other) })
	if err == nil || !strings.Contains(err.Error(), "VERIDOC_MASTER_KEY") {
		t.Fatalf("another master key: %v", err)
	}
}
