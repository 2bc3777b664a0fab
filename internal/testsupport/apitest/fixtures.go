package apitest

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// WorkerServer is a test server whose workers read documents and faces: it
// has the models, and callbacks may reach loopback receivers, retried fast.
func WorkerServer(t *testing.T, dbURL string, extra ...func(*config.Config)) *testenv.Server {
	models := testenv.ModelsDir(t)
	return testenv.NewServer(t, dbURL, testenv.WithConfig(func(c *config.Config) {
		c.ModelsDir = models
		c.CallbackAllow = []string{"127.0.0.1/32"}
		c.CallbackRetryScale = 0.001
		for _, fn := range extra {
			fn(c)
		}
	}))
}

// ExpectAnna is verification.create for the person of the test documents.
var ExpectAnna = map[string]any{"flow": "usps1583", "expected_given_names": "Anna Maria", "expected_surname": "Eriksson",
	"expected_date_of_birth": "1974-08-12", "expected_address_street": "742 Evergreen Terrace", "expected_address_city": "Springfield",
	"expected_address_state": "TN", "expected_address_zip": "37172", "expected_address_country": "USA"}

// Doc is a document.create request with a front side.
func Doc(flow string, verificationID int64, context string, typeID int64, country string, front []byte) map[string]any {
	return map[string]any{"flow": flow, "verification_id": verificationID, "context_type": context, "document_type_id": typeID,
		"country": country, "front_side_data": base64.StdEncoding.EncodeToString(front)}
}

// WaitVerification waits for a verification to reach one of states.
func WaitVerification(t *testing.T, c *Client, id int64, states ...string) Reply {
	t.Helper()
	var r Reply
	testenv.WaitFor(t, 120*time.Second, "verification "+strings.Join(states, "/"), func() bool {
		r = c.Call("verification.get", map[string]any{"id": id})
		return slices.Contains(states, r.Str("status"))
	})
	return r
}

// DoubleCheck makes a submitted verification that waits for a person (a
// driver licence photo without a barcode cannot be read automatically) and
// returns it with the licence's document.
func DoubleCheck(t *testing.T, c *Client) (verificationID, documentID int64) {
	t.Helper()
	v := c.Call("verification.create", ExpectAnna).Num("id")
	id := c.Call("document.create", Doc("usps1583", v, "PHOTO_ID", 2, "US", testenv.ReadPhoto(t, testenv.PhotoGrace512))).Num("id")
	c.Call("document.create", Doc("usps1583", v, "PROOF_OF_ADDRESS", 20, "USA", testenv.ReadPhoto(t, testenv.PhotoGrace512)))
	testenv.WaitFor(t, 60*time.Second, "documents extracted", func() bool {
		return c.Call("document.get", map[string]any{"id": id}).Num("status") == 7
	})
	if r := c.Call("verification.submit", map[string]any{"id": v}); r.Status != 200 {
		t.Fatalf("submit: %s", r.Raw)
	}
	if got := WaitVerification(t, c, v, "APPROVED", "REJECTED", "DOUBLE_CHECK"); got.Str("status") != "DOUBLE_CHECK" {
		t.Fatalf("verification: %s", got.Raw)
	}
	return v, id
}

// ConsoleUser adds a console user as the operator does and returns the
// generated password.
func ConsoleUser(t *testing.T, s *testenv.Server, accountID int64, email, role string) string {
	t.Helper()
	_, pw, err := s.Accounts.CreateUser(context.Background(), accountID, accounts.Full, accounts.UserRequest{Email: email, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return pw
}

// SubmitSession opens a session with the create request (nil: {}), uploads
// front as its document front (nil: none) through the session's token, and
// submits it; it returns the session's id.
func SubmitSession(t *testing.T, c *Client, create map[string]any, front []byte) int64 {
	t.Helper()
	if create == nil {
		create = map[string]any{}
	}
	cr := c.Call("session.create", create)
	if cr.Status != 200 {
		t.Fatalf("session.create: %s", cr.Raw)
	}
	dev := Device(c, cr.Str("token"))
	if front != nil {
		if r := dev.Call("session.upload", map[string]any{"kind": "document_front", "image": B64(front)}); r.Status != 200 {
			t.Fatalf("session.upload: %s", r.Raw)
		}
	}
	if r := dev.Call("session.submit", nil); r.Status != 200 {
		t.Fatalf("session.submit: %s", r.Raw)
	}
	return cr.Num("id")
}
