package rpc

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

type decodeTarget struct {
	ListRequest
	ID      int64      `json:"id" rpc:"required"`
	Name    string     `json:"name"`
	Flag    bool       `json:"flag"`
	Ratio   float64    `json:"ratio"`
	Tags    []string   `json:"tags"`
	When    Timestamp  `json:"when"`
	Since   *Timestamp `json:"since"`
	Count   *int       `json:"count"`
	State   testState  `json:"state"`
	Kind    *testKind  `json:"kind"`
	Skipped string     `json:"-"`
}

type (
	testState string
	testKind  string
)

func (testState) Values() []string { return []string{"OPEN", "CLOSED"} }
func (testKind) Values() []string  { return []string{"a", "b"} }

func TestDecode(t *testing.T) {
	cases := []struct {
		body    string
		wantErr string // substring of the message; "" means success
		check   func(*decodeTarget) bool
	}{
		{body: `{"id": 7}`, check: func(d *decodeTarget) bool { return d.ID == 7 }},
		{body: `  {"id": 7, "unknown": {"deep": [1]}}  `, check: func(d *decodeTarget) bool { return d.ID == 7 }},
		{body: `{"id": 1, "limit": 5, "cursor": "x"}`, check: func(d *decodeTarget) bool { return d.Limit == 5 && d.Cursor == "x" }},
		{body: `{"id": 1, "when": "2024-01-27T10:11:12Z"}`, check: func(d *decodeTarget) bool { return d.When.Unix() == 1706350272 }},
		{body: `{"id": 1, "name": null}`, check: func(d *decodeTarget) bool { return d.Name == "" }},
		{body: `{"id": 1, "-": "x"}`, check: func(d *decodeTarget) bool { return d.Skipped == "" }},
		{body: ``, wantErr: "id: is required"},
		{body: `{}`, wantErr: "id: is required"},
		{body: `{"id": "7"}`, wantErr: "id: expected integer"},
		{body: `{"id": 7.5}`, wantErr: "id: expected integer"},
		{body: `{"id": 1e30}`, wantErr: "id: expected integer"},
		{body: `{"id": 1, "name": 3}`, wantErr: "name: expected string"},
		{body: `{"id": 1, "flag": "yes"}`, wantErr: "flag: expected boolean"},
		{body: `{"id": 1, "ratio": "0.5"}`, wantErr: "ratio: expected number"},
		{body: `{"id": 1, "tags": "a"}`, wantErr: "tags: expected array of string"},
		{body: `{"id": 1, "tags": [1]}`, wantErr: "tags: expected array of string"},
		{body: `{"id": 1, "when": "yesterday"}`, wantErr: "when: expected timestamp string"},
		{body: `{"id": 1, "limit": true}`, wantErr: "limit: expected integer"},
		{body: `{"id": 1, "since": 5}`, wantErr: "since: expected timestamp string"},
		{body: `{"id": 1, "count": "5"}`, wantErr: "count: expected integer"},
		{body: `[]`, wantErr: "must be a JSON object"},
		{body: `"text"`, wantErr: "must be a JSON object"},
		{body: `null`, wantErr: "must be a JSON object"},
		{body: `{"id": 1`, wantErr: "not valid JSON"},
		{body: `{"id": 1} {"id": 2}`, wantErr: "not valid JSON"},
		{body: `{"id": 1, "state": "OPEN", "kind": "b"}`, check: func(d *decodeTarget) bool { return d.State == "OPEN" && *d.Kind == "b" }},
		{body: `{"id": 1, "state": ""}`, check: func(d *decodeTarget) bool { return d.State == "" }},
		{body: `{"id": 1, "state": "open"}`, wantErr: "state: must be one of OPEN, CLOSED"},
		{body: `{"id": 1, "kind": "c"}`, wantErr: "kind: must be one of a, b"},
		{body: `{"id": 1, "name": "a\u0000b"}`, wantErr: "name: must not contain NUL characters"},
		{body: `{"id": 1, "tags": ["ok", "\u0000"]}`, wantErr: "tags: must not contain NUL characters"},
		{body: "{\"id\": 1, \"name\": \"\xff\xfe\"}", wantErr: "name: must be valid UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.body, func(t *testing.T) {
			var d decodeTarget
			err := Decode([]byte(tc.body), &d)
			if tc.wantErr == "" {
				if err != nil || !tc.check(&d) {
					t.Fatalf("err %v, decoded %+v", err, d)
				}
				return
			}
			apiErr := AsError(err)
			if apiErr.Status != 400 || apiErr.Name != "InvalidRequest" || !strings.Contains(apiErr.Message, tc.wantErr) {
				t.Fatalf("got %v, want InvalidRequest containing %q", err, tc.wantErr)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"id":1}`, `{"id":"x","tags":[1]}`, `[]`, `{"when":"2024-01-01T00:00:00Z","id":2}`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var d decodeTarget
		if err := Decode(body, &d); err != nil {
			if e := AsError(err); e.Status != 400 || e.Name != "InvalidRequest" {
				t.Fatalf("decode error is not an InvalidRequest: %v", err)
			}
		}
	})
}

func TestListPage(t *testing.T) {
	p, err := ListRequest{}.Page()
	if err != nil || p.Limit != 20 || p.BeforeID != 0 {
		t.Fatalf("defaults: %+v %v", p, err)
	}
	rows := []int64{9, 8, 7, 6}
	out := NewList(rows, Page{Limit: 3}, func(v int64) int64 { return v })
	if !out.HasMore || len(out.Data) != 3 || out.NextCursor == "" {
		t.Fatalf("page: %+v", out)
	}
	next, err := ListRequest{Cursor: out.NextCursor}.Page()
	if err != nil || next.BeforeID != 7 {
		t.Fatalf("cursor round trip: %+v %v", next, err)
	}
	at := time.Date(2026, 12, 7, 4, 5, 6, 789012000, time.UTC)
	dated := NewListAt(rows, Page{Limit: 3}, func(v int64) (int64, time.Time) { return v, at.Add(time.Duration(v) * time.Second) })
	next, err = ListRequest{Cursor: dated.NextCursor}.Page()
	if err != nil || next.BeforeID != 7 || !next.BeforeAt.Equal(at.Add(7*time.Second)) {
		t.Fatalf("dated cursor round trip: %+v %v", next, err)
	}
	if last := NewListAt(rows, Page{Limit: 4}, func(v int64) (int64, time.Time) { return v, at }); last.HasMore || last.NextCursor != "" {
		t.Errorf("last dated page has a cursor: %+v", last)
	}
	bad := func(raw string) ListRequest {
		return ListRequest{Cursor: base64.RawURLEncoding.EncodeToString([]byte(raw))}
	}
	for _, bad := range []ListRequest{{Limit: -1}, {Limit: 101}, {Cursor: "!!"}, {Cursor: "LTE"}, bad("7:"), bad("7:x"), bad("7:-5"), bad(":5")} {
		if _, err := bad.Page(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if empty := NewList([]int64(nil), Page{Limit: 3}, func(v int64) int64 { return v }); empty.Data == nil || empty.HasMore {
		t.Errorf("empty list encodes data as null or has_more: %+v", empty)
	}
}

func TestRegisterRejectsBadSpecs(t *testing.T) {
	type req struct{}
	type res struct{}
	h := Handler[req, res](nil)
	cases := map[string]Spec{
		"bad name":     {Name: "NoDot", Summary: "s", Scope: ScopeAccount, Permission: PermPhotos, MaxBody: 1},
		"no summary":   {Name: "a.b", Scope: ScopeAccount, Permission: PermPhotos, MaxBody: 1},
		"no scope":     {Name: "a.b", Summary: "s", Permission: PermPhotos, MaxBody: 1},
		"no limit":     {Name: "a.b", Summary: "s", Scope: ScopeAccount, Permission: PermPhotos},
		"no key scope": {Name: "a.b", Summary: "s", Scope: ScopeAccount, MaxBody: 1},
	}
	for name, spec := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			Register(NewRegistry(), spec, h)
		})
	}
	t.Run("duplicate", func(t *testing.T) {
		r := NewRegistry()
		ok := Spec{Name: "a.b", Summary: "s", Scope: ScopeAccount, Permission: PermPhotos, MaxBody: 1}
		Register(r, ok, h)
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		Register(r, ok, h)
	})
}

func TestTimestampFormat(t *testing.T) {
	ts, err := (&Timestamp{}), error(nil)
	if err = ts.UnmarshalJSON([]byte(`"2024-01-27T10:11:12.987+02:00"`)); err != nil {
		t.Fatal(err)
	}
	b, _ := ts.MarshalJSON()
	if string(b) != `"2024-01-27T08:11:12Z"` {
		t.Fatalf("got %s", b)
	}
	if b, _ := (Timestamp{}).MarshalJSON(); string(b) != "null" {
		t.Fatalf("zero: %s", b)
	}
}
