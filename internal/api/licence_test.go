package api_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/aamva/aamvatest"
)

// tennessee is Anna Maria Eriksson's Tennessee driver licence, expiring on expiry (MMDDCCYY).
func tennessee(expiry string) string {
	return aamvatest.Build(aamvatest.Card{IIN: "636053", Version: 9, JurisdictionVersion: 1, Subfile: "DL",
		Elements: els("DCA", "D", "DCB", "NONE", "DCD", "NONE", "DBA", expiry, "DCS", "ERIKSSON", "DAC", "ANNA", "DAD", "MARIA",
			"DBD", "08122023", "DBB", "08121974", "DBC", "2", "DAY", "BLU", "DAU", "066 IN", "DAG", "742 EVERGREEN TERRACE",
			"DAI", "SPRINGFIELD", "DAJ", "TN", "DAK", "371720000  ", "DAQ", "123456789", "DCF", "0123456789", "DCG", "USA",
			"DDE", "N", "DDF", "N", "DDG", "N")})
}

func els(kv ...string) []aamvatest.Element {
	var out []aamvatest.Element
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, aamvatest.Element{ID: kv[i], Value: kv[i+1]})
	}
	return out
}

// TestDriverLicenceFlow runs USPS 1583 with a Tennessee driver licence (front
// with portrait and printed fields, back with its PDF417), a utility bill and
// a selfie: a valid licence is approved automatically; an expired one is
// rejected with the reason, and its data is still extracted.
func TestDriverLicenceFlow(t *testing.T) {
	t.Parallel() // a server of its own, and minutes of jobs: overlaps the others
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "licences")
	bill := testdocs.Bill(t, billLines, -1)
	selfie := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	run := func(expiry, printedNumber, printedExpiry string, rotate float64) (apitest.Reply, map[string]int64) {
		front := testdocs.LicenseSide(t, testdocs.Card{Portrait: testenv.ReadPhoto(t, testenv.PhotoGraceHopper), RotateDeg: rotate,
			Lines: []string{"TENNESSEE", "DRIVER LICENSE", "DL NO " + printedNumber, "ERIKSSON", "ANNA MARIA", "DOB 08/12/1974",
				"EXP " + printedExpiry, "742 EVERGREEN TERRACE"}})
		back := testdocs.LicenseSide(t, testdocs.Card{Barcode: tennessee(expiry), RotateDeg: -rotate, Blur: 0.6, Lines: []string{"ORGAN DONOR"}})
		v := c.Call("verification.create", apitest.ExpectAnna)
		vid := v.Num("id")
		id := apitest.Doc("usps1583", vid, "PHOTO_ID", 2, "US", front)
		id["back_side_data"] = base64.StdEncoding.EncodeToString(back)
		ids := map[string]int64{}
		for ctx, d := range map[string]map[string]any{"PHOTO_ID": id, "PROOF_OF_ADDRESS": apitest.Doc("usps1583", vid, "PROOF_OF_ADDRESS", 20, "USA", bill),
			"SELFIE": apitest.Doc("usps1583", vid, "SELFIE", 30, "US", selfie)} {
			r := c.Call("document.create", d)
			if r.Status != 200 {
				t.Fatalf("document.create %s: %s", ctx, r.Raw)
			}
			ids[ctx] = r.Num("id")
		}
		testenv.WaitFor(t, 90*time.Second, "documents extracted", func() bool {
			for _, id := range ids {
				if c.Call("document.get", map[string]any{"id": id}).Num("status") != 7 {
					return false
				}
			}
			return true
		})
		if r := c.Call("verification.submit", map[string]any{"id": vid}); r.Status != 200 {
			t.Fatalf("submit: %s", r.Raw)
		}
		return apitest.WaitVerification(t, c, vid, "APPROVED", "REJECTED", "DOUBLE_CHECK"), ids
	}

	got, ids := run("08122031", "123456789", "08/12/2031", 4)
	if got.Str("status") != "APPROVED" {
		t.Fatalf("valid licence: %s; decisions %s", got.Raw, c.Call("decision.list", map[string]any{"verification_id": got.Num("id")}).Raw)
	}
	x := c.Call("extracted_data.get", map[string]any{"document_id": ids["PHOTO_ID"]})
	for k, want := range map[string]string{"person_surname": "ERIKSSON", "person_given_names": "ANNA MARIA", "person_full_name": "ANNA MARIA ERIKSSON",
		"person_date_of_birth": "1974-08-12", "document_number": "123456789", "document_expiration_date": "2031-08-12",
		"document_issuing_entity": "Tennessee", "document_identified": "United States - Tennessee Driver License",
		"address_street": "742 EVERGREEN TERRACE", "address_city": "SPRINGFIELD", "address_state": "TN", "address_zip": "37172",
		"address_country": "USA", "document_type": "Driver License"} {
		if x.Str(k) != want {
			t.Errorf("%s = %q, want %q", k, x.Str(k), want)
		}
	}

	got, ids = run("08122025", "123456789", "08/12/2025", -3)
	decisions := c.Call("decision.list", map[string]any{"verification_id": got.Num("id")})
	if got.Str("status") != "REJECTED" || !strings.Contains(decisions.Raw, "DOCUMENT_EXPIRED") {
		t.Fatalf("expired licence: %s; decisions %s", got.Raw, decisions.Raw)
	}
	if x := c.Call("extracted_data.get", map[string]any{"document_id": ids["PHOTO_ID"]}); x.Str("document_expiration_date") != "2025-08-12" {
		t.Errorf("expired licence data: %s", x.Raw)
	}
	var reasons []string
	for _, d := range decisions.Body["data"].([]any) {
		if m := d.(map[string]any); m["document_id"] == float64(0) {
			for _, r := range m["reasons"].([]any) {
				reasons = append(reasons, r.(string))
			}
		}
	}
	if slices.Contains(reasons, "BARCODE_NOT_READ") || slices.Contains(reasons, "FRONT_NUMBER_MISMATCH") {
		t.Errorf("expired licence: reasons %v", reasons)
	}

	// A front that shows another number than the barcode: a person decides.
	got, _ = run("08122031", "987654321", "08/12/2031", 2)
	decisions = c.Call("decision.list", map[string]any{"verification_id": got.Num("id")})
	if got.Str("status") != "DOUBLE_CHECK" || !strings.Contains(decisions.Raw, "FRONT_NUMBER_MISMATCH") {
		t.Fatalf("front and barcode disagree: %s; decisions %s", got.Raw, decisions.Raw)
	}
}

// TestSessionDriverLicence: a session with a licence's front and back fills
// the same fields as a passport; an expired licence declines it.
func TestSessionDriverLicence(t *testing.T) {
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "licence sessions")
	selfie := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	front := testdocs.LicenseSide(t, testdocs.Card{Portrait: testenv.ReadPhoto(t, testenv.PhotoGraceHopper),
		Lines: []string{"TENNESSEE", "DRIVER LICENSE", "DL NO 123456789", "ERIKSSON", "ANNA MARIA"}})
	for _, tc := range []struct {
		expiry, state, expiryDate string
		checks                    []string
	}{
		{"08122031", "APPROVED", "2031-08-12", nil},
		{"08122025", "DECLINED", "2025-08-12", []string{"DOCUMENT_EXPIRED"}},
	} {
		back := testdocs.LicenseSide(t, testdocs.Card{Barcode: tennessee(tc.expiry), RotateDeg: 5, Blur: 0.6})
		cr := c.Call("session.create", map[string]any{"face_verification": true})
		dev := apitest.Device(c, cr.Str("token"))
		for kind, img := range map[string][]byte{"document_front": front, "document_back": back, "selfie": selfie} {
			if r := dev.Call("session.upload", map[string]any{"kind": kind, "image": apitest.B64(img)}); r.Status != 200 {
				t.Fatalf("upload %s: %s", kind, r.Raw)
			}
		}
		if r := dev.Call("session.submit", nil); r.Status != 200 {
			t.Fatalf("submit: %s", r.Raw)
		}
		got := waitDecided(t, c, cr.Num("id"))
		for k, v := range map[string]string{"state": tc.state, "surname": "ERIKSSON", "given_names": "ANNA MARIA", "sex": "F",
			"date_of_birth": "1974-08-12", "document_type": "DRIVER_LICENSE", "document_number": "123456789",
			"expiry_date": tc.expiryDate, "issuing_country": "US", "issuer": "Tennessee"} {
			if got.Str(k) != v {
				t.Errorf("%s: %s = %q, want %q", tc.state, k, got.Str(k), v)
			}
		}
		var checks []string
		for _, ch := range got.Body["checks"].([]any) {
			checks = append(checks, ch.(string))
		}
		if !slices.Equal(checks, tc.checks) {
			t.Errorf("%s: checks %v, want %v", tc.state, checks, tc.checks)
		}
	}
}
