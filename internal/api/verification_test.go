package api_test

import (
	"encoding/base64"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	sdkclient "github.com/veridoc/veridoc/client"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

var billLines = []string{"CITY POWER & LIGHT", "Statement date: 2026-10-01", "Account number 4471-2290", "",
	"ANNA MARIA ERIKSSON", "742 Evergreen Terrace", "Springfield, TN 37172", "", "Amount due: $45.20"}

var annaSE = testdocs.Person{Code: "P<", Issuer: "SWE", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Number: "L898902C3",
	Nationality: "SWE", Birth: "740812", Sex: "F", Expiry: "340415"}

// TestVerificationFlow runs usps1583 from start to an approved PDF on both databases.
func TestVerificationFlow(t *testing.T) {
	passport := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(annaSE), Portrait: testenv.ReadPhoto(t, testenv.PhotoGraceHopper), RotateDeg: 2,
		Fields: []string{"SURNAME  ERIKSSON", "GIVEN NAMES  ANNA MARIA"}})
	bill := testdocs.Bill(t, billLines, -1.5)
	selfie := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			s := apitest.WorkerServer(t, dbk.URL(t))
			c, _, _, _ := apitest.Account(t, s, "flows")
			recv := newReceiver(t)
			if r := c.Call("webhook_endpoint.create", map[string]any{"url": recv.URL, "events": []string{"nope"}}); r.Status != 400 {
				t.Fatalf("unknown event: %s", r.Raw)
			}
			// The account's first endpoint makes its webhook secret and shows it once.
			r := c.Call("webhook_endpoint.create", map[string]any{"url": recv.URL})
			if r.Status != 200 || !strings.HasPrefix(r.Str("webhook_secret"), "whsec_") {
				t.Fatalf("endpoint: %s", r.Raw)
			}
			recv.secret = r.Str("webhook_secret")
			var names []string
			for _, f := range c.Call("flow.list", nil).Body["data"].([]any) {
				names = append(names, f.(map[string]any)["name"].(string))
			}
			if strings.Join(names, ",") != "identity,usps1583" {
				t.Fatalf("flows %v", names)
			}
			for _, code := range []string{"US", "usa"} {
				types := c.Call("document_type.list", map[string]any{"flow": "usps1583", "country": code}).Body["data"].([]any)
				first := types[0].(map[string]any)
				if first["country_iso2"] != "US" || first["country_iso3"] != "USA" || first["country_name"] == "" || len(types) < 10 {
					t.Fatalf("document_type.list %s: %v", code, types)
				}
			}
			v := c.Call("verification.create", apitest.ExpectAnna)
			if v.Status != 200 || v.Str("status") != "STARTED" {
				t.Fatalf("verification.create: %s", v.Raw)
			}
			vid := v.Num("id")
			ids := map[string]int64{}
			for ctx, d := range map[string]map[string]any{
				"PHOTO_ID":         apitest.Doc("usps1583", vid, "PHOTO_ID", 1, "SWE", passport),
				"PROOF_OF_ADDRESS": apitest.Doc("usps1583", vid, "PROOF_OF_ADDRESS", 20, "USA", bill),
				"SELFIE":           apitest.Doc("usps1583", vid, "SELFIE", 30, "US", selfie),
			} {
				r := c.Call("document.create", d)
				if r.Status != 200 || r.Num("status") != 1 || r.Str("status_label") != "Uploaded" || r.Str("url_front") == "" {
					t.Fatalf("document.create %s: %s", ctx, r.Raw)
				}
				ids[ctx] = r.Num("id")
			}
			if r := c.Call("document.pdf", map[string]any{"id": ids["PHOTO_ID"]}); r.Status != 400 || r.Str("error_name") != "VerificationNotApproved" {
				t.Fatalf("pdf before approval: %s", r.Raw)
			}
			// Every document is read before the review starts.
			testenv.WaitFor(t, 90*time.Second, "documents extracted", func() bool {
				for _, id := range ids {
					if c.Call("document.get", map[string]any{"id": id}).Num("status") != 7 {
						return false
					}
				}
				return true
			})
			if r := c.Call("verification.submit", map[string]any{"id": vid}); r.Status != 200 || r.Str("status") != "SUBMITTED" {
				t.Fatalf("submit: %s", r.Raw)
			}
			got := apitest.WaitVerification(t, c, vid, "APPROVED", "REJECTED", "DOUBLE_CHECK")
			if got.Str("status") != "APPROVED" {
				for _, id := range ids {
					t.Logf("document %d: %s", id, c.Call("document.get", map[string]any{"id": id}).Raw)
				}
				t.Fatalf("verification: %s; decisions %s", got.Raw, c.Call("decision.list", map[string]any{"verification_id": vid}).Raw)
			}
			id := c.Call("extracted_data.get", map[string]any{"document_id": ids["PHOTO_ID"]})
			for k, want := range map[string]string{"person_surname": "ERIKSSON", "person_given_names": "ANNA MARIA", "person_date_of_birth": "1974-08-12",
				"document_number": "L898902C3", "document_expiration_date": "2034-04-15", "document_country_code": "SWE", "document_type": "Passport",
				"document_viz_surname": "ERIKSSON", "document_viz_given_names": "ANNA MARIA"} {
				if id.Str(k) != want {
					t.Errorf("PHOTO_ID %s = %q, want %q", k, id.Str(k), want)
				}
			}
			if n, _ := strconv.Atoi(id.Str("document_selfie_comparison")); n <= 50 {
				t.Errorf("selfie comparison %q", id.Str("document_selfie_comparison"))
			}
			poa := c.Call("extracted_data.get", map[string]any{"document_id": ids["PROOF_OF_ADDRESS"]})
			for k, want := range map[string]string{"address_zip": "37172", "address_city": "Springfield", "address_street": "742 Evergreen Terrace", "person_full_name": "ANNA MARIA ERIKSSON"} {
				if poa.Str(k) != want {
					t.Errorf("POA %s = %q, want %q", k, poa.Str(k), want)
				}
			}
			decisions := c.Call("decision.list", map[string]any{"verification_id": vid}).Body["data"].([]any)
			if len(decisions) != 4 || decisions[0].(map[string]any)["validation_workflow"] != "AUTOMATIC" || decisions[0].(map[string]any)["document_id"] != float64(0) {
				t.Errorf("decisions %v", decisions)
			}
			checkDocumentDetail(t, c, vid, ids)
			for ctx, docID := range ids {
				d := c.Call("document.get", map[string]any{"id": docID})
				if d.Num("status") != 3 || d.Str("status_label") != "Approved" {
					t.Errorf("%s document: %s", ctx, d.Raw)
				}
				u, _ := url.Parse(d.Str("url_front"))
				if exp, _ := strconv.ParseInt(u.Query().Get("expires"), 10, 64); exp-time.Now().Unix() > 1800 || exp-time.Now().Unix() < 1700 {
					t.Errorf("signed URL expires in %d s, want 30 min", exp-time.Now().Unix())
				}
				pdfReply := c.Call("document.pdf", map[string]any{"id": docID, "flow": "usps1583"})
				pdf, err := base64.StdEncoding.DecodeString(pdfReply.Str("data"))
				if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
					t.Fatalf("document.pdf: %.200s", pdfReply.Raw)
				}
				checkPDF(t, pdf)
			}
			testenv.WaitFor(t, 20*time.Second, "the events", func() bool { return len(recv.types()) >= 7 })
			types := recv.types()
			slices.Sort(types)
			if got := strings.Join(types, ","); got != "decision.made,document.uploaded,document.uploaded,document.uploaded,verification.finished,verification.started,verification.submitted" {
				t.Errorf("events %s", got)
			}
			if n := len(c.Call("callback.list", map[string]any{"verification_id": vid}).Body["data"].([]any)); n != 7 {
				t.Errorf("callback.list: %d attempts", n)
			}
			// Another account sees none of it.
			other, _, _, _ := apitest.Account(t, s, "other")
			for m, body := range map[string]map[string]any{"verification.get": {"id": vid}, "document.get": {"id": ids["SELFIE"]},
				"document.pdf": {"id": ids["SELFIE"]}, "extracted_data.get": {"document_id": ids["SELFIE"]},
				"decision.list": {"verification_id": vid}, "verification.cancel": {"id": vid}, "document.list": {"verification_id": vid}} {
				if r := other.Call(m, body); r.Status != 404 {
					t.Errorf("%s from another account: %s", m, r.Raw)
				}
			}
		})
	}
}

// checkPDF opens the PDF with poppler: it must parse and have a page per image.
func checkPDF(t *testing.T, pdf []byte) {
	t.Helper()
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		if os.Getenv("VERIDOC_TEST_REQUIRE_SERVICES") != "" {
			t.Fatal("pdfinfo missing (apt-get install poppler-utils)")
		}
		t.Skip("pdfinfo missing")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Pages:") {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	if out, err := exec.Command("pdftoppm", "-r", "20", "-png", path, filepath.Join(t.TempDir(), "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
}

// TestDocumentRules has one case per business rule of documents and verifications; each fails if its rule is removed.
func TestDocumentRules(t *testing.T) {
	// No workers: documents stay Uploaded, so the update rules can be seen.
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.Workers = 0 }))
	c, _, _, _ := apitest.Account(t, s, "rules")
	img := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	pdf := testdocs.BillPDF(t, billLines)
	newV := func(flow string) int64 { return c.Call("verification.create", map[string]any{"flow": flow}).Num("id") }

	v := newV("usps1583")
	canceled := newV("usps1583")
	c.Call("verification.cancel", map[string]any{"id": canceled})
	submitted := newV("usps1583")
	c.Call("document.create", apitest.Doc("usps1583", submitted, "PHOTO_ID", 1, "US", img))
	c.Call("document.create", apitest.Doc("usps1583", submitted, "PROOF_OF_ADDRESS", 20, "US", img))
	if r := c.Call("verification.submit", map[string]any{"id": submitted}); r.Status != 200 {
		t.Fatalf("submit: %s", r.Raw)
	}
	identity := newV("identity")
	withBack := func(d map[string]any, back []byte) map[string]any {
		d["back_side_data"] = base64.StdEncoding.EncodeToString(back)
		return d
	}
	other, _, _, _ := apitest.Account(t, s, "other")
	otherV := other.Call("verification.create", map[string]any{"flow": "usps1583"}).Num("id")
	cases := []struct {
		rule   string
		body   map[string]any
		status int
		name   string
	}{
		{"unknown flow", apitest.Doc("usps9999", v, "PHOTO_ID", 1, "US", img), 404, "FlowNotFound"},
		{"verification must belong to the flow", apitest.Doc("identity", v, "PHOTO_ID", 1, "US", img), 400, "FlowMismatch"},
		{"verification must exist", apitest.Doc("usps1583", 1<<40, "PHOTO_ID", 1, "US", img), 404, "VerificationNotFound"},
		{"another account's verification is not found", apitest.Doc("usps1583", otherV, "PHOTO_ID", 1, "US", img), 404, "VerificationNotFound"},
		{"verification must not be canceled", apitest.Doc("usps1583", canceled, "PHOTO_ID", 1, "US", img), 400, "VerificationCanceled"},
		{"verification must be STARTED", apitest.Doc("usps1583", submitted, "SELFIE", 30, "US", img), 400, "VerificationNotStarted"},
		{"type must be configured for the flow", apitest.Doc("identity", identity, "PROOF_OF_ADDRESS", 20, "US", img), 400, "DocumentTypeNotAllowed"},
		{"type must match the context", apitest.Doc("usps1583", v, "PROOF_OF_ADDRESS", 1, "US", img), 400, "DocumentTypeNotAllowed"},
		{"type must be issued in the country", apitest.Doc("usps1583", v, "PHOTO_ID", 3, "DEU", img), 400, "DocumentTypeNotAllowed"},
		{"country must be ISO 3166", apitest.Doc("usps1583", v, "PHOTO_ID", 1, "XYZ", img), 422, "InvalidRequest"},
		{"fields are required", map[string]any{"flow": "usps1583", "verification_id": v, "context_type": "PHOTO_ID", "country": "US", "front_side_data": base64.StdEncoding.EncodeToString(img)}, 422, "InvalidRequest"},
		{"fields have their types", map[string]any{"flow": "usps1583", "verification_id": v, "context_type": "PHOTO_ID", "document_type_id": "one", "country": "US", "front_side_data": base64.StdEncoding.EncodeToString(img)}, 422, "InvalidRequest"},
		{"context type is one of three", apitest.Doc("usps1583", v, "PASSPORT", 1, "US", img), 422, "InvalidRequest"},
		{"back side refused for a single-sided type", withBack(apitest.Doc("usps1583", v, "PHOTO_ID", 1, "US", img), img), 400, "BackSideNotAllowed"},
		{"back side refused where the country makes the type single-sided", withBack(apitest.Doc("usps1583", v, "PHOTO_ID", 10, "GBR", img), img), 400, "BackSideNotAllowed"},
		{"image must be valid base64", map[string]any{"flow": "usps1583", "verification_id": v, "context_type": "PHOTO_ID", "document_type_id": 1, "country": "US", "front_side_data": "%%%"}, 400, "InvalidImage"},
		{"image must be an image", apitest.Doc("usps1583", v, "PHOTO_ID", 1, "US", []byte("just text")), 400, "UnsupportedImageType"},
		{"a PDF only for proof of address", apitest.Doc("usps1583", v, "PHOTO_ID", 1, "US", pdf), 400, "UnsupportedImageType"},
		{"a pixel bomb is refused before decoding", apitest.Doc("usps1583", v, "PHOTO_ID", 1, "US", testenv.PNGHeader(100000, 100000)), 400, "PhotoTooLarge"},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			r := c.Call("document.create", tc.body)
			if r.Status != tc.status || r.Str("error_name") != tc.name {
				t.Fatalf("got %d %s", r.Status, r.Raw)
			}
		})
	}

	t.Run("double-sided types take a back side where the country says so", func(t *testing.T) {
		w := newV("usps1583")
		if r := c.Call("document.create", withBack(apitest.Doc("usps1583", w, "PHOTO_ID", 10, "FRA", img), img)); r.Status != 200 || r.Str("url_back") == "" {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("a PDF proof of address is accepted", func(t *testing.T) {
		w := newV("usps1583")
		if r := c.Call("document.create", apitest.Doc("usps1583", w, "PROOF_OF_ADDRESS", 21, "US", pdf)); r.Status != 200 || r.Str("front_content_type") != "application/pdf" {
			t.Fatalf("%s", r.Raw)
		}
	})
	// The rules of document.get, .update, .delete and .pdf and their statuses.
	t.Run("rules of the other document methods", func(t *testing.T) {
		w := newV("usps1583")
		d := c.Call("document.create", apitest.Doc("usps1583", w, "PHOTO_ID", 1, "US", img))
		if d.Status != 200 {
			t.Fatalf("create: %s", d.Raw)
		}
		id := d.Num("id")
		otherDoc := other.Call("document.create", apitest.Doc("usps1583", otherV, "PHOTO_ID", 1, "US", img)).Num("id")
		rules := []struct {
			rule   string
			method string
			body   map[string]any
			status int
			name   string
		}{
			{"get: the document's verification must belong to the flow", "document.get", map[string]any{"id": id, "flow": "identity"}, 400, "FlowMismatch"},
			{"get: unknown document", "document.get", map[string]any{"id": 1 << 40}, 404, "DocumentNotFound"},
			{"get: another account's document is not found", "document.get", map[string]any{"id": otherDoc}, 404, "DocumentNotFound"},
			{"get: id is required", "document.get", map[string]any{}, 422, "InvalidRequest"},
			{"list: the verification must belong to the flow", "document.list", map[string]any{"verification_id": w, "flow": "identity"}, 400, "FlowMismatch"},
			{"list: unknown verification", "document.list", map[string]any{"verification_id": 1 << 40}, 404, "VerificationNotFound"},
			{"list: another account's verification is not found", "document.list", map[string]any{"verification_id": otherV}, 404, "VerificationNotFound"},
			{"update: flow mismatch", "document.update", map[string]any{"id": id, "flow": "identity", "country": "US"}, 400, "FlowMismatch"},
			{"update: status is 1–7", "document.update", map[string]any{"id": id, "status": 9}, 422, "InvalidRequest"},
			{"update: type not allowed", "document.update", map[string]any{"id": id, "document_type_id": 21}, 400, "DocumentTypeNotAllowed"},
			{"update: another account's document is not found", "document.update", map[string]any{"id": otherDoc, "country": "US"}, 404, "DocumentNotFound"},
			{"delete: flow mismatch", "document.delete", map[string]any{"id": id, "flow": "identity"}, 400, "FlowMismatch"},
			{"delete: another account's document is not found", "document.delete", map[string]any{"id": otherDoc}, 404, "DocumentNotFound"},
			{"pdf: flow mismatch", "document.pdf", map[string]any{"id": id, "flow": "identity"}, 400, "FlowMismatch"},
			{"pdf: the verification must be approved", "document.pdf", map[string]any{"id": id}, 400, "VerificationNotApproved"},
			{"pdf: another account's document is not found", "document.pdf", map[string]any{"id": otherDoc}, 404, "DocumentNotFound"},
		}
		for _, tc := range rules {
			if r := c.Call(tc.method, tc.body); r.Status != tc.status || r.Str("error_name") != tc.name {
				t.Errorf("%s: got %d %s", tc.rule, r.Status, r.Raw)
			}
		}
	})
	var first int64
	t.Run("at most one document per type; after delete the type can be uploaded again", func(t *testing.T) {
		r := c.Call("document.create", apitest.Doc("usps1583", v, "PHOTO_ID", 1, "US", img))
		if r.Status != 200 {
			t.Fatalf("first: %s", r.Raw)
		}
		if r2 := c.Call("document.create", apitest.Doc("usps1583", v, "PHOTO_ID", 2, "US", img)); r2.Status != 400 || r2.Str("error_name") != "DuplicateDocumentType" {
			t.Fatalf("second photo ID: %s", r2.Raw)
		}
		if d := c.Call("document.delete", map[string]any{"id": r.Num("id"), "flow": "identity"}); d.Status != 400 || d.Str("error_name") != "FlowMismatch" {
			t.Fatalf("delete in the wrong flow: %s", d.Raw)
		}
		if d := c.Call("document.delete", map[string]any{"id": r.Num("id")}); d.Status != 200 {
			t.Fatalf("delete: %s", d.Raw)
		}
		if r3 := c.Call("document.get", map[string]any{"id": r.Num("id")}); r3.Status != 404 || r3.Str("error_name") != "DocumentNotFound" {
			t.Fatalf("get after delete: %s", r3.Raw)
		}
		r4 := c.Call("document.create", apitest.Doc("usps1583", v, "PHOTO_ID", 2, "US", img))
		if r4.Status != 200 {
			t.Fatalf("after delete: %s", r4.Raw)
		}
		first = r4.Num("id")
	})
	t.Run("update changes only the given fields", func(t *testing.T) {
		before := c.Call("document.get", map[string]any{"id": first})
		r := c.Call("document.update", map[string]any{"id": first, "country": "CAN", "flow": "usps1583"})
		if r.Status != 200 || r.Str("country_iso3") != "CAN" || r.Num("document_type_id") != 2 || r.Str("context_type") != "PHOTO_ID" {
			t.Fatalf("update: %s", r.Raw)
		}
		if strings.Split(r.Str("url_front"), "?")[0] != strings.Split(before.Str("url_front"), "?")[0] {
			t.Fatalf("the front image changed without being sent")
		}
		r = c.Call("document.update", map[string]any{"id": first, "front_side_data": base64.StdEncoding.EncodeToString(testenv.ReadPhoto(t, testenv.PhotoGraceHopper))})
		if strings.Split(r.Str("url_front"), "?")[0] == strings.Split(before.Str("url_front"), "?")[0] || r.Str("country_iso3") != "CAN" {
			t.Fatalf("front replacement: %s", r.Raw)
		}
		if r := c.Call("document.update", map[string]any{"id": first, "document_type_id": 20}); r.Status != 400 || r.Str("error_name") != "DocumentTypeNotAllowed" {
			t.Fatalf("type of another context: %s", r.Raw)
		}
	})
	t.Run("update only while the document is Uploaded", func(t *testing.T) {
		if r := c.Call("document.update", map[string]any{"id": first, "status": 7}); r.Status != 200 || r.Num("status") != 7 {
			t.Fatalf("status change: %s", r.Raw)
		}
		if r := c.Call("document.update", map[string]any{"id": first, "country": "US"}); r.Status != 400 || r.Str("error_name") != "DocumentNotEditable" {
			t.Fatalf("update after extraction: %s", r.Raw)
		}
	})
	t.Run("update only while the verification is STARTED", func(t *testing.T) {
		w := newV("usps1583")
		docID := c.Call("document.create", apitest.Doc("usps1583", w, "PHOTO_ID", 1, "US", img)).Num("id")
		c.Call("document.create", apitest.Doc("usps1583", w, "PROOF_OF_ADDRESS", 20, "US", img))
		c.Call("verification.submit", map[string]any{"id": w})
		if r := c.Call("document.update", map[string]any{"id": docID, "country": "CAN"}); r.Status != 400 || r.Str("error_name") != "VerificationNotStarted" {
			t.Fatalf("%s", r.Raw)
		}
		if r := c.Call("document.delete", map[string]any{"id": docID}); r.Status != 400 {
			t.Fatalf("delete after submit: %s", r.Raw)
		}
	})
	t.Run("submit needs the flow's required documents", func(t *testing.T) {
		w := newV("usps1583")
		c.Call("document.create", apitest.Doc("usps1583", w, "PHOTO_ID", 1, "US", img))
		if r := c.Call("verification.submit", map[string]any{"id": w}); r.Status != 400 || r.Str("error_name") != "MissingDocuments" || !strings.Contains(r.Str("error_message"), "PROOF_OF_ADDRESS") {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("cancel cancels the documents, once", func(t *testing.T) {
		w := newV("usps1583")
		d := c.Call("document.create", apitest.Doc("usps1583", w, "PHOTO_ID", 1, "US", img)).Num("id")
		if r := c.Call("verification.cancel", map[string]any{"id": w}); r.Str("status") != "CANCELED" {
			t.Fatalf("%s", r.Raw)
		}
		if r := c.Call("document.get", map[string]any{"id": d}); r.Num("status") != 6 || r.Str("status_label") != "Canceled" {
			t.Fatalf("%s", r.Raw)
		}
		if r := c.Call("verification.cancel", map[string]any{"id": w}); r.Status != 400 {
			t.Fatalf("second cancel: %s", r.Raw)
		}
	})
	t.Run("decisions: manual, audited corrections, cancel", func(t *testing.T) {
		if r := c.Call("decision.create", map[string]any{"verification_id": v, "status": "APPROVED"}); r.Status != 400 || r.Str("error_name") != "VerificationNotSubmitted" {
			t.Fatalf("decision on a STARTED verification: %s", r.Raw)
		}
		if r := c.Call("decision.create", map[string]any{"verification_id": submitted, "status": "MAYBE"}); r.Status != 422 || r.Str("error_name") != "InvalidRequest" {
			t.Fatalf("bad status: %s", r.Raw)
		}
		d := c.Call("decision.create", map[string]any{"verification_id": submitted, "status": "APPROVED", "comment": "checked by hand"})
		if d.Status != 200 || d.Str("validation_workflow") != "MANUAL" || d.Str("status_label") != "Approved" {
			t.Fatalf("manual decision: %s", d.Raw)
		}
		if r := c.Call("verification.get", map[string]any{"id": submitted}); r.Str("status") != "APPROVED" || r.Str("finished") == "" {
			t.Fatalf("after approval: %s", r.Raw)
		}
		docs := c.Call("decision.get", map[string]any{"id": d.Num("id")})
		if docs.Str("comment") != "checked by hand" {
			t.Fatalf("decision.get: %s", docs.Raw)
		}
		if r := c.Call("decision.cancel", map[string]any{"id": d.Num("id")}); r.Status != 200 || r.Str("canceled") == "" || r.Str("updated") != r.Str("canceled") {
			t.Fatalf("cancel decision (updated must be when it was canceled): %s", r.Raw)
		}
		if r := c.Call("verification.get", map[string]any{"id": submitted}); r.Str("status") != "DOUBLE_CHECK" {
			t.Fatalf("after canceling the decision: %s", r.Raw)
		}
		if r := c.Call("decision.cancel", map[string]any{"id": d.Num("id")}); r.Status != 400 {
			t.Fatalf("cancel twice: %s", r.Raw)
		}
		// Corrections change only the given keys and are audited.
		docID := c.Call("document.create", apitest.Doc("usps1583", newV("usps1583"), "PHOTO_ID", 1, "US", img)).Num("id")
		u := c.Call("extracted_data.update", map[string]any{"document_id": docID, "person_surname": "ERIKSSON", "address_zip": "37172"})
		if u.Str("person_surname") != "ERIKSSON" || u.Str("address_zip") != "37172" || u.Body["person_given_names"] != nil {
			t.Fatalf("update: %s", u.Raw)
		}
		c.Call("extracted_data.update", map[string]any{"document_id": docID, "person_surname": "ERICSSON"})
		ch := c.Call("extracted_data_change.list", map[string]any{"document_id": docID}).Body["data"].([]any)
		if len(ch) != 3 || ch[2].(map[string]any)["old_value"] != "ERIKSSON" || ch[2].(map[string]any)["new_value"] != "ERICSSON" || ch[2].(map[string]any)["api_key_id"] == float64(0) {
			t.Fatalf("audit: %v", ch)
		}
	})
}

// TestVerificationRejected: a selfie of someone else rejects; names that
// differ ask for a double check. It speaks through the Go SDK.
func TestVerificationRejected(t *testing.T) {
	t.Parallel() // a server of its own, and minutes of jobs: overlaps the others
	passport := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(annaSE), Portrait: testenv.ReadPhoto(t, testenv.PhotoGraceHopper)})
	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	_, _, pub, secret := apitest.Account(t, s, "reject")
	sdk := sdkclient.New(s.URL, pub, secret)
	ctx := t.Context()
	run := func(expected sdkclient.ExpectedPerson, selfie []byte, billName string) (*sdkclient.Verification, sdkclient.Decision) {
		v, err := sdk.Verification.Create(ctx, &sdkclient.VerificationCreateRequest{Flow: "usps1583", ExpectedPerson: expected})
		if err != nil {
			t.Fatal(err)
		}
		lines := slices.Clone(billLines)
		lines[4] = billName
		for _, d := range []sdkclient.DocumentCreateRequest{
			{ContextType: "PHOTO_ID", DocumentTypeID: 1, Country: "SWE", FrontSideData: apitest.B64(passport)},
			{ContextType: "PROOF_OF_ADDRESS", DocumentTypeID: 20, Country: "US", FrontSideData: apitest.B64(testdocs.Bill(t, lines, 0))},
			{ContextType: "SELFIE", DocumentTypeID: 30, Country: "US", FrontSideData: apitest.B64(selfie)},
		} {
			d.Flow, d.VerificationID = "usps1583", v.ID
			if _, err := sdk.Document.Create(ctx, &d); err != nil {
				t.Fatalf("%s: %v", d.ContextType, err)
			}
		}
		if _, err := sdk.Verification.Submit(ctx, &sdkclient.VerificationIDRequest{ID: v.ID}); err != nil {
			t.Fatal(err)
		}
		testenv.WaitFor(t, 120*time.Second, "the review", func() bool {
			v, err = sdk.Verification.Get(ctx, &sdkclient.VerificationIDRequest{ID: v.ID})
			return err == nil && (v.Status == "APPROVED" || v.Status == "REJECTED" || v.Status == "DOUBLE_CHECK")
		})
		ds, err := sdk.Decision.List(ctx, &sdkclient.DecisionListRequest{VerificationID: v.ID})
		if err != nil || len(ds.Data) == 0 {
			t.Fatalf("decisions: %v", err)
		}
		return v, ds.Data[0]
	}
	v, d := run(sdkclient.ExpectedPerson{}, testenv.ReadPhoto(t, testenv.PhotoAstronaut), "ANNA MARIA ERIKSSON")
	if v.Status != "REJECTED" || !slices.Contains(d.Reasons, "FACE_MISMATCH") || d.ValidationWorkflow != "AUTOMATIC" {
		t.Errorf("another person's selfie: %s %+v", v.Status, d)
	}
	v, d = run(sdkclient.ExpectedPerson{ExpectedSurname: "Smith", ExpectedGivenNames: "John"}, testenv.ReadPhoto(t, testenv.PhotoGrace512), "JOHN SMITH")
	if v.Status != "DOUBLE_CHECK" || !slices.Contains(d.Reasons, "NAME_MISMATCH") || !slices.Contains(d.Reasons, "POA_NAME_MISMATCH") {
		t.Errorf("other names: %s %+v", v.Status, d)
	}
}
