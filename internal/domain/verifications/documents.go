package verifications

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/veridoc/veridoc/internal/domain/country"
	"github.com/veridoc/veridoc/internal/domain/flows"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

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
	v, t, frontType, backType, err := sv.checkNew(ctx, accountID, f, p)
	if err != nil {
		return nil, err
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

// checkNew checks a new document against its verification, its flow's
// types and the sides' content; it returns the content types of the sides.
func (sv *Service) checkNew(ctx context.Context, accountID int64, f *flows.Flow, p NewDocument) (v *database.Verification, t *flows.DocumentType,
	frontType, backType string, err error) {
	if v, err = sv.DB.GetVerification(ctx, accountID, p.VerificationID); err != nil {
		return nil, nil, "", "", err
	}
	if v.Flow != f.Name {
		return nil, nil, "", "", ErrFlowMismatch.New("Verification %d belongs to flow %s, not %s", v.ID, v.Flow, f.Name)
	}
	if v.Status != database.VerificationStarted {
		return nil, nil, "", "", notStarted(v)
	}
	if t, err = sv.checkType(f, p.DocumentTypeID, p.ContextType, p.Country); err != nil {
		return nil, nil, "", "", err
	}
	if p.Back != nil && !t.DoubleSided(p.Country.Alpha2) {
		return nil, nil, "", "", backSideNotAllowed(t, p.Country)
	}
	if frontType, err = checkSide(p.Front, t); err != nil {
		return nil, nil, "", "", err
	}
	if p.Back != nil {
		if backType, err = checkSide(*p.Back, t); err != nil {
			return nil, nil, "", "", err
		}
	}
	return v, t, frontType, backType, nil
}

// documentUploaded is the DocumentUploaded event: the event to the
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

// ListDocuments lists a verification's documents, oldest first; when flow is
// not nil, the verification must belong to it.
func (sv *Service) ListDocuments(ctx context.Context, accountID, verificationID int64, flow *flows.Flow) ([]database.Document, *database.Verification, error) {
	v, err := sv.DB.GetVerification(ctx, accountID, verificationID)
	if err != nil {
		return nil, nil, err
	}
	if flow != nil && flow.Name != v.Flow {
		return nil, nil, ErrFlowMismatch.New("Verification %d belongs to flow %s, not %s", v.ID, v.Flow, flow.Name)
	}
	docs, err := sv.DB.Documents(ctx, v.ID)
	return docs, v, err
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
	change, t, err := sv.changeOf(d, v, u)
	if err != nil {
		return nil, nil, err
	}
	newKeys, oldKeys, err := sv.storeSides(ctx, d, v, t, u, &change)
	if err != nil {
		return nil, nil, err
	}
	err = sv.DB.InTx(ctx, func(tx *database.Tx) error {
		d, err = sv.applyChange(ctx, tx, d, v, change)
		return err
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

// changeOf checks an update against the document's state and its flow's
// types, and returns the change without images yet.
func (sv *Service) changeOf(d *database.Document, v *database.Verification, u DocumentUpdate) (database.DocumentChange, *flows.DocumentType, error) {
	var change database.DocumentChange
	if d.Status != database.DocUploaded {
		return change, nil, ErrNotEditable.New("Document %d is %s; only Uploaded documents can change", d.ID, database.DocStatusLabel(d.Status))
	}
	if v.Status != database.VerificationStarted {
		return change, nil, notStarted(v)
	}
	f, ok := sv.Flows.Flow(v.Flow)
	if !ok {
		return change, nil, fmt.Errorf("verification %d: flow %q is not in the catalogue", v.ID, v.Flow)
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
		return change, nil, err
	}
	if (d.BackKey != "" || u.Back != nil) && !t.DoubleSided(c.Alpha2) {
		return change, nil, backSideNotAllowed(t, c)
	}
	return database.DocumentChange{ContextType: ctxType, DocumentTypeID: t.ID, Country: c.Alpha2, Status: u.Status, At: sv.Now()}, t, nil
}

// storeSides stores an update's new images before the change is committed;
// it returns their keys (deleted again if the change fails) and the keys
// they replace (deleted once it succeeds).
func (sv *Service) storeSides(ctx context.Context, d *database.Document, v *database.Verification, t *flows.DocumentType, u DocumentUpdate,
	change *database.DocumentChange) (newKeys, oldKeys []string, err error) {
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
		if err == nil {
			var key string
			if key, err = sv.putSide(ctx, v.ID, side.name, side.data.Data, ctype); err == nil {
				newKeys = append(newKeys, key)
				*side.key, *side.typ = &key, &ctype
			}
		}
		if err != nil {
			for _, k := range newKeys {
				_ = sv.Store.Delete(context.WithoutCancel(ctx), k)
			}
			return nil, nil, err
		}
		if side.replacing != "" {
			oldKeys = append(oldKeys, side.replacing)
		}
	}
	return newKeys, oldKeys, nil
}

// applyChange commits an update under the verification's lock, only while
// the document is still Uploaded (its reading may have started meanwhile),
// and queues its reading again.
func (sv *Service) applyChange(ctx context.Context, tx *database.Tx, d *database.Document, v *database.Verification, change database.DocumentChange) (*database.Document, error) {
	locked, err := tx.LockVerification(d.AccountID, v.ID)
	if err != nil {
		return nil, err
	}
	if locked.Status != database.VerificationStarted {
		return nil, notStarted(locked)
	}
	updated, err := tx.UpdateUploadedDocument(d.ID, change)
	if errors.Is(err, database.ErrDuplicate) {
		return nil, duplicateType(v.ID, change.ContextType)
	}
	if err != nil {
		return nil, err
	}
	if !updated {
		return nil, ErrNotEditable.New("Document %d entered processing; only Uploaded documents can change", d.ID)
	}
	if d, err = tx.DocumentByID(d.ID); err != nil {
		return nil, err
	}
	if d.Status != database.DocUploaded {
		return d, nil
	}
	return d, sv.documentUploaded(ctx, tx, d, change.At)
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
