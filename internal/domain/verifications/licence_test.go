package verifications_test

import (
	"slices"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/vision/aamva"
)

func TestFrontDisagreements(t *testing.T) {
	l := &aamva.License{Number: "D1234567", FamilyName: "O'BRIEN", FirstName: "SEAN",
		BirthDate: time.Date(1980, 2, 14, 0, 0, 0, 0, time.UTC), ExpiryDate: time.Date(2029, 2, 14, 0, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		name, ocr string
		want      []string
	}{
		{"all there", "DRIVER LICENSE DL D1234567\nOBRIEN\nSEAN\nDOB 02/14/1980 EXP 02/14/2029", nil},
		{"OCR confusions", "DL 0I234567 O BRIEN SEAN DOB 02-14-1980 EXP 02.14.2O29", nil},
		{"Canadian order", "D1234567 O'BRIEN, SEAN 1980/02/14 2029/02/14", nil},
		{"another first name", "DL D1234567 OBRIEN MARY DOB 02/14/1980 EXP 02/14/2029", []string{verifications.CheckFrontName}},
		{"another number", "DL D7654321 OBRIEN SEAN DOB 02/14/1980 EXP 02/14/2029", []string{verifications.CheckFrontNumber}},
		{"another person", "DL D1234567 SMITH DOB 03/01/1990 EXP 02/14/2029", []string{verifications.CheckFrontName, verifications.CheckFrontBirthDate}},
		{"nothing read", "", []string{verifications.CheckFrontNumber, verifications.CheckFrontName, verifications.CheckFrontBirthDate, verifications.CheckFrontExpiry}},
	} {
		if got := verifications.FrontDisagreements(tc.ocr, l); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
