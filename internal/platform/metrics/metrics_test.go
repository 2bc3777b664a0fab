package metrics_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/metrics"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// What the API and the pipeline observe shows on /metrics, with the queue's
// depth read from the database at scrape time.
func TestMetricsExposed(t *testing.T) {
	db := testenv.OpenDB(t, testenv.SQLiteURL(t))
	testenv.Queue(t, db)
	m := metrics.New(db)
	m.ObserveRequest("session.get", 200, 3*time.Millisecond)
	m.ObserveRequest("session.get", 404, time.Millisecond)
	m.ObserveStage("decode", 20*time.Millisecond)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{`method="session.get"`, `status="404"`, `stage="decode"`, "veridoc_"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
