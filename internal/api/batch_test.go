package api_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestPhotoBatch: photo.batch opens a task per photo, all or none, and
// photo.list finds a batch's tasks by its id.
func TestPhotoBatch(t *testing.T) {
	t.Parallel() // a server of its own, and minutes of jobs: overlaps the others
	models := testenv.ModelsDir(t)
	face := portrait(t, testenv.PhotoAstronaut, 4)
	noFace := portrait(t, testenv.PhotoNoFace, 2)
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			s := testenv.NewServer(t, dbk.URL(t), testenv.WithConfig(func(c *config.Config) { c.ModelsDir = models }))
			c, accID, _, _ := apitest.Account(t, s, "batch")
			spec := c.Call("specification.list", map[string]any{"country_code": "US"}).Body["data"].([]any)[0].(map[string]any)["id"]
			if _, err := s.DB.Deposit(context.Background(), accID, 100, "test"); err != nil { // two photos at $0.50
				t.Fatal(err)
			}
			eleven := make([]string, 11)
			for i := range eleven {
				eleven[i] = face
			}
			refused := []struct {
				name   string
				photos []string
				status int
				error  string
			}{
				{"none", []string{}, 400, "InvalidRequest"},
				{"eleven", eleven, 400, "InvalidRequest"},
				{"one not base64", []string{face, "%%%"}, 400, "InvalidRequest"},
				{"one not an image", []string{face, base64.StdEncoding.EncodeToString([]byte("not an image"))}, 415, "UnsupportedImageType"},
				{"more than the balance pays", []string{face, face, face}, 402, "InsufficientBalance"},
			}
			for _, r := range refused {
				if got := c.Call("photo.batch", map[string]any{"photos": r.photos, "spec_id": spec}); got.Status != r.status || got.Str("error_name") != r.error {
					t.Errorf("%s: %s", r.name, got.Raw)
				}
			}
			if list := c.Call("photo.list", nil).Body["data"].([]any); len(list) != 0 {
				t.Fatalf("a refused batch left %d tasks", len(list))
			}
			b := c.Call("photo.batch", map[string]any{"photos": []string{face, noFace}, "spec_id": spec})
			ids, _ := b.Body["task_ids"].([]any)
			if b.Status != 202 || len(ids) != 2 || b.Num("batch_id") != int64(ids[0].(float64)) {
				t.Fatalf("photo.batch: %s", b.Raw)
			}
			ok, bad := waitTask(t, c, int64(ids[0].(float64))), waitTask(t, c, int64(ids[1].(float64)))
			if ok.Str("state") != "SUCCESS" || bad.Str("error_code") != "NO_FACE_DETECTED" || ok.Num("batch_id") != b.Num("batch_id") {
				t.Errorf("batch tasks: %s / %s", ok.Raw, bad.Raw)
			}
			if list := c.Call("photo.list", map[string]any{"batch_id": b.Num("batch_id")}).Body["data"].([]any); len(list) != 2 {
				t.Errorf("photo.list of the batch: %d tasks", len(list))
			}
			if bal := c.Call("billing.balance", nil); bal.Str("balance_usd") != "0.50" || bal.Str("held_usd") != "0.00" {
				t.Errorf("only the success is charged: %s", bal.Raw)
			}
			other, _, _, _ := apitest.Account(t, s, "other")
			if list := other.Call("photo.list", map[string]any{"batch_id": b.Num("batch_id")}).Body["data"].([]any); len(list) != 0 {
				t.Errorf("another account sees %d of the batch", len(list))
			}
		})
	}
}
