package systemtest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/rekey"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestKeyRotation writes personal data under one master key, also some
// stored before encryption existed, rotates, lets the workers rewrap, and
// reads everything back; then the old key is retired. It runs on PostgreSQL
// with the real S3 server, as production does.
func TestKeyRotation(t *testing.T) {
	s := testenv.NewServer(t, testenv.PostgresURL(t), testenv.WithStorageURL(testenv.S3URL(testenv.S3Options(t))),
		testenv.OwnMasterKey(), testenv.WithConfig(func(c *config.Config) { c.Workers = 1 }))
	ctx := context.Background()
	c, _, _, _ := apitest.Account(t, s, "rotation")
	surname := "SEALTEST" + strings.ToUpper(testenv.RandomHex(4))
	v := c.Call("verification.create", map[string]any{"flow": "usps1583", "reference": "rot-1", "expected_surname": surname,
		"expected_address_street": "77 Cipher Lane", "expected_address_zip": "94105"})
	if v.Status != 200 {
		t.Fatalf("verification.create: %s", v.Raw)
	}
	id := v.Num("id")
	bill := testdocs.BillPDF(t, []string{"Electric bill", surname, "77 Cipher Lane"})
	d := c.Call("document.create", map[string]any{"flow": "usps1583", "verification_id": id, "context_type": "PROOF_OF_ADDRESS",
		"document_type_id": 20, "country": "US", "front_side_data": apitest.B64(bill)})
	if d.Status != 200 {
		t.Fatalf("document.create: %s", d.Raw)
	}
	secret := c.Call("webhook_secret.rotate", nil).Str("secret")
	// Written before encryption existed: a plain object and a plain column.
	legacyKey := fmt.Sprintf("legacy/%d/scan.pdf", id)
	if err := s.Store.Backend().Put(ctx, legacyKey, bytes.NewReader(bill), int64(len(bill)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.SQL.Exec(`UPDATE verifications SET expected_city = 'LEGACYVILLE' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if g := c.Call("verification.get", map[string]any{"id": id}); g.Str("expected_address_city") != "LEGACYVILLE" {
		t.Fatalf("a legacy plain column does not read: %s", g.Raw)
	}
	old := s.Keys.PrimaryID()

	newID, err := s.RotateKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var st rekey.Status
	testenv.WaitFor(t, 60*time.Second, "the workers to rewrap every object", func() bool {
		st, err = s.Rekeyer.Status(ctx)
		u := st.Keys[fmt.Sprintf("%08x", old)]
		return err == nil && st.Legacy == 0 && u.Objects == 0 && u.Keysets == 0 && st.Keys[newID].Objects >= 2
	})
	if st.Primary != newID || st.Unknown != 0 {
		t.Fatalf("status after the rewrap: %+v", st)
	}
	g := c.Call("verification.get", map[string]any{"id": id})
	if g.Str("expected_surname") != surname || g.Str("expected_address_street") != "77 Cipher Lane" || g.Str("expected_address_city") != "LEGACYVILLE" {
		t.Fatalf("after the rewrap: %s", g.Raw)
	}
	if got, err := objectstore.ReadAll(ctx, s.Store, legacyKey); err != nil || !bytes.Equal(got, bill) {
		t.Fatalf("legacy object after the rewrap: %d bytes, %v", len(got), err)
	}
	testenv.SealedAtRest(t, s, "rot-1", surname, "77 Cipher Lane", "LEGACYVILLE", strings.TrimPrefix(secret, "whsec_"))

	// Nothing needs the old key now: it goes, and everything still reads.
	gone, err := s.Rekeyer.Retire(ctx)
	if err != nil || len(gone) != 1 || s.Keys.Has(old) {
		t.Fatalf("retire: %v %v, ring %s", gone, err, s.Keys.Describe())
	}
	if r := c.Call("document.get", map[string]any{"id": d.Num("id")}); r.Status != 200 {
		t.Fatalf("document.get: %s", r.Raw)
	}
	if got, err := objectstore.ReadAll(ctx, s.Store, legacyKey); err != nil || !bytes.Equal(got, bill) {
		t.Fatalf("after retiring the old key: %v", err)
	}
	if g := c.Call("verification.get", map[string]any{"id": id}); g.Str("expected_surname") != surname {
		t.Fatalf("after retiring the old key: %s", g.Raw)
	}
}
