package verifications

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/veridoc/veridoc/internal/domain/country"
	"github.com/veridoc/veridoc/internal/domain/faceindex"
	"github.com/veridoc/veridoc/internal/domain/flows"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/seal"
	"github.com/veridoc/veridoc/internal/vision/docread"
	"github.com/veridoc/veridoc/internal/vision/engines"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// DocumentArgs is the job a DocumentUploaded event queues: read one document.
type DocumentArgs struct {
	DocumentID int64 `json:"document_id"`
}

// Kind names the job.
func (DocumentArgs) Kind() string { return "document.process" }

// DocumentWorker reads uploaded documents.
type DocumentWorker struct {
	river.WorkerDefaults[DocumentArgs]
	DB      *database.DB
	Store   objectstore.Store
	Flows   *flows.Catalog
	Engines *engines.Set
	Now     func() time.Time
}

// Timeout bounds one attempt.
func (w *DocumentWorker) Timeout(*river.Job[DocumentArgs]) time.Duration { return jobs.MaxJobTimeout }

// Work reads a document that is still Uploaded; anything else was handled or changed meanwhile.
func (w *DocumentWorker) Work(ctx context.Context, job *river.Job[DocumentArgs]) error {
	d, err := w.DB.DocumentByID(ctx, job.Args.DocumentID)
	if errors.Is(err, database.ErrNotFound) {
		return nil // deleted before it was read
	}
	if err != nil {
		return err
	}
	if d.Status != database.DocUploaded && d.Status != database.DocInProgress {
		return nil
	}
	rev := d.Revision
	if err := w.DB.ClaimDocument(ctx, d.ID, rev); err != nil {
		return err
	}
	front, err := objectstore.ReadAll(ctx, w.Store, d.FrontKey)
	if err != nil {
		return err
	}
	back, err := objectstore.ReadAll(ctx, w.Store, d.BackKey)
	if err != nil {
		return err
	}
	r, err := w.extract(ctx, d, front, back)
	if err != nil {
		return err
	}
	return w.DB.InTx(ctx, func(tx *database.Tx) error {
		// Only if nobody replaced the images meanwhile (document.update bumps the revision).
		_, err := tx.FinishExtraction(d.ID, rev, database.Extraction(*r), w.Now())
		return err
	})
}

type extraction database.Extraction

func (x *extraction) fail(code string) { x.Checks = append(x.Checks, code) }

// extract reads what the document's context calls for.
func (w *DocumentWorker) extract(ctx context.Context, d *database.Document, front, back []byte) (*extraction, error) {
	x := &extraction{Fields: map[string]string{}}
	t, _ := w.Flows.Type(d.DocumentTypeID)
	c, _ := country.Lookup(d.Country)
	x.Fields["document_type"] = t.Name
	x.Fields["document_country_code"] = c.Alpha3
	x.Fields["document_country_name"] = c.Name
	x.Fields["document_identified"] = c.Name + " - " + t.Name
	faces, err := w.Engines.Faces()
	if err != nil {
		return nil, err
	}
	switch d.ContextType {
	case flows.PhotoID:
		x.Fields["document_issuing_entity"] = "Government"
		f, err := faces.MainFace(ctx, front)
		if err == nil {
			x.Fields["document_has_selfie"] = "1"
			x.Descriptor = encodeDescriptor(f.Descriptor)
		} else {
			x.Fields["document_has_selfie"] = "0"
			x.fail(CheckNoFaceOnDocument)
		}
		if readsBarcode(t.Name, c.Alpha2) {
			w.readLicence(ctx, x, t.Name, c.Alpha2, front, back)
		} else {
			w.readMRZ(ctx, x, t, front, back)
		}
	case flows.ProofOfAddress:
		page := front
		if d.FrontType == "application/pdf" {
			if page, err = RenderPDFPage(front); err != nil {
				x.fail(CheckUnreadable)
				return x, nil
			}
		}
		text, err := w.Engines.Reader().Text(ctx, page)
		if err != nil {
			return nil, err
		}
		addr, name, ok := FindAddress(text)
		if !ok {
			x.fail(CheckAddressNotFound)
			return x, nil
		}
		x.Fields["address_street"], x.Fields["address_city"], x.Fields["address_state"] = addr.Street, addr.City, addr.State
		x.Fields["address_zip"], x.Fields["address_full"], x.Fields["address_country"] = addr.Zip, addr.Full(), c.Alpha3
		if name == "" {
			x.fail(CheckNameNotFound)
		} else {
			x.Fields["person_full_name"] = name
		}
	case flows.Selfie:
		f, err := faces.MainFace(ctx, front, 1024)
		if err != nil {
			x.fail(CheckNoFaceOnSelfie)
			return x, nil
		}
		x.Descriptor = encodeDescriptor(f.Descriptor)
	}
	return x, nil
}

// readMRZ fills person and document fields from the MRZ (front, then back).
func (w *DocumentWorker) readMRZ(ctx context.Context, x *extraction, t *flows.DocumentType, front, back []byte) {
	best, err := w.Engines.Reader().BestMRZ(ctx, front, back)
	if best == nil {
		switch {
		case errors.Is(err, docread.ErrUnsupported):
			x.fail(CheckFormatUnsupported)
		case t.MRZ:
			x.fail(CheckMRZNotFound)
		default:
			// Cards without an MRZ (US driver licences) need a person to read them.
			x.fail(CheckDataNotExtracted)
		}
		return
	}
	// The printed zone: a second opinion on the names and the number
	// (repairs go into best), and a mismatch asks a person to look.
	if viz, err := w.Engines.Reader().CheckVIZ(ctx, best); err == nil && viz != nil {
		keys := map[string]string{"surname": "document_viz_surname", "given_names": "document_viz_given_names",
			"document_number": "document_viz_number", "birth_date": "document_viz_date_of_birth"}
		for _, f := range viz.Fields {
			if key := keys[f.Name]; key != "" && f.VIZ != "" {
				x.Fields[key] = f.VIZ
			}
		}
		if viz.Mismatch() {
			x.fail(CheckMRZVIZMismatch)
		}
	}
	m := best.Result
	x.Fields["person_surname"] = m.Surname
	x.Fields["person_given_names"] = m.GivenNames
	x.Fields["person_full_name"] = strings.TrimSpace(m.Surname + " " + m.GivenNames)
	x.Fields["person_date_of_birth"] = m.BirthDate
	x.Fields["document_number"] = m.DocumentNumber
	x.Fields["document_expiration_date"] = m.ExpiryDate
	x.Fields["document_mrz_valid"] = fmt.Sprint(m.Valid())
	if m.DigitsFailed() {
		x.fail(CheckMRZCheckDigit)
	}
	if m.CodeFailed() {
		x.fail(CheckMRZCode)
	}
	if m.Expired(w.Now()) {
		x.fail(CheckDocumentExpired)
	}
}

// pdfDPI is the resolution a PDF's page is read at (lower for a page too
// large for the pixel limit).
const pdfDPI = 200

// RenderPDFPage draws a PDF's first page as PNG (libvips with poppler).
func RenderPDFPage(pdf []byte) ([]byte, error) { return raster.PDFPage(pdf, pdfDPI) }

// ReviewArgs reviews a submitted verification once its documents are read.
type ReviewArgs struct {
	VerificationID int64 `json:"verification_id"`
}

// Kind names the job.
func (ReviewArgs) Kind() string { return "verification.review" }

// ReviewWorker decides submitted verifications automatically.
type ReviewWorker struct {
	river.WorkerDefaults[ReviewArgs]
	DB    *database.DB
	Queue jobs.Queue
	Flows *flows.Catalog
	Now   func() time.Time
	// Faces is the account's faces for the 1:N lookup, Index its blind
	// index key (either nil: no lookup).
	Faces *faceindex.Index
	Index func(ctx context.Context, accountID int64) (*seal.Index, error)
}

// Work waits for every document to be read, compares them and decides.
func (w *ReviewWorker) Work(ctx context.Context, job *river.Job[ReviewArgs]) error {
	v, err := w.DB.VerificationByID(ctx, job.Args.VerificationID)
	if err != nil && !errors.Is(err, database.ErrNotFound) {
		return err
	}
	if v == nil || (v.Status != database.VerificationSubmitted && v.Status != database.VerificationInProgress) {
		return nil
	}
	docs, err := w.DB.Documents(ctx, v.ID)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if d.Status == database.DocUploaded || d.Status == database.DocInProgress {
			return river.JobSnooze(time.Second)
		}
	}
	fields := map[int64]map[string]database.ExtractedField{}
	for _, d := range docs {
		if fields[d.ID], err = w.DB.Extracted(ctx, d.ID); err != nil {
			return err
		}
	}
	r := Review(v, docs, fields, w.Flows)
	face, err := w.screenFaces(ctx, v, docs, fields, &r)
	if err != nil {
		return err
	}
	acc, err := w.DB.GetAccount(ctx, v.AccountID)
	if err != nil {
		return err
	}
	policy := sessions.PolicyOf(acc)
	now := w.Now()
	return w.DB.InTx(ctx, func(tx *database.Tx) error {
		locked, err := tx.LockVerificationByID(v.ID)
		if err != nil {
			return err
		}
		if locked.Status != database.VerificationSubmitted && locked.Status != database.VerificationInProgress {
			return nil
		}
		if face != nil {
			face.CreatedAt, face.UpdatedAt = now, now
			if err := tx.KeepVerificationFace(face); err != nil {
				return err
			}
		}
		for id, values := range r.Extra {
			if err := tx.SetExtracted(id, values, database.SourceAutomatic, now); err != nil {
				return err
			}
		}
		for _, d := range docs {
			verdict := Verdict(r.DocChecks[d.ID], policy)
			if err := tx.RecordDocumentDecision(&database.Decision{AccountID: v.AccountID, VerificationID: v.ID, DocumentID: d.ID, Status: verdict,
				ValidationWorkflow: database.SourceAutomatic, Reasons: strings.Join(r.DocChecks[d.ID], ","), CreatedAt: now, UpdatedAt: now},
				DocStatusFor(verdict)); err != nil {
				return err
			}
		}
		return Decide(ctx, w.Queue, tx, locked, &database.Decision{Status: Verdict(r.Checks, policy), ValidationWorkflow: database.SourceAutomatic,
			Reasons: strings.Join(r.Checks, ",")}, now, false)
	})
}

// Decide records a verification-level decision, moves the verification to
// its status and sends decision.made (and verification.finished when final).
// setDocs also moves every live document to the matching status (manual decisions).
func Decide(ctx context.Context, q jobs.Queue, tx *database.Tx, v *database.Verification, dec *database.Decision, now time.Time, setDocs bool) error {
	dec.AccountID, dec.VerificationID, dec.PreviousStatus = v.AccountID, v.ID, v.Status
	dec.CreatedAt, dec.UpdatedAt = now, now
	final := dec.Status == database.VerificationApproved || dec.Status == database.VerificationRejected
	docStatus := 0
	if setDocs {
		docStatus = DocStatusFor(dec.Status)
	}
	if err := tx.RecordDecision(v, dec, final, docStatus); err != nil {
		return err
	}
	if err := Emit(ctx, q, tx, v.AccountID, Event{Type: EventDecisionMade, VerificationID: v.ID, DecisionID: dec.ID, Status: dec.Status}, now); err != nil {
		return err
	}
	if final {
		return Emit(ctx, q, tx, v.AccountID, Event{Type: EventVerificationFinished, VerificationID: v.ID, Status: dec.Status}, now)
	}
	return nil
}
