package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

func scrape(t *testing.T, base string) string {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("/metrics: %d", res.StatusCode)
	}
	return string(b)
}

func TestMetrics(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "metrics")
	c.Call("account.get", nil)
	c.Call("account.get", nil)
	c.Call("no_such.method", nil)
	c.Call("session.get", map[string]any{"id": 1 << 40})
	body := scrape(t, s.URL)
	for _, want := range []string{
		`veridoc_requests_total{method="account.get",status="200"} 2`,
		`veridoc_requests_total{method="unknown",status="404"} 1`,
		`veridoc_requests_total{method="session.get",status="404"} 1`,
		`veridoc_request_duration_seconds_count{method="account.get"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s", want)
		}
	}
	// The expiry sweep runs when the workers start: its outcome is counted.
	testenv.WaitFor(t, 20*time.Second, "a job metric", func() bool {
		return strings.Contains(scrape(t, s.URL), `veridoc_jobs_total{kind="session.expire",outcome="completed"}`)
	})
	// Queue depth comes from the job table: a session submitted with no
	// worker to run it stays available.
	api := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(cfg *config.Config) { cfg.Workers = 0 }))
	c2, _, _, _ := apitest.Account(t, api, "depth")
	apitest.Device(c2, c2.Call("session.create", nil).Str("token")).Call("session.submit", nil)
	if b := scrape(t, api.URL); !strings.Contains(b, `veridoc_queue_jobs{kind="session.process",state="available"} 1`) {
		t.Errorf("queue depth missing:\n%s", grep(b, "veridoc_queue"))
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestDocsPage(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	res, err := http.Get(s.URL + "/docs")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), `id="document.create"`) {
		t.Fatalf("/docs: %d %s %.200s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
}
