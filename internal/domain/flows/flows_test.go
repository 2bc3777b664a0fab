package flows_test

import (
	"slices"
	"testing"

	"github.com/veridoc/veridoc/internal/domain/flows"
)

func TestCatalog(t *testing.T) {
	c, err := flows.Load()
	if err != nil {
		t.Fatal(err)
	}
	usps, ok := c.Flow("usps1583")
	if !ok || !slices.Equal(usps.Contexts(c), []string{flows.PhotoID, flows.ProofOfAddress, flows.Selfie}) {
		t.Fatalf("usps1583: %+v", usps)
	}
	if _, ok := c.Flow("nope"); ok {
		t.Error("an unknown flow was found")
	}
	ids := func(types []*flows.DocumentType) []int64 {
		var out []int64
		for _, t := range types {
			out = append(out, t.ID)
		}
		return out
	}
	cases := []struct {
		name    string
		flow    string
		country string
		has     []int64 // types offered
		hasNot  []int64 // types not offered
	}{
		{"US identity: licence, state ID, passport", "identity", "US", []int64{1, 2, 3}, []int64{4, 9, 20}},
		{"a national ID card outside the US", "identity", "DE", []int64{1, 4}, []int64{3, 5}},
		{"the matricula only from Mexico", "usps1583", "MX", []int64{9}, []int64{3}},
		{"proof of address in usps1583", "usps1583", "US", []int64{20, 26}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := c.Flow(tc.flow)
			got := ids(c.Types(f, tc.country))
			for _, id := range tc.has {
				if !slices.Contains(got, id) {
					t.Errorf("type %d missing from %v", id, got)
				}
			}
			for _, id := range tc.hasNot {
				if slices.Contains(got, id) {
					t.Errorf("type %d offered in %v", id, got)
				}
			}
		})
	}
	permit, _ := c.Type(10)
	if !permit.DoubleSided("FR") || permit.DoubleSided("GB") {
		t.Error("a residence permit has two sides, one in GB")
	}
	if flows.ContextLabel(flows.ProofOfAddress) == "" || !usps.Allows(20) || usps.Allows(999) {
		t.Error("labels and allowed types")
	}
}
