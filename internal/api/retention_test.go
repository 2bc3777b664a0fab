package api_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/photos"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// gone checks that none of the keys is left in the store.
func gone(t *testing.T, s *testenv.Server, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if k == "" {
			t.Fatal("an empty key: the test lost track of an object")
		}
		rc, _, err := s.Store.Get(context.Background(), k)
		if err == nil {
			rc.Close()
			t.Errorf("object %s is still stored", k)
		} else if !errors.Is(err, objectstore.ErrNotFound) {
			t.Errorf("object %s: %v", k, err)
		}
	}
}

func TestErasure(t *testing.T) {
	t.Run("photo.delete erases the upload and outputs and keeps a stub", func(t *testing.T) {
		s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
		c, accID, _, _ := apitest.Account(t, s, "photos")
		if _, err := s.DB.Deposit(context.Background(), accID, 500, "test"); err != nil {
			t.Fatal(err)
		}
		usPassport := int64(0)
		for _, row := range c.Call("specification.list", map[string]any{"country_code": "US"}).Body["data"].([]any) {
			if m := row.(map[string]any); m["type"] == "passport" {
				usPassport = int64(m["id"].(float64))
			}
		}
		acc := c.Call("photo.process", map[string]any{"photo": portrait(t, testenv.PhotoAstronaut, 4), "spec_id": usPassport})
		id := acc.Num("task_id")
		if done := waitTask(t, c, id); done.Str("state") != "SUCCESS" {
			t.Fatalf("task: %s", done.Raw)
		}
		task, err := s.DB.GetPhotoTask(context.Background(), accID, id)
		if err != nil {
			t.Fatal(err)
		}
		keys := append([]string{task.SourceKey}, photos.Keys(id).All()...)
		d := c.Call("photo.delete", map[string]any{"id": id})
		if d.Status != 200 || d.Str("state") != "SUCCESS" || !timestampRE.MatchString(d.Str("erased")) || d.Str("digital_photo_url") != "" || d.Str("head_height_mm") == "" {
			t.Fatalf("photo.delete: %s", d.Raw)
		}
		gone(t, s, keys...)
		if again := c.Call("photo.delete", map[string]any{"id": id}); again.Status != 200 || again.Str("erased") != d.Str("erased") {
			t.Errorf("a second delete: %s", again.Raw)
		}
		other, _, _, _ := apitest.Account(t, s, "other")
		if r := other.Call("photo.delete", map[string]any{"id": id}); r.Status != 404 || r.Str("error_name") != "TaskNotFound" {
			t.Errorf("another account's task: %s", r.Raw)
		}
	})

	t.Run("verification.delete and the retention sweep erase images and personal data", func(t *testing.T) {
		s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.Workers = 0 }))
		c, _, _, _ := apitest.Account(t, s, "verifications")
		img := testenv.ReadPhoto(t, testenv.PhotoGrace512)
		newV := func() (int64, string) {
			v := c.Call("verification.create", map[string]any{"flow": "usps1583", "reference": "case-9", "expected_surname": "HOPPER",
				"expected_street": "1 Main St"}).Num("id")
			d := c.Call("document.create", apitest.Doc("usps1583", v, "PHOTO_ID", 1, "US", img))
			docs, err := s.DB.Documents(context.Background(), v)
			if err != nil || len(docs) != 1 || docs[0].FrontKey == "" {
				t.Fatalf("documents: %v %v (%s)", docs, err, d.Raw)
			}
			return v, docs[0].FrontKey
		}
		v, key := newV()
		r := c.Call("verification.delete", map[string]any{"id": v})
		if r.Status != 200 || !timestampRE.MatchString(r.Str("erased")) || r.Str("expected_surname") != "" || r.Str("reference") != "case-9" || r.Str("status") != "STARTED" {
			t.Fatalf("verification.delete: %s", r.Raw)
		}
		gone(t, s, key)
		if g := c.Call("verification.get", map[string]any{"id": v}); g.Str("expected_street") != "" || g.Str("erased") != r.Str("erased") {
			t.Errorf("after delete: %s", g.Raw)
		}

		// Retention: an account keeping 30 days; a canceled verification is
		// erased by a sweep as of 31 days on, an open one is not.
		if u := c.Call("account.update", map[string]any{"retention_days": 30}); u.Status != 200 || u.Num("retention_days") != 30 || u.Body["retention_is_default"] != false {
			t.Fatalf("account.update: %s", u.Raw)
		}
		old, oldKey := newV()
		c.Call("verification.cancel", map[string]any{"id": old})
		open, openKey := newV()
		report, err := s.Eraser.Sweep(context.Background(), time.Now().Add(20*24*time.Hour))
		if err != nil || report.Verifications != 0 {
			t.Fatalf("sweep before the retention has passed: %+v %v", report, err)
		}
		report, err = s.Eraser.Sweep(context.Background(), time.Now().Add(31*24*time.Hour))
		if err != nil || report.Verifications != 1 {
			t.Fatalf("sweep: %+v %v", report, err)
		}
		gone(t, s, oldKey)
		if g := c.Call("verification.get", map[string]any{"id": old}); g.Str("erased") == "" || g.Str("status") != "CANCELED" || g.Str("expected_surname") != "" {
			t.Errorf("swept verification: %s", g.Raw)
		}
		if g := c.Call("verification.get", map[string]any{"id": open}); g.Body["erased"] != nil || g.Str("expected_surname") != "HOPPER" {
			t.Errorf("open verification: %s", g.Raw)
		}
		if rc, _, err := s.Store.Get(context.Background(), openKey); err != nil {
			t.Errorf("the open verification's image: %v", err)
		} else {
			rc.Close()
		}
		// Both erasures are in the audit log: the request and the sweep's.
		events := c.Call("audit_event.list", map[string]any{"action": "erasure"}).Body["data"].([]any)
		if len(events) != 1 || events[0].(map[string]any)["object"] != fmt.Sprintf("verification:%d", old) || events[0].(map[string]any)["actor"] != "system" {
			t.Errorf("erasure events: %v", events)
		}
		if del := c.Call("audit_event.list", map[string]any{"action": "verification.delete"}).Body["data"].([]any); len(del) != 1 {
			t.Errorf("verification.delete events: %v", del)
		}
	})
}
