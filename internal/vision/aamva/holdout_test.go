package aamva_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/vision/aamva"
)

// TestEvalHoldoutAAMVA measures the parser on real payloads from other
// parsers' test suites (make eval-docs): field by field against their
// expected values, with the normalisation those values carry. It measures
// only: no code path is added for any of these files.
func TestEvalHoldoutAAMVA(t *testing.T) {
	if os.Getenv("VERIDOC_EVAL") == "" {
		t.Skip("an evaluation: make eval-docs")
	}
	dir := filepath.Join(repo.Shared(), "data", "holdout", "realdocs", "aamva")
	raw, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Skipf("no holdout here: %v", err)
	}
	var truth map[string]struct {
		File        string            `json:"file"`
		TruthSource string            `json:"truth_source"`
		Expected    map[string]string `json:"expected"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(truth))
	for n := range truth {
		names = append(names, n)
	}
	sort.Strings(names)
	exact, scored := 0, 0
	for _, name := range names {
		h := truth[name]
		data, err := os.ReadFile(filepath.Join(dir, h.File))
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a file artefact, not barcode data (README)
		l, err := aamva.Parse(data)
		if h.TruthSource != "source_test" {
			t.Logf("%-34s (no truth) err=%v", name, err)
			continue
		}
		scored++
		if err != nil {
			t.Logf("%-34s NOT READ: %v", name, err)
			continue
		}
		if d := diff(l, h.Expected); d != "" {
			t.Logf("%-34s %s", name, d)
			continue
		}
		exact++
	}
	t.Logf("AAMVA payloads field-exact: %d of %d", exact, scored)
}

// diff compares a parse with IdParser's expected values.
func diff(l *aamva.License, want map[string]string) string {
	date := func(v string) string {
		if v == "0001-01-01" {
			return ""
		}
		return v
	}
	sex := map[string]string{"M": "Male", "F": "Female", "X": "NotSpecified"}[l.Sex]
	have := map[string]string{"First": l.FirstName, "Middle": l.MiddleNames, "Last": l.FamilyName, "Suffix": l.Suffix,
		"StreetLine1": l.Street, "StreetLine2": l.Street2, "City": l.City, "JurisdictionCode": l.State, "PostalCode": l.PostalCode,
		"IdNumber": l.Number, "DateOfBirth": date(l.BirthDate.Format("2006-01-02")), "ExpirationDate": date(l.ExpiryDate.Format("2006-01-02")),
		"IssueDate": date(l.IssueDate.Format("2006-01-02")), "Sex": sex}
	var out []string
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h, ok := have[k]
		if !ok {
			continue // the test's name, kind, version, validation
		}
		if norm(k, h) != norm(k, want[k]) {
			out = append(out, fmt.Sprintf("%s %q≠%q", k, h, want[k]))
		}
	}
	return strings.Join(out, "; ")
}

// norm compares as IdParser's values are written: case aside, a postal
// code's punctuation and padding aside.
func norm(field, v string) string {
	v = strings.ToUpper(strings.TrimSpace(v))
	if field == "PostalCode" {
		v = strings.NewReplacer("-", "", " ", "").Replace(v)
		v = strings.TrimRight(v, "0")
		if len(v) > 5 && strings.Trim(v[5:], "0") == "" {
			v = v[:5]
		}
	}
	return v
}
