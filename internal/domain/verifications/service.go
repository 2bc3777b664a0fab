package verifications

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/domain/country"
	"github.com/veridoc/veridoc/internal/domain/flows"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// The rules of verifications, their documents and decisions. A business rule
// refused is a 400 here, as the document product's API answers it; the
// image rules (InvalidImage, UnsupportedImageType, PhotoTooLarge) are
// package imaging's.
var (
	ErrNotFound              = fault.Declare("VerificationNotFound", fault.NotFound)
	ErrDocumentNotFound      = fault.Declare("DocumentNotFound", fault.NotFound)
	ErrDecisionNotFound      = fault.Declare("DecisionNotFound", fault.NotFound)
	ErrFlowMismatch          = fault.Declare("FlowMismatch", fault.Invalid)
	ErrTypeNotAllowed        = fault.Declare("DocumentTypeNotAllowed", fault.Invalid)
	ErrBackSideNotAllowed    = fault.Declare("BackSideNotAllowed", fault.Invalid)
	ErrDuplicateType         = fault.Declare("DuplicateDocumentType", fault.Invalid)
	ErrNotEditable           = fault.Declare("DocumentNotEditable", fault.Invalid)
	ErrDocumentCanceled      = fault.Declare("DocumentCanceled", fault.Invalid)
	ErrMissingDocuments      = fault.Declare("MissingDocuments", fault.Invalid)
	ErrNotStarted            = fault.Declare("VerificationNotStarted", fault.Invalid)
	ErrNotSubmitted          = fault.Declare("VerificationNotSubmitted", fault.Invalid)
	ErrNotApproved           = fault.Declare("VerificationNotApproved", fault.Invalid)
	ErrCanceled              = fault.Declare("VerificationCanceled", fault.Invalid)
	ErrFinished              = fault.Declare("VerificationFinished", fault.Invalid)
	ErrDecisionNotCancelable = fault.Declare("DecisionNotCancelable", fault.Invalid)
)

// Service holds the rules of verifications, their documents and decisions;
// the API and the console both go through it.
type Service struct {
	DB     *database.DB
	Store  objectstore.Store
	Queue  jobs.Queue
	Flows  *flows.Catalog
	Logger *slog.Logger
	Now    func() time.Time
}

// Expected is the person data documents are compared with.
type Expected struct {
	GivenNames, Surname, DateOfBirth        string
	Street, City, State, Zip, CountryAlpha2 string
}

// Create starts a verification in a flow.
func (sv *Service) Create(ctx context.Context, accountID int64, f *flows.Flow, reference string, e Expected) (*database.Verification, error) {
	now := sv.Now()
	v := &database.Verification{AccountID: accountID, Flow: f.Name, Status: database.VerificationStarted, Reference: reference,
		ExpectedGivenNames: e.GivenNames, ExpectedSurname: e.Surname, ExpectedDateOfBirth: e.DateOfBirth,
		ExpectedStreet: e.Street, ExpectedCity: e.City, ExpectedState: e.State, ExpectedZip: e.Zip,
		ExpectedCountry: e.CountryAlpha2, CreatedAt: now, UpdatedAt: now}
	err := sv.DB.InTx(ctx, func(tx *database.Tx) error {
		if err := tx.CreateVerification(v); err != nil {
			return err
		}
		return Emit(ctx, sv.Queue, tx, v.AccountID, Event{Type: EventVerificationStarted, VerificationID: v.ID, Status: v.Status}, now)
	})
	return v, err
}

// notStarted is the refusal of a change that needs a STARTED verification.
func notStarted(v *database.Verification) error {
	if v.Status == database.VerificationCanceled {
		return ErrCanceled.New("Verification %d is canceled", v.ID)
	}
	return ErrNotStarted.New("Verification %d is %s; documents change only while it is STARTED", v.ID, v.Status)
}

// Submit closes a STARTED verification that has every document its flow
// requires and queues its review.
func (sv *Service) Submit(ctx context.Context, accountID, id int64) (*database.Verification, error) {
	var out *database.Verification
	now := sv.Now()
	err := sv.DB.InTx(ctx, func(tx *database.Tx) error {
		v, err := tx.LockVerification(accountID, id)
		if err != nil {
			return err
		}
		if v.Status != database.VerificationStarted {
			return notStarted(v)
		}
		f, ok := sv.Flows.Flow(v.Flow)
		if !ok {
			return fmt.Errorf("verification %d: flow %q is not in the catalogue", v.ID, v.Flow)
		}
		have, err := tx.ContextTypes(v.ID)
		if err != nil {
			return err
		}
		var lacking []string
		for _, c := range f.Required {
			if !slices.Contains(have, c) {
				lacking = append(lacking, c)
			}
		}
		if len(lacking) > 0 {
			return ErrMissingDocuments.New("Flow %s needs a document of each of %s before submitting; missing: %s",
				f.Name, strings.Join(f.Required, ", "), strings.Join(lacking, ", "))
		}
		if err := tx.SubmitVerification(v, now); err != nil {
			return err
		}
		out = v
		if err := Emit(ctx, sv.Queue, tx, v.AccountID, Event{Type: EventVerificationSubmitted, VerificationID: v.ID, Status: v.Status}, now); err != nil {
			return err
		}
		_, err = sv.Queue.InsertTx(ctx, tx, ReviewArgs{VerificationID: v.ID}, nil)
		return err
	})
	return out, err
}

// Cancel cancels a verification that is not yet approved or rejected; its
// documents become Canceled.
func (sv *Service) Cancel(ctx context.Context, accountID, id int64) (*database.Verification, error) {
	var out *database.Verification
	now := sv.Now()
	err := sv.DB.InTx(ctx, func(tx *database.Tx) error {
		v, err := tx.LockVerification(accountID, id)
		if err != nil {
			return err
		}
		switch v.Status {
		case database.VerificationApproved, database.VerificationRejected:
			return ErrFinished.New("Verification %d is already %s", v.ID, v.Status)
		case database.VerificationCanceled:
			return ErrCanceled.New("Verification %d is already canceled", v.ID)
		}
		if err := tx.CancelVerification(v, now); err != nil {
			return err
		}
		out = v
		return Emit(ctx, sv.Queue, tx, v.AccountID, Event{Type: EventVerificationCanceled, VerificationID: v.ID, Status: v.Status}, now)
	})
	return out, err
}

// checkType applies a flow's rules to a document type, context and country.
func (sv *Service) checkType(f *flows.Flow, typeID int64, contextType string, c country.Country) (*flows.DocumentType, error) {
	t, ok := sv.Flows.Type(typeID)
	switch {
	case !ok || !f.Allows(typeID):
		return nil, ErrTypeNotAllowed.New("Document type %d is not accepted by flow %s (see document_type.list)", typeID, f.Name)
	case t.ContextType != contextType:
		return nil, ErrTypeNotAllowed.New("Document type %d (%s) is a %s, not a %s", typeID, t.Name, t.ContextType, contextType)
	case !t.AvailableIn(c.Alpha2):
		return nil, ErrTypeNotAllowed.New("Document type %d (%s) is not issued in %s", typeID, t.Name, c.Alpha3)
	}
	return t, nil
}

func backSideNotAllowed(t *flows.DocumentType, c country.Country) error {
	return ErrBackSideNotAllowed.New("back_side_data: %s is single-sided in %s; omit the back side", t.Name, c.Alpha3)
}

// Side is one side of an upload as the caller sent it.
type Side struct {
	Field string // the request property, for messages
	Data  []byte
}

// checkSide checks a side's content and returns its content type: an image
// the pipeline can read, or a PDF where the type takes one.
func checkSide(s Side, t *flows.DocumentType) (string, error) {
	if len(s.Data) == 0 {
		return "", raster.ErrUnreadable.New("%s: must be base64 (standard alphabet, padded) of an image", s.Field)
	}
	if bytes.HasPrefix(s.Data, []byte("%PDF-")) {
		if !t.PDF {
			return "", raster.ErrUnsupportedType.New("%s: a PDF is accepted only for proof-of-address types", s.Field)
		}
		if len(s.Data) > raster.MaxUploadBytes {
			return "", raster.ErrTooLarge.New("%s: larger than %d MB", s.Field, raster.MaxUploadBytes>>20)
		}
		// The header only: the page is drawn by the worker, never in the request.
		if _, err := raster.PDFPageDPI(s.Data, pdfDPI); err != nil {
			return "", fmt.Errorf("%s: %w", s.Field, err)
		}
		return "application/pdf", nil
	}
	if _, err := raster.CheckUpload(s.Data); err != nil {
		return "", fmt.Errorf("%s: %w", s.Field, err)
	}
	return "image/" + raster.Sniff(s.Data), nil
}

func (sv *Service) putSide(ctx context.Context, verificationID int64, side string, b []byte, ctype string) (string, error) {
	tok := make([]byte, 8)
	_, _ = rand.Read(tok)
	key := fmt.Sprintf("verifications/%d/%s-%s", verificationID, side, hex.EncodeToString(tok))
	return key, sv.Store.Put(ctx, key, bytes.NewReader(b), int64(len(b)), ctype)
}

// NewDocument is a document upload.
type NewDocument struct {
	VerificationID int64
	ContextType    string
	DocumentTypeID int64
	Country        country.Country
	Front          Side
	Back           *Side // nil: single-sided upload
}

func duplicateType(verificationID int64, contextType string) error {
	return ErrDuplicateType.New("Verification %d already has a %s document; delete it to upload another", verificationID, contextType)
}

// AddDocument uploads a document to a STARTED verification of flow f and
// queues its reading.
func (sv *Service) AddDocument(ctx context.Context, accountID int64, f *flows.Flow, p NewDocument) (*database.Document, error) {
	v, err := sv.DB.GetVerification(ctx, accountID, p.VerificationID)
	if err != nil {
		return nil, err
	}
	if v.Flow != f.Name {
		return nil, ErrFlowMismatch.New("Verification %d belongs to flow %s, not %s", v.ID, v.Flow, f.Name)
	}
	if v.Status != database.VerificationStarted {
		return nil, notStarted(v)
	}
	t, err := sv.checkType(f, p.DocumentTypeID, p.ContextType, p.Country)
	if err != nil {
		return nil, err
	}
	if p.Back != nil && !t.DoubleSided(p.Country.Alpha2) {
		return nil, backSideNotAllowed(t, p.Country)
	}
	frontType, err := checkSide(p.Front, t)
	if err != nil {
		return nil, err
	}
	var backType string
	if p.Back != nil {
		if backType, err = checkSide(*p.Back, t); err != nil {
			return nil, err
		}
	}
	// Cheap early answer; the unique index settles races.
	if dup, err := sv.DB.HasDocument(ctx, v.ID, p.ContextType); err != nil {
		return nil, err
	} else if dup {
		return nil, duplicateType(v.ID, p.ContextType)
	}
	frontKey, err := sv.putSide(ctx, v.ID, "front", p.Front.Data, frontType)
	if err != nil {
		return nil, err
	}
	keys := []string{frontKey}
	backKey := ""
	if p.Back != nil {
		if backKey, err = sv.putSide(ctx, v.ID, "back", p.Back.Data, backType); err != nil {
			_ = sv.Store.Delete(context.WithoutCancel(ctx), frontKey)
			return nil, err
		}
		keys = append(keys, backKey)
	}
	now := sv.Now()
	d := &database.Document{AccountID: accountID, VerificationID: v.ID, ContextType: p.ContextType, DocumentTypeID: t.ID,
		Country: p.Country.Alpha2, Status: database.DocUploaded, FrontKey: frontKey, FrontType: frontType, BackKey: backKey, BackType: backType,
		CreatedAt: now, UpdatedAt: now}
	err = sv.DB.InTx(ctx, func(tx *database.Tx) error {
		locked, err := tx.LockVerification(accountID, v.ID)
		if err != nil {
			return err
		}
		if locked.Status != database.VerificationStarted {
			return notStarted(locked)
		}
		if err := tx.CreateDocument(d); err != nil {
			if errors.Is(err, database.ErrDuplicate) {
				return duplicateType(v.ID, p.ContextType)
			}
			return err
		}
		return sv.documentUploaded(ctx, tx, d, now)
	})
	if err != nil {
		for _, k := range keys {
			_ = sv.Store.Delete(context.WithoutCancel(ctx), k)
		}
		return nil, err
	}
	return d, nil
}

// documentUploaded is the seed's DocumentUploaded event: the event to the
// endpoints and the job that reads the document.
func (sv *Service) documentUploaded(ctx context.Context, tx *database.Tx, d *database.Document, now time.Time) error {
	if err := Emit(ctx, sv.Queue, tx, d.AccountID, Event{Type: EventDocumentUploaded,
		VerificationID: d.VerificationID, DocumentID: d.ID, Status: database.DocStatusLabel(d.Status)}, now); err != nil {
		return err
	}
	_, err := sv.Queue.InsertTx(ctx, tx, DocumentArgs{DocumentID: d.ID}, nil)
	return err
}

// LoadDocument reads a document of the account and its verification; when
// flow is not nil, the verification must belong to it.
func (sv *Service) LoadDocument(ctx context.Context, accountID, id int64, flow *flows.Flow) (*database.Document, *database.Verification, error) {
	d, err := sv.DB.GetDocument(ctx, accountID, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := sv.DB.GetVerification(ctx, accountID, d.VerificationID)
	if err != nil {
		return nil, nil, err
	}
	if flow != nil && flow.Name != v.Flow {
		return nil, nil, ErrFlowMismatch.New("Document %d belongs to a verification of flow %s, not %s", d.ID, v.Flow, flow.Name)
	}
	return d, v, nil
}

// DocumentUpdate is document.update's request; nil fields stay as they are.
type DocumentUpdate struct {
	ContextType    *string
	DocumentTypeID *int64
	Country        *country.Country
	Front, Back    *Side
	Status         *int
}

// UpdateDocument changes an Uploaded document of a STARTED verification.
// New images replace the old ones, and the document is read again.
func (sv *Service) UpdateDocument(ctx context.Context, accountID, id int64, flow *flows.Flow, u DocumentUpdate) (*database.Document, *database.Verification, error) {
	d, v, err := sv.LoadDocument(ctx, accountID, id, flow)
	if err != nil {
		return nil, nil, err
	}
	if d.Status != database.DocUploaded {
		return nil, nil, ErrNotEditable.New("Document %d is %s; only Uploaded documents can change", d.ID, database.DocStatusLabel(d.Status))
	}
	if v.Status != database.VerificationStarted {
		return nil, nil, notStarted(v)
	}
	f, ok := sv.Flows.Flow(v.Flow)
	if !ok {
		return nil, nil, fmt.Errorf("verification %d: flow %q is not in the catalogue", v.ID, v.Flow)
	}
	ctxType, typeID := d.ContextType, d.DocumentTypeID
	c, _ := country.Lookup(d.Country)
	if u.ContextType != nil {
		ctxType = *u.ContextType
	}
	if u.DocumentTypeID != nil {
		typeID = *u.DocumentTypeID
	}
	if u.Country != nil {
		c = *u.Country
	}
	t, err := sv.checkType(f, typeID, ctxType, c)
	if err != nil {
		return nil, nil, err
	}
	if (d.BackKey != "" || u.Back != nil) && !t.DoubleSided(c.Alpha2) {
		return nil, nil, backSideNotAllowed(t, c)
	}
	change := database.DocumentChange{ContextType: ctxType, DocumentTypeID: t.ID, Country: c.Alpha2, Status: u.Status, At: sv.Now()}
	var newKeys, oldKeys []string
	for _, side := range []struct {
		name      string
		data      *Side
		key, typ  **string
		replacing string
	}{{"front", u.Front, &change.FrontKey, &change.FrontType, d.FrontKey}, {"back", u.Back, &change.BackKey, &change.BackType, d.BackKey}} {
		if side.data == nil {
			continue
		}
		ctype, err := checkSide(*side.data, t)
		if err != nil {
			return nil, nil, err
		}
		key, err := sv.putSide(ctx, v.ID, side.name, side.data.Data, ctype)
		if err != nil {
			return nil, nil, err
		}
		newKeys = append(newKeys, key)
		*side.key, *side.typ = &key, &ctype
		if side.replacing != "" {
			oldKeys = append(oldKeys, side.replacing)
		}
	}
	err = sv.DB.InTx(ctx, func(tx *database.Tx) error {
		locked, err := tx.LockVerification(accountID, v.ID)
		if err != nil {
			return err
		}
		if locked.Status != database.VerificationStarted {
			return notStarted(locked)
		}
		// Only while still Uploaded: the reading job may have started meanwhile.
		updated, err := tx.UpdateUploadedDocument(d.ID, change)
		if errors.Is(err, database.ErrDuplicate) {
			return duplicateType(v.ID, ctxType)
		}
		if err != nil {
			return err
		}
		if !updated {
			return ErrNotEditable.New("Document %d entered processing; only Uploaded documents can change", d.ID)
		}
		if d, err = tx.DocumentByID(d.ID); err != nil {
			return err
		}
		if d.Status != database.DocUploaded {
			return nil
		}
		return sv.documentUploaded(ctx, tx, d, change.At)
	})
	if err != nil {
		for _, k := range newKeys {
			_ = sv.Store.Delete(context.WithoutCancel(ctx), k)
		}
		return nil, nil, err
	}
	for _, k := range oldKeys {
		if err := sv.Store.Delete(ctx, k); err != nil {
			sv.Logger.Warn("delete replaced document image", "key", k, "err", err)
		}
	}
	return d, v, nil
}

// DeleteDocument deletes a document of a STARTED verification and its images.
func (sv *Service) DeleteDocument(ctx context.Context, accountID, id int64, flow *flows.Flow) (*database.Document, error) {
	d, v, err := sv.LoadDocument(ctx, accountID, id, flow)
	if err != nil {
		return nil, err
	}
	now := sv.Now()
	err = sv.DB.InTx(ctx, func(tx *database.Tx) error {
		locked, err := tx.LockVerification(accountID, v.ID)
		if err != nil {
			return err
		}
		// A submitted verification's documents are the record its decision rests on.
		if locked.Status != database.VerificationStarted {
			return notStarted(locked)
		}
		if err := tx.DeleteDocument(d.ID); err != nil {
			return err
		}
		return Emit(ctx, sv.Queue, tx, d.AccountID, Event{Type: EventDocumentCanceled,
			VerificationID: v.ID, DocumentID: d.ID, Status: database.DocStatusLabel(database.DocCanceled)}, now)
	})
	if err != nil {
		return nil, err
	}
	for _, k := range []string{d.FrontKey, d.BackKey} {
		if k == "" {
			continue
		}
		if err := sv.Store.Delete(ctx, k); err != nil {
			sv.Logger.Warn("delete document image", "key", k, "err", err)
		}
	}
	return d, nil
}

// DocumentPDF is a document's images and facts as a PDF, once its
// verification is APPROVED.
func (sv *Service) DocumentPDF(ctx context.Context, accountID, id int64, flow *flows.Flow) ([]byte, error) {
	d, v, err := sv.LoadDocument(ctx, accountID, id, flow)
	if err != nil {
		return nil, err
	}
	if v.Status != database.VerificationApproved {
		return nil, ErrNotApproved.New("Verification %d is %s; the PDF is available once it is APPROVED", v.ID, v.Status)
	}
	t, _ := sv.Flows.Type(d.DocumentTypeID)
	c, _ := country.Lookup(d.Country)
	var sides []PDFSide
	for _, s := range []struct{ label, key, typ string }{{"Front", d.FrontKey, d.FrontType}, {"Back", d.BackKey, d.BackType}} {
		if s.key == "" {
			continue
		}
		b, err := objectstore.ReadAll(ctx, sv.Store, s.key)
		if err != nil {
			return nil, err
		}
		sides = append(sides, PDFSide{Label: s.label, Data: b, ContentType: s.typ})
	}
	facts := [][2]string{
		{"Document", fmt.Sprintf("%d (%s)", d.ID, t.Name)},
		{"Context", flows.ContextLabel(d.ContextType)},
		{"Country", c.Name + " (" + c.Alpha3 + ")"},
		{"Verification", fmt.Sprintf("%d, flow %s, %s", v.ID, v.Flow, v.Status)},
		{"Document status", database.DocStatusLabel(d.Status)},
		{"Uploaded", d.CreatedAt.UTC().Format(time.RFC3339)},
	}
	if v.FinishedAt != nil {
		facts = append(facts, [2]string{"Approved", v.FinishedAt.UTC().Format(time.RFC3339)})
	}
	return PDF(fmt.Sprintf("Document %d", d.ID), facts, sides, d.UpdatedAt)
}

// CorrectExtracted changes extracted values by hand; each change is audited
// with the key that made it. Values equal to the current ones are skipped.
func (sv *Service) CorrectExtracted(ctx context.Context, accountID, apiKeyID, documentID int64, changes map[string]string) error {
	d, err := sv.DB.GetDocument(ctx, accountID, documentID)
	if err != nil {
		return err
	}
	if d.Status == database.DocCanceled {
		return ErrDocumentCanceled.New("Document %d is canceled", d.ID)
	}
	now := sv.Now()
	return sv.DB.InTx(ctx, func(tx *database.Tx) error {
		before, err := tx.Extracted(d.ID)
		if err != nil {
			return err
		}
		apply := map[string]string{}
		for k, v := range changes {
			if before[k].Value == v {
				continue
			}
			apply[k] = v
			if err := tx.AddExtractedChange(&database.ExtractedChange{DocumentID: d.ID, Key: k, OldValue: before[k].Value, NewValue: v,
				APIKeyID: apiKeyID, CreatedAt: now}); err != nil {
				return err
			}
		}
		return tx.SetExtracted(d.ID, apply, database.SourceManual, now)
	})
}

// DecideManually records a person's decision on a submitted verification.
func (sv *Service) DecideManually(ctx context.Context, accountID, apiKeyID, verificationID int64, status, comment string) (*database.Decision, error) {
	dec := &database.Decision{Status: status, ValidationWorkflow: database.SourceManual, Comment: comment, APIKeyID: apiKeyID}
	err := sv.DB.InTx(ctx, func(tx *database.Tx) error {
		v, err := tx.LockVerification(accountID, verificationID)
		if err != nil {
			return err
		}
		switch v.Status {
		case database.VerificationStarted:
			return ErrNotSubmitted.New("Verification %d is STARTED; submit it before deciding", v.ID)
		case database.VerificationCanceled:
			return ErrCanceled.New("Verification %d is canceled", v.ID)
		}
		return Decide(ctx, sv.Queue, tx, v, dec, sv.Now(), true)
	})
	return dec, err
}

// CancelDecision cancels the latest live decision on a verification as a
// whole; the verification returns to DOUBLE_CHECK.
func (sv *Service) CancelDecision(ctx context.Context, accountID, id int64) (*database.Decision, error) {
	d, err := sv.DB.GetDecision(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	now := sv.Now()
	err = sv.DB.InTx(ctx, func(tx *database.Tx) error {
		v, err := tx.LockVerification(accountID, d.VerificationID)
		if err != nil {
			return err
		}
		latest, err := tx.LatestDecision(v.ID)
		if err != nil && !errors.Is(err, database.ErrNotFound) {
			return err
		}
		if latest == nil || latest.ID != d.ID {
			return ErrDecisionNotCancelable.New("Only the latest live decision on the verification as a whole can be canceled")
		}
		if v.Status == database.VerificationCanceled {
			return ErrCanceled.New("Verification %d is canceled", v.ID)
		}
		if err := tx.CancelDecision(d, v, now); err != nil {
			return err
		}
		return Emit(ctx, sv.Queue, tx, v.AccountID, Event{Type: EventDecisionCanceled,
			VerificationID: v.ID, DecisionID: d.ID, Status: database.VerificationDoubleCheck}, now)
	})
	return d, err
}
