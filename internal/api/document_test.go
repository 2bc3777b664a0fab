package api_test

import (
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/apitest"
)

// checkDocumentDetail: document.get and document.list show each document
// with what was read from it and the decisions on it, as the document
// product's pages show them.
func checkDocumentDetail(t *testing.T, c *apitest.Client, verificationID int64, ids map[string]int64) {
	t.Helper()
	photoID := c.Call("document.get", map[string]any{"id": ids["PHOTO_ID"]})
	extracted, _ := photoID.Body["extracted_data"].(map[string]any)
	if extracted["person_surname"] != "ERIKSSON" || extracted["document_number"] != "L898902C3" {
		t.Errorf("document.get extracted_data: %s", photoID.Raw)
	}
	decisions, _ := photoID.Body["decisions"].([]any)
	if len(decisions) != 1 {
		t.Fatalf("document.get decisions: %s", photoID.Raw)
	}
	dec := decisions[0].(map[string]any)
	if dec["document_id"] != float64(ids["PHOTO_ID"]) || dec["status_label"] != "Approved" || dec["validation_workflow"] != "AUTOMATIC" || dec["updated"] == "" {
		t.Errorf("document.get decision: %v", dec)
	}
	list := c.Call("document.list", map[string]any{"verification_id": verificationID, "flow": "usps1583"})
	data, _ := list.Body["data"].([]any)
	if len(data) != len(ids) {
		t.Fatalf("document.list: %s", list.Raw)
	}
	seen := map[string]int64{}
	prev := int64(0)
	for _, d := range data {
		doc := d.(map[string]any)
		id := int64(doc["id"].(float64))
		if id <= prev {
			t.Errorf("document.list not oldest first: %d after %d", id, prev)
		}
		prev = id
		seen[doc["context_type"].(string)] = id
		if doc["url_front"] == "" || doc["extracted_data"] == nil || len(doc["decisions"].([]any)) != 1 {
			t.Errorf("document.list entry: %v", doc)
		}
	}
	for ctx, id := range ids {
		if seen[ctx] != id {
			t.Errorf("document.list %s = %d, want %d", ctx, seen[ctx], id)
		}
	}
}
