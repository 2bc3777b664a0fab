package api_test

import (
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

func TestSpecifications(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "specs")
	r := c.Call("specification.list", map[string]any{"country_code": "us"})
	data, _ := r.Body["data"].([]any)
	if r.Status != 200 || len(data) != 3 || r.Body["has_more"] != false {
		t.Fatalf("list us: %s", r.Raw)
	}
	var passportID float64
	for _, row := range data {
		m := row.(map[string]any)
		if m["country_code"] != "US" || m["type"] == "" {
			t.Errorf("row %v", m)
		}
		if m["type"] == "passport" {
			passportID = m["id"].(float64)
		}
	}
	if r2 := c.Call("specification.list", map[string]any{"country_code": "US"}); r2.Raw != r.Raw {
		t.Error("country code is case-sensitive")
	}
	got := c.Call("specification.get", map[string]any{"id": passportID})
	want := map[string]any{"width_mm": 51.0, "height_mm": 51.0, "dpi": 300.0, "width_px": 600.0, "height_px": 600.0,
		"head_min_mm": 25.0, "head_max_mm": 35.0, "eye_line_min_mm": 28.0, "eye_line_max_mm": 35.0, "background": "White or off-white"}
	for k, v := range want {
		if got.Body[k] != v {
			t.Errorf("%s = %v, want %v", k, got.Body[k], v)
		}
	}
	if got.Str("source_url") == "" {
		t.Error("no source_url")
	}
	cases := []struct {
		body   map[string]any
		status int
		name   string
	}{
		{map[string]any{"country_code": "zz"}, 200, ""},
		{map[string]any{"country_code": "usa"}, 400, "InvalidRequest"},
		{map[string]any{"country_code": "1!"}, 400, "InvalidRequest"},
		{map[string]any{}, 400, "InvalidRequest"},
	}
	for _, tc := range cases {
		r := c.Call("specification.list", tc.body)
		if r.Status != tc.status || (tc.name != "" && r.Str("error_name") != tc.name) {
			t.Errorf("%v: %s", tc.body, r.Raw)
		}
		if tc.status == 200 && len(r.Body["data"].([]any)) != 0 {
			t.Errorf("%v: unknown country has specs", tc.body)
		}
	}
	if r := c.Call("specification.get", map[string]any{"id": 1}); r.Status != 404 || r.Str("error_name") != "SpecificationNotFound" {
		t.Fatalf("unknown id: %s", r.Raw)
	}
}
