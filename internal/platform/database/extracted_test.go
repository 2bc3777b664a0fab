package database_test

import (
	"context"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
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
			var doc *database.Document
			err = db.InTx(ctx, func(tx *database.Tx) error {
				v := &database.Verification{AccountID: acc.ID, Flow: "usps1583", Status: database.VerificationStarted, CreatedAt: now, UpdatedAt: now}
				if err := tx.CreateVerification(v); err != nil {
					return err
				}
				doc = &database.Document{AccountID: acc.ID, VerificationID: v.ID, ContextType: "PHOTO_ID", DocumentTypeID: 1, Country: "US",
					Status: database.DocUploaded, FrontKey: "k", FrontType: "image/jpeg", CreatedAt: now, UpdatedAt: now}
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
			err = db.InTx(ctx, func(tx *database.Tx) error {
				return tx.SetExtracted(doc.ID, map[string]string{"person_surname": "ERIKSSON"}, database.SourceManual, now)
			})
			if err != nil {
				t.Fatal(err)
			}
			// The job finishes with what it read, and the review adds a value later.
			err = db.InTx(ctx, func(tx *database.Tx) error {
				ok, err := tx.FinishExtraction(doc.ID, doc.Revision, database.Extraction{Fields: map[string]string{
					"person_surname": "ERIKSS0N", "document_number": "L898902C3"}}, now.Add(time.Second))
				if err == nil && !ok {
					t.Error("the job's result was dropped")
				}
				if err != nil {
					return err
				}
				return tx.SetExtracted(doc.ID, map[string]string{"person_surname": "ERIKSS0N"}, database.SourceAutomatic, now.Add(2*time.Second))
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.Extracted(ctx, doc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if f := got["person_surname"]; f.Value != "ERIKSSON" || f.Source != database.SourceManual {
				t.Errorf("the correction was overwritten: %+v", f)
			}
			if f := got["document_number"]; f.Value != "L898902C3" || f.Source != database.SourceAutomatic {
				t.Errorf("the job's other values: %+v", f)
			}
			// A later correction still replaces a correction.
			err = db.InTx(ctx, func(tx *database.Tx) error {
				return tx.SetExtracted(doc.ID, map[string]string{"person_surname": "ERICSSON"}, database.SourceManual, now.Add(3*time.Second))
			})
			if got, _ = db.Extracted(ctx, doc.ID); err != nil || got["person_surname"].Value != "ERICSSON" {
				t.Errorf("second correction: %v %+v", err, got["person_surname"])
			}
		})
	}
}
