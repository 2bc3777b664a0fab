// Package verifications runs document verification flows. Service
// holds the rules of verifications, their documents, corrections and manual
// decisions; the jobs read each uploaded document (face, MRZ, address text)
// and review a submitted verification against the expected person data. It
// records the decisions and notifies the account's webhook endpoints.
package verifications

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/domain/callbacks"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/jobs"
)

// Events sent to webhook endpoints.
const (
	EventVerificationStarted   = "verification.started"
	EventVerificationSubmitted = "verification.submitted"
	EventVerificationFinished  = "verification.finished"
	EventVerificationCanceled  = "verification.canceled"
	EventDocumentUploaded      = "document.uploaded"
	EventDocumentCanceled      = "document.canceled"
	EventDecisionMade          = "decision.made"
	EventDecisionCanceled      = "decision.canceled"
)

// AllEvents lists every event an endpoint can subscribe to.
var AllEvents = []string{EventVerificationStarted, EventVerificationSubmitted, EventVerificationFinished, EventVerificationCanceled,
	EventDocumentUploaded, EventDocumentCanceled, EventDecisionMade, EventDecisionCanceled}

// Event is the callback body: flat, like every API object.
type Event struct {
	Type           string `json:"type"`
	Timestamp      string `json:"timestamp"`
	VerificationID int64  `json:"verification_id"`
	DocumentID     int64  `json:"document_id,omitempty"`
	DecisionID     int64  `json:"decision_id,omitempty"`
	Status         string `json:"status"`         // the verification's status, or the decision's
	Test           bool   `json:"test,omitempty"` // a sample from webhook_endpoint.test
}

// Emit queues ev for every live endpoint of the account that wants it, inside tx.
func Emit(ctx context.Context, q jobs.Queue, tx *database.Tx, accountID int64, ev Event, now time.Time) error {
	endpoints, err := tx.LiveEndpoints(accountID)
	if err != nil || len(endpoints) == 0 {
		return err
	}
	ev.Timestamp = now.UTC().Format(time.RFC3339)
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	for _, e := range endpoints {
		if e.Events != "" && !slices.Contains(strings.Split(e.Events, ","), ev.Type) {
			continue
		}
		err := callbacks.Enqueue(ctx, q, tx, &database.Callback{AccountID: accountID, Subject: database.SubjectVerification,
			SubjectID: ev.VerificationID, EndpointID: e.ID, Event: ev.Type, URL: e.URL, Payload: string(body)})
		if err != nil {
			return err
		}
	}
	return nil
}

// Check codes. Hard ones reject; soft ones send the verification to a person.
const (
	CheckUnreadable        = "UNREADABLE_IMAGE"
	CheckNoFaceOnDocument  = "NO_FACE_ON_DOCUMENT"
	CheckMRZCheckDigit     = "MRZ_CHECK_DIGIT"
	CheckMRZCode           = "MRZ_CODE_INVALID"            // the issuing state or nationality is no ICAO 9303 code
	CheckMRZVIZMismatch    = "MRZ_VIZ_MISMATCH"            // the printed zone shows a name near the MRZ's but not it
	CheckFormatUnsupported = "DOCUMENT_FORMAT_UNSUPPORTED" // an MRZ in a layout not read: a person reads it
	CheckDocumentExpired   = "DOCUMENT_EXPIRED"
	CheckNoFaceOnSelfie    = "NO_FACE_ON_SELFIE"
	CheckFaceMismatch      = "FACE_MISMATCH"
	CheckMRZNotFound       = "MRZ_NOT_FOUND"
	CheckDataNotExtracted  = "DATA_NOT_EXTRACTED"
	CheckAddressNotFound   = "ADDRESS_NOT_FOUND"
	CheckNameNotFound      = "NAME_NOT_FOUND"
	CheckNameMismatch      = "NAME_MISMATCH"
	CheckBirthDateMismatch = "DATE_OF_BIRTH_MISMATCH"
	CheckPOANameMismatch   = "POA_NAME_MISMATCH"
	CheckAddressMismatch   = "ADDRESS_MISMATCH"
	CheckMissingDocument   = "MISSING_DOCUMENT"
	CheckFaceBlocked       = "FACE_BLOCKED"     // the face is near one of the account's face blocks
	CheckFaceSeenBefore    = "FACE_SEEN_BEFORE" // the face was another person's in an earlier session or verification
)

var hard = []string{CheckUnreadable, CheckNoFaceOnDocument, CheckMRZCheckDigit, CheckMRZCode, CheckDocumentExpired, CheckNoFaceOnSelfie, CheckFaceMismatch,
	CheckFaceBlocked}

// Verdict turns failed checks into a status. A check the account's policy
// names (account.update {policy}, shared with sessions) does what the
// account said: decline rejects, review asks for a double check, ignore
// only lists it. Every other check keeps this product's default: a hard
// one rejects, any other asks for a double check.
func Verdict(checks []string, p sessions.Policy) string {
	status := database.VerificationApproved
	for _, c := range checks {
		action, named := p[c]
		switch {
		case named && action == sessions.ActionIgnore:
		case named && action == sessions.ActionDecline, !named && slices.Contains(hard, c):
			return database.VerificationRejected
		default:
			status = database.VerificationDoubleCheck
		}
	}
	return status
}

// DocStatusFor maps a verdict to the document status values.
func DocStatusFor(verdict string) int {
	switch verdict {
	case database.VerificationApproved:
		return database.DocApproved
	case database.VerificationRejected:
		return database.DocRejected
	case database.VerificationDoubleCheck:
		return database.DocDoubleCheck
	}
	return 0
}

func encodeDescriptor(d [128]float32) []byte {
	b := make([]byte, 4*len(d))
	for i, f := range d {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func decodeDescriptor(b []byte) ([128]float32, bool) {
	var d [128]float32
	if len(b) != 4*len(d) {
		return d, false
	}
	for i := range d {
		d[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return d, true
}

func splitChecks(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
