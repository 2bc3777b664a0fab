package verifications

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/domain/country"
	"github.com/veridoc/veridoc/internal/vision/aamva"
	"github.com/veridoc/veridoc/internal/vision/docread"
)

// Check codes of driver licences and ID cards read from their barcode.
const (
	CheckBarcodeNotRead    = "BARCODE_NOT_READ"          // no PDF417, or not AAMVA data
	CheckDocumentKind      = "DOCUMENT_TYPE_MISMATCH"    // declared a licence, the barcode says ID card (or the reverse)
	CheckDocumentCountry   = "DOCUMENT_COUNTRY_MISMATCH" // declared country differs from the issuer's
	CheckFrontNumber       = "FRONT_NUMBER_MISMATCH"     // the front does not show the barcode's number
	CheckFrontName         = "FRONT_NAME_MISMATCH"       // … the family name
	CheckFrontBirthDate    = "FRONT_BIRTH_DATE_MISMATCH" // … the birth date
	CheckFrontExpiry       = "FRONT_EXPIRY_MISMATCH"     // … the expiry date
	CheckIDAddressMismatch = "ID_ADDRESS_MISMATCH"       // the card's address is not the expected one
	CheckNameTruncatedOnID = "NAME_TRUNCATED"            // the card says a name is cut short
)

const (
	licenceTypeDriver       = "Driver License"
	licenceTypeStateIDCard  = "State ID Card"
	barcodeDateLayout       = "2006-01-02"
	frontDateLayoutUS       = "01/02/2006"
	frontDateLayoutCompact  = "01022006"
	frontDateLayoutCanadian = "2006/01/02"
)

// readsBarcode tells whether a document type carries an AAMVA barcode.
func readsBarcode(typeName, countryAlpha2 string) bool {
	return (typeName == licenceTypeDriver || typeName == licenceTypeStateIDCard) && (countryAlpha2 == "US" || countryAlpha2 == "CA")
}

// readLicence fills person, address and document fields from the PDF417 on
// the back (or front), then checks the front's printed text against them.
func (w *DocumentWorker) readLicence(ctx context.Context, x *extraction, typeName, declared string, front, back []byte) {
	r := w.Engines.Reader()
	var read *docread.BarcodeRead
	var err error
	for _, side := range [][]byte{back, front} {
		if side == nil {
			continue
		}
		if read, err = r.ReadBarcode(ctx, side); err == nil {
			break
		}
	}
	if err != nil || read == nil || read.License == nil {
		x.fail(CheckBarcodeNotRead)
		return
	}
	l := read.License
	fillLicence(x.Fields, l)
	if l.IDCard() != (typeName == licenceTypeStateIDCard) {
		x.fail(CheckDocumentKind)
	}
	if l.Jurisdiction.Country != "" && l.Jurisdiction.Country != declared {
		x.fail(CheckDocumentCountry)
	}
	if !l.ExpiryDate.IsZero() && !l.ExpiryDate.After(w.Now()) {
		x.fail(CheckDocumentExpired)
	}
	if l.FamilyTruncated == "T" || l.FirstTruncated == "T" || l.MiddleTruncated == "T" {
		x.fail(CheckNameTruncatedOnID)
	}
	if front != nil {
		text, err := r.Text(ctx, front)
		if err == nil {
			for _, c := range FrontDisagreements(text, l) {
				x.fail(c)
			}
		}
	}
}

// fillLicence writes what a barcode says as extracted-data keys.
func fillLicence(f map[string]string, l *aamva.License) {
	f["person_surname"] = l.FamilyName
	f["person_given_names"] = l.GivenNames()
	f["person_full_name"] = strings.TrimSpace(l.GivenNames() + " " + l.FamilyName)
	if !l.BirthDate.IsZero() {
		f["person_date_of_birth"] = l.BirthDate.Format(barcodeDateLayout)
	}
	f["document_number"] = l.Number
	if !l.ExpiryDate.IsZero() {
		f["document_expiration_date"] = l.ExpiryDate.Format(barcodeDateLayout)
	}
	if l.Jurisdiction.Name != "" {
		f["document_issuing_entity"] = l.Jurisdiction.Name
	}
	kind := "Driver License"
	if l.IDCard() {
		kind = "ID Card"
	}
	if c, ok := country.Lookup(l.Country); ok {
		f["document_identified"] = strings.TrimSpace(c.Name + " - " + l.Jurisdiction.Name + " " + kind)
		f["address_country"] = c.Alpha3
	}
	street := strings.TrimSpace(l.Street + " " + l.Street2)
	if street != "" {
		f["address_street"], f["address_city"], f["address_state"], f["address_zip"] = street, l.City, l.State, l.PostalCode
		f["address_full"] = Address{Street: street, City: l.City, State: l.State, Zip: l.PostalCode}.Full()
	}
}

var nonAlnum = regexp.MustCompile(`[^A-Z0-9]+`)

// FrontDisagreements lists what the front's OCR text does not show of the
// barcode: number, family name, birth date and expiry, each in the forms
// cards print (MM/DD/YYYY in the US, YYYY/MM/DD in Canada). OCR that found no
// text at all gives no disagreement to report, but an unreadable front does
// not pass either: every value is then missing.
func FrontDisagreements(ocr string, l *aamva.License) []string {
	flat := nonAlnum.ReplaceAllString(strings.ToUpper(ocr), "")
	has := func(v string) bool {
		v = nonAlnum.ReplaceAllString(strings.ToUpper(v), "")
		return v != "" && (strings.Contains(flat, v) || strings.Contains(ocrFold(flat), ocrFold(v)))
	}
	hasDate := func(t time.Time) bool {
		return t.IsZero() || has(t.Format(frontDateLayoutUS)) || has(t.Format(frontDateLayoutCanadian)) || has(t.Format(frontDateLayoutCompact))
	}
	var out []string
	if !has(l.Number) {
		out = append(out, CheckFrontNumber)
	}
	if !has(l.FamilyName) || (l.FirstName != "" && !has(l.FirstName)) {
		out = append(out, CheckFrontName)
	}
	if !hasDate(l.BirthDate) {
		out = append(out, CheckFrontBirthDate)
	}
	if !hasDate(l.ExpiryDate) {
		out = append(out, CheckFrontExpiry)
	}
	return out
}

// ocrFold maps the characters OCR confuses on ID cards to one form.
func ocrFold(s string) string {
	return strings.NewReplacer("O", "0", "Q", "0", "D", "0", "I", "1", "L", "1", "Z", "2", "S", "5", "B", "8").Replace(s)
}
