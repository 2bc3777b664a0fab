package openapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// Real requests and answers of a running server conform to the document it serves.
func TestServerConformsToItsDocument(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	res, err := http.Get(s.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(served, build(t)) {
		t.Fatal("the served document differs from the generated one")
	}
	d, err := libopenapi.NewDocument(served)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	// Negative control: a wrong answer must be caught, or the loop below proves nothing.
	bad := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader([]byte(`{"id": "one", "name": 5}`)))}
	badReq, _ := http.NewRequest("POST", s.URL+"/api/v1/account.get", nil)
	if ok, _ := v.ValidateHttpResponse(badReq, bad); ok {
		t.Fatal("the validator accepted a malformed account.get answer")
	}
	ctx := context.Background()
	acc, _ := s.DB.CreateAccount(ctx, "conformance", true)
	key, secret, _ := s.DB.CreateAPIKey(ctx, acc.ID, "k")
	calls := []struct{ method, body string }{
		{"account.get", `{}`},
		{"api_key.create", `{"name": "x"}`},
		{"api_key.list", `{"limit": 2}`},
		{"api_key.get", `{"id": 1}`},
		{"billing.deposit", `{"amount_usd": "12.34"}`},
		{"billing.balance", `{}`},
		{"transaction.list", `{}`},
		{"transaction.get", `{"id": 1}`},
		{"specification.list", `{"country_code": "GB"}`},
		{"specification.get", `{"id": 1001}`},
		{"photo.list", `{}`},
		{"task.get", `{"id": 99}`},       // error envelope
		{"api_key.get", `{"id": "one"}`}, // 400
	}
	for _, c := range calls {
		req, _ := http.NewRequest("POST", s.URL+"/api/v1/"+c.method, bytes.NewReader([]byte(c.body)))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(key.PublicKey, secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(body))
		req, _ = http.NewRequest("POST", s.URL+"/api/v1/"+c.method, bytes.NewReader([]byte(c.body)))
		req.Header.Set("Content-Type", "application/json")
		if ok, verrs := v.ValidateHttpResponse(req, res); !ok {
			for _, e := range verrs {
				t.Errorf("%s %d %s: %s: %s", c.method, res.StatusCode, body, e.Message, e.Reason)
			}
		}
	}
}
