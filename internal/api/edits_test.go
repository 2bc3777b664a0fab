package api_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"slices"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestBackgroundEditForbidden: a spec whose office refuses software-edited
// photos says so with its source; asking it for a replaced or transparent
// background answers BACKGROUND_EDIT_NOT_ALLOWED at once and in the
// result, whose digital photo keeps the photo's own background (a JPEG, no
// PNG); an account's own spec can forbid edits too.
func TestBackgroundEditForbidden(t *testing.T) {
	const emiratesID, usPassport = 1001, 1262
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.ModelsDir = testenv.ModelsDir(t) }))
	c, accID, _, _ := apitest.Account(t, s, "edits")
	if _, err := s.DB.Deposit(context.Background(), accID, 300, "test"); err != nil { // four photos at $0.50
		t.Fatal(err)
	}
	if r := c.Call("specification.get", map[string]any{"id": emiratesID}); r.Str("key") != "uae-emirates-id" || r.Str("background_edit") != "forbidden" ||
		!strings.Contains(r.Str("edit_source"), "software-modified") {
		t.Fatalf("the Emirates ID spec: %s", r.Raw)
	}
	if r := c.Call("specification.get", map[string]any{"id": usPassport}); r.Str("background_edit") != "allowed" || r.Str("edit_source") != "" {
		t.Errorf("the US passport spec: %s", r.Raw)
	}
	face := portrait(t, testenv.PhotoGraceHopper, 3) // neutral, as the Emirates ID wants
	made := 0
	for _, tc := range []struct {
		spec    int64
		asked   string
		warned  bool
		settled string
	}{
		{emiratesID, "transparent", true, "keep"},
		{emiratesID, "", true, "keep"},
		{emiratesID, "keep", false, "keep"},
		{usPassport, "transparent", false, "transparent"},
	} {
		body := map[string]any{"photo": face, "spec_id": tc.spec}
		if tc.asked != "" {
			body["background"] = tc.asked
		}
		r := c.Call("photo.process", body)
		if r.Status != 202 || slices.Contains(strs(r.Body["warnings"]), "BACKGROUND_EDIT_NOT_ALLOWED") != tc.warned {
			t.Fatalf("spec %d, %q: %s", tc.spec, tc.asked, r.Raw)
		}
		done := waitTask(t, c, r.Num("task_id"))
		if done.Str("background") != tc.settled || slices.Contains(strs(done.Body["warnings"]), "BACKGROUND_EDIT_NOT_ALLOWED") != tc.warned {
			t.Errorf("spec %d, %q: %s", tc.spec, tc.asked, done.Raw)
		}
		if tc.spec == emiratesID && done.Str("state") == "SUCCESS" {
			if _, err := jpeg.DecodeConfig(bytes.NewReader(download(t, done.Str("digital_photo_url")))); err != nil ||
				slices.Contains(strs(done.Body["warnings"]), "BACKGROUND_ADJUSTED") {
				t.Errorf("spec %d, %q: the digital photo is no plain JPEG (%v): %s", tc.spec, tc.asked, err, done.Raw)
			}
			made++
		}
	}
	if made == 0 {
		t.Error("no Emirates ID photo was made: the portrait does not suit the spec")
	}

	own := map[string]any{"name": "Staff pass", "country_code": "AE", "width_mm": 35, "height_mm": 45, "dpi": 300,
		"head_min_mm": 30, "head_max_mm": 36, "eye_line_min_mm": 25, "eye_line_max_mm": 33, "background_hex": "#ffffff",
		"background_edit": "forbidden"}
	if r := c.Call("specification.create", own); r.Status != 200 || r.Str("background_edit") != "forbidden" || r.Str("edit_source") != "account" {
		t.Errorf("an own spec without edits: %s", r.Raw)
	}
	own["background_edit"] = "sometimes"
	if r := c.Call("specification.create", own); r.Status != 400 || r.Str("error_name") != "InvalidRequest" {
		t.Errorf("an unknown background_edit: %s", r.Raw)
	}
}
