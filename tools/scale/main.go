// Command scale measures Veridoc at a million sessions on PostgreSQL
// (`make scale`): it makes a fresh database on the server it is given,
// seeds one account with -sessions sessions and another with 1,000 (bulk
// inserts: tools/internal/seed), and prints
//
//   - session.list (several filters, first and next page), audit_event.list
//     and callback.list latency at both sizes, through the API handler;
//
//   - the 1:N face index: load time, memory, search latency on one core;
//
//   - the retention sweep's rate over 10,000 expired sessions.
//
//     go run ./tools/scale -db postgres://postgres@127.0.0.1:5432/postgres -sessions 1000000
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/veridoc/veridoc/internal/app"
	"github.com/veridoc/veridoc/internal/domain/faceindex"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/vision/facesearch"
	"github.com/veridoc/veridoc/tools/internal/seed"
)

func main() {
	server := flag.String("db", "postgres://postgres@127.0.0.1:5432/postgres", "a PostgreSQL server (a database of its own is made on it)")
	n := flag.Int("sessions", 1000000, "sessions in the large account")
	keep := flag.Bool("keep", false, "keep the database afterwards")
	flag.Parse()
	if err := run(context.Background(), *server, *n, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, server string, n int, keep bool) error {
	url, drop, err := freshDatabase(ctx, server)
	if err != nil {
		return err
	}
	if !keep {
		defer drop()
	}
	dir, err := os.MkdirTemp("", "veridoc-scale")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := config.Defaults()
	cfg.DatabaseURL, cfg.DataDir, cfg.RetentionDays = url, dir, 0
	if err := cfg.Validate(); err != nil {
		return err
	}
	zero := 0
	a, err := app.New(ctx, &cfg, app.Options{Workers: &zero})
	if err != nil {
		return err
	}
	defer a.Close()
	basis, err := facesearch.LoadBasis()
	if err != nil {
		return err
	}
	small, err := newAccount(ctx, a, basis, "small", 1000)
	if err != nil {
		return err
	}
	start := time.Now()
	big, err := newAccount(ctx, a, basis, "large", n)
	if err != nil {
		return err
	}
	fmt.Printf("seeded %d sessions (with faces, audit events, callbacks) in %.0f s\n", n, time.Since(start).Seconds())
	if err := lists(a.Handler(), small, big); err != nil {
		return err
	}
	if err := faces(ctx, a, basis, big); err != nil {
		return err
	}
	return sweep(ctx, a, big, n)
}

// account is a seeded account and its API key.
type account struct {
	id      int64
	auth    string
	n       int
	session int64 // its newest session
}

func newAccount(ctx context.Context, a *app.App, basis *facesearch.Basis, name string, n int) (*account, error) {
	acc, err := a.DB.CreateAccount(ctx, name, false)
	if err != nil {
		return nil, err
	}
	_, secret, err := a.DB.CreateAPIKey(ctx, acc.ID, "scale")
	if err != nil {
		return nil, err
	}
	x, err := a.DB.IndexKeys(ctx, a.Keys, acc.ID)
	if err != nil {
		return nil, err
	}
	last := time.Now()
	err = seed.Sessions(ctx, seed.Options{DB: a.DB, Index: x, Basis: basis, AccountID: acc.ID, Sessions: n, Batch: 1000,
		Now: time.Now().UTC(), Seed: 1, Progress: func(done int) {
			if time.Since(last) > 30*time.Second {
				fmt.Printf("  %s: %d of %d seeded\n", name, done, n)
				last = time.Now()
			}
		}})
	return &account{id: acc.ID, auth: "Bearer " + secret, n: n}, err
}

// call runs one API call through the handler and decodes its answer.
func call(h http.Handler, acc *account, method string, body map[string]any) (map[string]any, time.Duration, error) {
	raw, _ := json.Marshal(body)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/"+method, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", acc.auth)
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	took := time.Since(start)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != 200 {
		return nil, took, fmt.Errorf("%s: %d %s", method, rec.Code, rec.Body.String())
	}
	return out, took, nil
}

// percentiles of the durations, in milliseconds.
func percentiles(d []time.Duration) (p50, p99 float64) {
	slices.Sort(d)
	ms := func(x time.Duration) float64 { return float64(x.Microseconds()) / 1000 }
	return ms(d[len(d)/2]), ms(d[min(len(d)-1, len(d)*99/100)])
}

// lists times each list query on both accounts.
func lists(h http.Handler, small, big *account) error {
	mid := time.Now().UTC().Add(-180 * 24 * time.Hour).Format("2006-01-02T15:04:05Z")
	queries := []struct {
		name, method string
		body         func(a *account) map[string]any
	}{
		{"session.list", "session.list", func(*account) map[string]any { return map[string]any{} }},
		{"session.list limit 100", "session.list", func(*account) map[string]any { return map[string]any{"limit": 100} }},
		{"session.list state DECLINED", "session.list", func(*account) map[string]any { return map[string]any{"state": "DECLINED"} }},
		{"session.list state REVIEW", "session.list", func(*account) map[string]any { return map[string]any{"state": "REVIEW"} }},
		{"session.list reference", "session.list", func(a *account) map[string]any { return map[string]any{"reference": fmt.Sprintf("ref-%d", a.n/2)} }},
		{"session.list created_before (mid-year)", "session.list", func(*account) map[string]any { return map[string]any{"created_before": mid} }},
		{"session.list state+created_after", "session.list", func(*account) map[string]any {
			return map[string]any{"state": "DECLINED", "created_after": mid}
		}},
		{"audit_event.list", "audit_event.list", func(*account) map[string]any { return map[string]any{} }},
		{"audit_event.list action", "audit_event.list", func(*account) map[string]any { return map[string]any{"action": "session.submit"} }},
		{"audit_event.list created_before (mid-year)", "audit_event.list", func(*account) map[string]any { return map[string]any{"created_before": mid} }},
		{"callback.list session_id", "callback.list", func(a *account) map[string]any { return map[string]any{"session_id": a.session} }},
	}
	for _, acc := range []*account{small, big} {
		out, _, err := call(h, acc, "session.list", map[string]any{"limit": 1})
		if err != nil {
			return err
		}
		acc.session = int64(out["data"].([]any)[0].(map[string]any)["id"].(float64))
	}
	fmt.Printf("\n%-50s %22s %22s %7s\n", "list latency, ms (p50 / p99 of 30)", fmt.Sprintf("%d rows", small.n), fmt.Sprintf("%d rows", big.n), "ratio")
	for _, q := range queries {
		var p [2][2]float64
		for i, acc := range []*account{small, big} {
			var took []time.Duration
			for range 30 {
				body := q.body(acc)
				out, d, err := call(h, acc, q.method, body)
				if err != nil {
					return err
				}
				// and the next page, as a client paging on would ask
				if c, _ := out["next_cursor"].(string); c != "" {
					body["cursor"] = c
					if _, d2, err := call(h, acc, q.method, body); err == nil {
						d = max(d, d2)
					}
				}
				took = append(took, d)
			}
			p[i][0], p[i][1] = percentiles(took)
		}
		fmt.Printf("%-50s %10.2f / %-9.2f %10.2f / %-9.2f %6.1fx\n", q.name+" (+next page)", p[0][0], p[0][1], p[1][0], p[1][1], p[1][0]/p[0][0])
	}
	return nil
}

// faces loads the large account's faces as a worker does at start, and
// times searches on one core.
func faces(ctx context.Context, a *app.App, basis *facesearch.Basis, big *account) error {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	x := faceindex.New(a.DB, basis)
	start := time.Now()
	if err := x.Warm(ctx); err != nil {
		return err
	}
	load := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	fmt.Printf("\nface index: %d faces loaded in %.1f s; %.0f MB by count, heap grew %.0f MB\n", x.Len(big.id), load.Seconds(),
		float64(x.Bytes())/1e6, float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/1e6)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	r := rand.New(rand.NewPCG(9, 9))
	var took []time.Duration
	hits := 0
	for range 300 {
		q := facesearch.Sample(basis, r)
		start := time.Now()
		m, err := x.Search(ctx, big.id, 0.40, q)
		if err != nil {
			return err
		}
		took = append(took, time.Since(start))
		hits += len(m)
	}
	p50, p99 := percentiles(took)
	fmt.Printf("face search (1 core, within 0.40, with the catch-up query and exact re-measure): p50 %.1f ms, p99 %.1f ms over 300; %d strangers within 0.40 in all\n",
		p50, p99, hits)
	return nil
}

// sweep times the retention sweep over the large account's oldest 10,000
// sessions (retention set so that they are due).
func sweep(ctx context.Context, a *app.App, big *account, n int) error {
	days := 365 - (365*10000+n-1)/n - 1
	if days < 1 {
		days = 1
	}
	if err := a.DB.SetRetention(ctx, big.id, &days); err != nil {
		return err
	}
	start := time.Now()
	erased := 0
	for {
		rep, err := a.Eraser.Sweep(ctx, time.Now().UTC())
		if err != nil {
			return err
		}
		erased += rep.Sessions
		if rep.Sessions == 0 {
			break
		}
	}
	took := time.Since(start)
	fmt.Printf("\nretention sweep (retention %d days): %d sessions erased in %.1f s = %.0f per minute; each erasure is its own transaction\n",
		days, erased, took.Seconds(), float64(erased)/took.Minutes())
	return nil
}

// freshDatabase makes a database of its own on the server.
func freshDatabase(ctx context.Context, server string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("veridoc_scale_%d", time.Now().Unix())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	base, query, _ := strings.Cut(server, "?")
	url := base[:strings.LastIndex(base, "/")+1] + name
	if query != "" {
		url += "?" + query
	}
	return url, func() {
		_, _ = conn.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
		conn.Close(context.Background())
	}, nil
}
