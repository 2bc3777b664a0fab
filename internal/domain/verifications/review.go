package verifications

import (
	"slices"
	"strconv"

	"github.com/veridoc/veridoc/internal/domain/flows"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/vision/faces"
)

// ReviewResult is what the automatic review found.
type ReviewResult struct {
	Checks    []string                    // every failed check of the verification
	DocChecks map[int64][]string          // per document
	Extra     map[int64]map[string]string // values the review adds (selfie_comparison)
}

// Review compares a verification's documents with each other and with the
// expected person data. Each document keeps the checks its own reading
// failed and gains those of the comparisons it takes part in.
func Review(v *database.Verification, docs []database.Document, fields map[int64]map[string]database.ExtractedField, cat *flows.Catalog) ReviewResult {
	r := ReviewResult{DocChecks: map[int64][]string{}, Extra: map[int64]map[string]string{}}
	byContext := map[string]*database.Document{}
	for i := range docs {
		d := &docs[i]
		byContext[d.ContextType] = d
		r.DocChecks[d.ID] = append(r.DocChecks[d.ID], splitChecks(d.Checks)...)
	}
	val := func(d *database.Document, k string) string { return fields[d.ID][k].Value }
	fail := func(d *database.Document, code string) { r.DocChecks[d.ID] = append(r.DocChecks[d.ID], code) }

	if f, ok := cat.Flow(v.Flow); ok {
		for _, ctx := range f.Required {
			if byContext[ctx] == nil {
				r.Checks = append(r.Checks, CheckMissingDocument)
			}
		}
	}
	id := byContext[flows.PhotoID]
	if id != nil && val(id, "person_surname") != "" {
		if v.ExpectedSurname != "" && !SameName(val(id, "person_full_name"), v.ExpectedSurname, v.ExpectedGivenNames) {
			fail(id, CheckNameMismatch)
		}
		if v.ExpectedDateOfBirth != "" && val(id, "person_date_of_birth") != v.ExpectedDateOfBirth {
			fail(id, CheckBirthDateMismatch)
		}
	}
	// A licence or ID card read from its barcode carries the holder's address.
	if id != nil && val(id, "address_zip") != "" && (v.ExpectedZip != "" || v.ExpectedStreet != "") {
		if !SameAddress(Address{Street: val(id, "address_street"), Zip: val(id, "address_zip")}, v.ExpectedStreet, v.ExpectedZip) {
			fail(id, CheckIDAddressMismatch)
		}
	}
	if poa := byContext[flows.ProofOfAddress]; poa != nil && val(poa, "address_zip") != "" {
		name := val(poa, "person_full_name")
		switch {
		case name == "":
		case id != nil && val(id, "person_surname") != "" && !SameName(name, val(id, "person_surname"), val(id, "person_given_names")):
			fail(poa, CheckPOANameMismatch)
		case v.ExpectedSurname != "" && !SameName(name, v.ExpectedSurname, v.ExpectedGivenNames):
			fail(poa, CheckPOANameMismatch)
		}
		found := Address{Street: val(poa, "address_street"), Zip: val(poa, "address_zip")}
		if (v.ExpectedZip != "" || v.ExpectedStreet != "") && !SameAddress(found, v.ExpectedStreet, v.ExpectedZip) {
			fail(poa, CheckAddressMismatch)
		}
	}
	if selfie := byContext[flows.Selfie]; selfie != nil && id != nil {
		a, okA := decodeDescriptor(id.Descriptor)
		b, okB := decodeDescriptor(selfie.Descriptor)
		if okA && okB {
			dist := faces.Distance(a, b)
			s := strconv.Itoa(faces.MatchScore(dist))
			r.Extra[selfie.ID] = map[string]string{"document_selfie_comparison": s}
			r.Extra[id.ID] = map[string]string{"document_selfie_comparison": s}
			if dist >= faces.MatchThreshold {
				fail(selfie, CheckFaceMismatch)
			}
		}
	}
	for _, d := range docs {
		for _, c := range r.DocChecks[d.ID] {
			if !slices.Contains(r.Checks, c) {
				r.Checks = append(r.Checks, c)
			}
		}
	}
	return r
}
