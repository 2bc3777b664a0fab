package api_test

import (
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// A progressive JPEG with thousands of scans is refused at every upload an
// end user's session token or a key reaches, before anything is stored or
// queued: the check reads the markers, it decodes nothing.
func TestScanBombRefusedAtEveryUpload(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := account(t, s, "scan bomb")
	bomb := b64(testenv.ScanBomb(t, 1500, 3000))
	refused := func(what string, r reply) {
		t.Helper()
		if r.Status != 400 || r.str("error_name") != "InvalidImage" {
			t.Errorf("%s: %d %s", what, r.Status, r.Raw)
		}
	}
	cr := c.call("session.create", nil)
	dev := device(c, cr.str("token"))
	refused("session.upload", dev.call("session.upload", map[string]any{"kind": "document_front", "image": bomb}))
	if r := c.call("session.get", map[string]any{"id": cr.num("id")}); r.str("state") != "CREATED" {
		t.Errorf("the session moved on after a refused upload: %s", r.Raw)
	}
	spec := c.call("specification.list", map[string]any{"country_code": "US"}).Body["data"].([]any)[0].(map[string]any)["id"]
	refused("photo.process", c.call("photo.process", map[string]any{"photo": bomb, "spec_id": spec}))
	v := c.call("verification.create", expectAnna).num("id")
	d := doc("usps1583", v, "PHOTO_ID", 2, "US", nil)
	d["front_side_data"] = bomb
	refused("document.create", c.call("document.create", d))
}

// A PDF that declares a huge page is refused from its header: nothing is
// drawn in the request (the worker draws accepted pages, within the pixel limit).
func TestPDFPageBombRefused(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := account(t, s, "pdf bomb")
	v := c.call("verification.create", expectAnna).num("id")
	if r := c.call("document.create", doc("usps1583", v, "PROOF_OF_ADDRESS", 20, "USA", testenv.BlankPDF(100000, 100000))); r.Status != 400 || r.str("error_name") != "PhotoTooLarge" {
		t.Errorf("a 100000 pt page: %d %s", r.Status, r.Raw)
	}
	if r := c.call("document.create", doc("usps1583", v, "PROOF_OF_ADDRESS", 20, "USA", testenv.BlankPDF(612, 792))); r.Status != 200 {
		t.Errorf("a letter page: %d %s", r.Status, r.Raw)
	}
}
