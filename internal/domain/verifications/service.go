package verifications

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/domain/flows"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
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
