package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/testenv"
	"github.com/veridoc/veridoc/models"
)

// A person's correction wins over the reading job, whichever commits first:
// the job may have started before the correction and finish after it.
func TestCorrectionsWin(t *testing.T) {
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			t.Parallel()
			db := testenv.OpenDB(t, dbk.URL(t))
			ctx := context.Background()
			now := time.Now().UTC()
			acc, err := db.CreateAccount(ctx, "x", false)
			if err != nil {
				t.Fatal(err)
			}
			var doc *models.Document
			err = db.InTx(ctx, func(tx *models.Tx) error {
				v := &models.Verification{AccountID: acc.ID, Flow: "usps1583", Status: models.VerificationStarted, CreatedAt: now, UpdatedAt: now}
				if err := tx.CreateVerification(v); err != nil {
					return err
				}
				doc = &models.Document{AccountID: acc.ID, VerificationID: v.ID, ContextType: "PHOTO_ID", DocumentTypeID: 1, Country: "US",
					Status: models.DocUploaded, FrontKey: "k", FrontType: "image/jpeg", CreatedAt: now, UpdatedAt: now}
				return tx.CreateDocument(doc)
			})
			if err != nil {
				t.Fatal(err)
			}
			// The job claims the document and starts reading.
			if err := db.ClaimDocument(ctx, doc.ID, doc.Revision); err != nil {
				t.Fatal(err)
			}
			// Meanwhile a person corrects the surname.
			err = db.InTx(ctx, func(tx *models.Tx) error {
				return tx.SetExtracted(doc.ID, map[string]string{"person_surname": "ERIKSSON"}, models.SourceManual, now)
			})
			if err != nil {
				t.Fatal(err)
			}
			// The job finishes with what it read, and the review adds a value later.
			err = db.InTx(ctx, func(tx *models.Tx) error {
				ok, err := tx.FinishExtraction(doc.ID, doc.Revision, models.Extraction{Fields: map[string]string{
					"person_surname": "ERIKSS0N", "document_number": "L898902C3"}}, now.Add(time.Second))
				if err == nil && !ok {
					t.Error("the job's result was dropped")
				}
				if err != nil {
					return err
				}
				return tx.SetExtracted(doc.ID, map[string]string{"person_surname": "ERIKSS0N"}, models.SourceAutomatic, now.Add(2*time.Second))
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.Extracted(ctx, doc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if f := got["person_surname"]; f.Value != "ERIKSSON" || f.Source != models.SourceManual {
				t.Errorf("the correction was overwritten: %+v", f)
			}
			if f := got["document_number"]; f.Value != "L898902C3" || f.Source != models.SourceAutomatic {
				t.Errorf("the job's other values: %+v", f)
			}
			// A later correction still replaces a correction.
			err = db.InTx(ctx, func(tx *models.Tx) error {
				return tx.SetExtracted(doc.ID, map[string]string{"person_surname": "ERICSSON"}, models.SourceManual, now.Add(3*time.Second))
			})
			if got, _ = db.Extracted(ctx, doc.ID); err != nil || got["person_surname"].Value != "ERICSSON" {
				t.Errorf("second correction: %v %+v", err, got["person_surname"])
			}
		})
	}
}
