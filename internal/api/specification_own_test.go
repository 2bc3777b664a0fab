package api_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"testing"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestAccountSpecifications: an account defines its own specification,
// lists, reads and uses it; no other account sees it.
func TestAccountSpecifications(t *testing.T) {
	models := testenv.ModelsDir(t)
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			s := testenv.NewServer(t, dbk.URL(t), testenv.WithConfig(func(c *config.Config) { c.ModelsDir = models }))
			c, accID, _, _ := apitest.Account(t, s, "own-specs")
			other, _, _, _ := apitest.Account(t, s, "other")
			good := map[string]any{"name": "Club card", "country_code": "nz", "width_mm": 30, "height_mm": 40, "dpi": 300,
				"head_min_mm": 25, "head_max_mm": 30, "eye_line_min_mm": 20, "eye_line_max_mm": 27, "background_hex": "#dde6f0",
				"max_kb": 200, "expression": "natural_smile"}
			with := func(k string, v any) map[string]any {
				m := map[string]any{}
				for kk, vv := range good {
					m[kk] = vv
				}
				m[k] = v
				return m
			}
			for _, b := range []struct {
				name   string
				body   map[string]any
				status int
				error  string
			}{
				{"colour not #rrggbb", with("background_hex", "blue"), 400, "InvalidSpecification"},
				{"head taller than the frame", with("head_max_mm", 45), 400, "InvalidSpecification"},
				{"eye band upside down", with("eye_line_min_mm", 30), 400, "InvalidSpecification"},
				{"country not alpha-2", with("country_code", "NZL"), 400, "InvalidSpecification"},
				{"dpi as a string", with("dpi", "300"), 400, "InvalidRequest"},
				{"unknown expression", with("expression", "grin"), 400, "InvalidRequest"},
				{"smallest file over the largest", with("min_kb", 300), 400, "InvalidSpecification"},
			} {
				if r := c.Call("specification.create", b.body); r.Status != b.status || r.Str("error_name") != b.error {
					t.Errorf("%s: %s", b.name, r.Raw)
				}
			}
			made := c.Call("specification.create", good)
			id := made.Num("id")
			if made.Status != 200 || id <= 10_000_000 || made.Num("width_px") != 354 || made.Num("height_px") != 472 ||
				made.Str("country_code") != "NZ" || made.Str("type") != "other" || made.Str("glasses") != "allowed" {
				t.Fatalf("specification.create: %s", made.Raw)
			}
			ownIn := func(cl *apitest.Client) bool {
				for _, row := range cl.Call("specification.list", map[string]any{"country_code": "NZ"}).Body["data"].([]any) {
					if m := row.(map[string]any); int64(m["id"].(float64)) == id && m["own"] == true {
						return true
					}
				}
				return false
			}
			if !ownIn(c) || ownIn(other) {
				t.Errorf("listed to its account %v, to another %v", ownIn(c), ownIn(other))
			}
			if r := other.Call("specification.get", map[string]any{"id": id}); r.Status != 404 || r.Str("error_name") != "SpecificationNotFound" {
				t.Errorf("another account's get: %s", r.Raw)
			}
			if _, err := s.DB.Deposit(context.Background(), accID, 100, "test"); err != nil {
				t.Fatal(err)
			}
			if r := other.Call("photo.process", map[string]any{"photo": portrait(t, testenv.PhotoAstronaut, 4), "spec_id": id}); r.Status != 404 {
				t.Errorf("another account's photo with it: %s", r.Raw)
			}
			done := waitTask(t, c, c.Call("photo.process", map[string]any{"photo": portrait(t, testenv.PhotoAstronaut, 4), "spec_id": id}).Num("task_id"))
			photo := download(t, done.Str("digital_photo_url"))
			if cfg, err := jpeg.DecodeConfig(bytes.NewReader(photo)); done.Str("state") != "SUCCESS" || err != nil || cfg.Width != 354 || cfg.Height != 472 {
				t.Fatalf("photo with its own spec: %v %s", err, done.Raw)
			}
			if r := other.Call("specification.delete", map[string]any{"id": id}); r.Status != 404 {
				t.Errorf("another account's delete: %s", r.Raw)
			}
			if r := c.Call("specification.delete", map[string]any{"id": 1262}); r.Status != 404 {
				t.Errorf("deleting a catalogue spec: %s", r.Raw)
			}
			if r := c.Call("specification.delete", map[string]any{"id": id}); r.Status != 200 || r.Body["deleted"] != true {
				t.Fatalf("delete: %s", r.Raw)
			}
			if r := c.Call("specification.get", map[string]any{"id": id}); r.Status != 404 {
				t.Errorf("get after delete: %s", r.Raw)
			}
			if r := c.Call("task.get", map[string]any{"id": done.Num("id")}); r.Str("state") != "SUCCESS" {
				t.Errorf("the task after its spec went: %s", r.Raw)
			}
		})
	}
}
