package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

func TestCallbackDelivery(t *testing.T) {
	t.Run("retries after 500s until 2xx", func(t *testing.T) {
		s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
		c, _, _, _ := apitest.Account(t, s, "retries")
		recv := newReceiver(t, 500, 503)
		recv.secret = c.Call("webhook_secret.rotate", nil).Str("secret")
		cr := c.Call("session.create", map[string]any{"callback_url": recv.URL})
		// One upload makes exactly one event (UPLOADING), so the receiver's
		// script of failures applies to it alone.
		apitest.Device(c, cr.Str("token")).Call("session.upload", map[string]any{"kind": "selfie", "image": apitest.B64(testenv.ReadPhoto(t, testenv.PhotoGrace512))})
		testenv.WaitFor(t, 30*time.Second, "delivery after two failures", func() bool { return slices.Contains(recv.types(), "session.uploading") })
		list := func() []map[string]any {
			var out []map[string]any
			for _, a := range c.Call("callback.list", map[string]any{"session_id": cr.Num("id")}).Body["data"].([]any) {
				if m := a.(map[string]any); m["event"] == "session.uploading" {
					out = append(out, m)
				}
			}
			return out
		}
		var attempts []map[string]any
		testenv.WaitFor(t, 10*time.Second, "three logged attempts", func() bool { attempts = list(); return len(attempts) == 3 })
		// Newest first: 200, 503, 500 — one webhook-id on all of them.
		for i, want := range []float64{200, 503, 500} {
			if attempts[i]["status_code"] != want || attempts[i]["attempt"] != float64(3-i) || attempts[i]["webhook_id"] != attempts[0]["webhook_id"] {
				t.Errorf("attempt %d: %v", i, attempts[i])
			}
		}
		recv.mu.Lock()
		defer recv.mu.Unlock()
		if id := recv.headers[0].Get("webhook-id"); id != attempts[0]["webhook_id"] {
			t.Errorf("webhook-id %q", id)
		}
	})
	t.Run("a rotated secret keeps signing for a day; a callback can be redelivered", func(t *testing.T) {
		s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
		c, _, _, _ := apitest.Account(t, s, "rotation")
		recv := newReceiver(t)
		first := c.Call("webhook_secret.rotate", nil)
		if first.Body["previous_secret_expires"] != nil {
			t.Errorf("a first secret has no previous one: %s", first.Raw)
		}
		oldSecret := first.Str("secret")
		recv.secret = oldSecret
		cr := c.Call("session.create", map[string]any{"callback_url": recv.URL})
		apitest.Device(c, cr.Str("token")).Call("session.upload", map[string]any{"kind": "selfie", "image": apitest.B64(testenv.ReadPhoto(t, testenv.PhotoGrace512))})
		count := func() int { return len(recv.types()) }
		testenv.WaitFor(t, 20*time.Second, "the first delivery", func() bool { return count() == 1 })
		// The attempt is logged once the receiver's answer is back, a moment
		// after the receiver has seen the request.
		var logged []any
		testenv.WaitFor(t, 10*time.Second, "the logged attempt", func() bool {
			logged, _ = c.Call("callback.list", map[string]any{"session_id": cr.Num("id")}).Body["data"].([]any)
			return len(logged) > 0
		})
		cbID := int64(logged[0].(map[string]any)["callback_id"].(float64))

		second := c.Call("webhook_secret.rotate", nil)
		exp, err := time.Parse(time.RFC3339, second.Str("previous_secret_expires"))
		if left := time.Until(exp); err != nil || left < 23*time.Hour || left > 25*time.Hour {
			t.Fatalf("rotation: %s", second.Raw)
		}
		// The receiver still knows only the old secret: the redelivery verifies with it.
		re := c.Call("callback.redeliver", map[string]any{"id": cbID})
		if re.Status != 200 || re.Str("state") != "PENDING" || re.Num("id") != cbID || re.Str("webhook_id") == "" {
			t.Fatalf("redeliver: %s", re.Raw)
		}
		testenv.WaitFor(t, 20*time.Second, "the redelivery under the old secret", func() bool { return count() == 2 })
		// And one that switched to the new secret verifies too.
		recv.mu.Lock()
		recv.secret = second.Str("secret")
		recv.mu.Unlock()
		testenv.WaitFor(t, 20*time.Second, "the callback delivered again", func() bool {
			return c.Call("callback.redeliver", map[string]any{"id": cbID}).Status == 200
		})
		testenv.WaitFor(t, 20*time.Second, "the redelivery under the new secret", func() bool { return count() == 3 })
		recv.mu.Lock()
		bad, sig, ids := recv.bad, recv.headers[2].Get("webhook-signature"), []string{recv.headers[0].Get("webhook-id"), recv.headers[2].Get("webhook-id")}
		recv.mu.Unlock()
		if bad != 0 || len(strings.Fields(sig)) != 2 || ids[0] != ids[1] {
			t.Errorf("%d bad signatures; signature header %q; webhook-ids %v", bad, sig, ids)
		}
		other, _, _, _ := apitest.Account(t, s, "other")
		for _, tc := range []struct {
			who  *apitest.Client
			id   int64
			code int
			name string
		}{{c, 1 << 40, 404, "CallbackNotFound"}, {other, cbID, 404, "CallbackNotFound"}} {
			if r := tc.who.Call("callback.redeliver", map[string]any{"id": tc.id}); r.Status != tc.code || r.Str("error_name") != tc.name {
				t.Errorf("redeliver %d: %s", tc.id, r.Raw)
			}
		}
	})
	t.Run("410 disables the callback", func(t *testing.T) {
		s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
		c, _, _, _ := apitest.Account(t, s, "gone")
		recv := newReceiver(t, 410)
		recv.secret = c.Call("webhook_secret.rotate", nil).Str("secret")
		cr := c.Call("session.create", map[string]any{"callback_url": recv.URL})
		dev := apitest.Device(c, cr.Str("token"))
		dev.Call("session.upload", map[string]any{"kind": "selfie", "image": apitest.B64(testenv.ReadPhoto(t, testenv.PhotoGrace512))})
		testenv.WaitFor(t, 20*time.Second, "the 410 attempt", func() bool {
			d := c.Call("callback.list", map[string]any{"session_id": cr.Num("id")}).Body["data"].([]any)
			return len(d) == 1 && d[0].(map[string]any)["callback_state"] == "DISABLED"
		})
		dev.Call("session.submit", nil)
		// Callbacks are queued in the transaction of each state change, so once
		// the session is decided every callback it would send exists.
		waitDecided(t, c, cr.Num("id"))
		var queued int
		if err := s.DB.SQL.QueryRow(fmt.Sprintf("SELECT count(*) FROM callbacks WHERE subject = '%s' AND subject_id = %d", database.SubjectSession, cr.Num("id"))).Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if queued != 1 {
			t.Fatalf("after 410, %d callbacks were queued, want only the first", queued)
		}
	})
	t.Run("redirects are not followed", func(t *testing.T) {
		s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
		c, _, _, _ := apitest.Account(t, s, "redirect")
		recv := newReceiver(t, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)
		recv.secret = c.Call("webhook_secret.rotate", nil).Str("secret")
		cr := c.Call("session.create", map[string]any{"callback_url": recv.URL})
		apitest.Device(c, cr.Str("token")).Call("session.submit", nil)
		testenv.WaitFor(t, 20*time.Second, "an attempt", func() bool {
			return len(c.Call("callback.list", map[string]any{"session_id": cr.Num("id")}).Body["data"].([]any)) > 0
		})
		a := c.Call("callback.list", map[string]any{"session_id": cr.Num("id")}).Body["data"].([]any)
		if m := a[len(a)-1].(map[string]any); m["status_code"] != float64(302) || m["error"] != "HTTP 302" {
			t.Errorf("attempt %v", m)
		}
	})
	t.Run("internal addresses are refused", func(t *testing.T) {
		s := apitest.WorkerServer(t, testenv.SQLiteURL(t), func(c *config.Config) { c.CallbackAllow = nil })
		c, _, _, _ := apitest.Account(t, s, "ssrf")
		recv := newReceiver(t)
		recv.secret = c.Call("webhook_secret.rotate", nil).Str("secret")
		cr := c.Call("session.create", map[string]any{"callback_url": recv.URL})
		apitest.Device(c, cr.Str("token")).Call("session.submit", nil)
		var a map[string]any
		testenv.WaitFor(t, 20*time.Second, "the refused attempt", func() bool {
			d := c.Call("callback.list", map[string]any{"session_id": cr.Num("id")}).Body["data"].([]any)
			if len(d) > 0 {
				a = d[0].(map[string]any)
			}
			return len(d) > 0
		})
		if a["callback_state"] != "FAILED" || !strings.Contains(a["error"].(string), "loopback") || a["status_code"] != float64(0) {
			t.Errorf("attempt %v", a)
		}
		if n := len(recv.types()); n != 0 {
			t.Errorf("the receiver got %d requests", n)
		}
	})
	t.Run("callback_url is validated", func(t *testing.T) {
		s := testenv.NewServer(t, testenv.SQLiteURL(t))
		c, _, _, _ := apitest.Account(t, s, "urls")
		c.Call("webhook_secret.rotate", nil)
		for _, u := range []string{"ftp://example.com/x", "/relative", "http://user:pw@example.com/", "http://"} {
			if r := c.Call("session.create", map[string]any{"callback_url": u}); r.Status != 400 {
				t.Errorf("%q: %s", u, r.Raw)
			}
		}
	})
}
