package verifications

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/veridoc/veridoc/internal/domain/faceindex"
	"github.com/veridoc/veridoc/internal/domain/flows"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
)

// screenFaces looks the verification's faces (the selfie and the photo
// ID's portrait) up among the account's, as a session's are: near a block
// is FACE_BLOCKED; near another person's face from an earlier session or
// verification (neither the same document nor the same name and birth
// date) is FACE_SEEN_BEFORE. The check and its evidence go on the selfie
// (else the photo ID). It returns the face to keep for later lookups: the
// selfie, else the portrait; nil when there is none or no index.
func (w *ReviewWorker) screenFaces(ctx context.Context, v *database.Verification, docs []database.Document,
	fields map[int64]map[string]database.ExtractedField, r *ReviewResult) (*database.Face, error) {
	if w.Faces == nil {
		return nil, nil
	}
	var id, selfie, target *database.Document
	for i := range docs {
		switch docs[i].ContextType {
		case flows.PhotoID:
			id = &docs[i]
		case flows.Selfie:
			selfie = &docs[i]
		}
	}
	var ds [][128]float32
	for _, d := range []*database.Document{selfie, id} {
		if d == nil {
			continue
		}
		if desc, ok := decodeDescriptor(d.Descriptor); ok {
			ds = append(ds, desc)
			if target == nil {
				target = d
			}
		}
	}
	if target == nil {
		return nil, nil
	}
	owner := faceindex.Owner{VerificationID: v.ID}
	if id != nil {
		var err error
		if owner.DocKey, owner.PersonKey, err = w.identityKeys(ctx, v.AccountID, id, fields[id.ID]); err != nil {
			return nil, err
		}
	}
	found, err := w.Faces.Search(ctx, v.AccountID, faceindex.SeenDistance, ds...)
	if err != nil {
		return nil, err
	}
	screened := faceindex.Screen(found, owner)
	flag := func(check, key string, evidence []string) {
		if len(evidence) == 0 {
			return
		}
		r.DocChecks[target.ID] = append(r.DocChecks[target.ID], check)
		if !slices.Contains(r.Checks, check) {
			r.Checks = append(r.Checks, check)
		}
		if r.Extra[target.ID] == nil {
			r.Extra[target.ID] = map[string]string{}
		}
		r.Extra[target.ID][key] = strings.Join(evidence, ", ")
	}
	flag(CheckFaceBlocked, "face_blocked_by", screened.Blocked)
	flag(CheckFaceSeenBefore, "face_seen_before_in", screened.Seen)
	return &database.Face{AccountID: v.AccountID, VerificationID: v.ID, Descriptor: database.EncodeDescriptor(ds[0]),
		DocKey: owner.DocKey, PersonKey: owner.PersonKey}, nil
}

// identityKeys are the account's blind indexes of the photo ID and of its
// holder, made as a session makes them (faceindex.Holder).
func (w *ReviewWorker) identityKeys(ctx context.Context, accountID int64, id *database.Document, f map[string]database.ExtractedField) (doc, person string, err error) {
	t, _ := w.Flows.Type(id.DocumentTypeID)
	h := faceindex.Holder{Country: id.Country, DocType: sessionDocType(t.Name), Number: f["document_number"].Value,
		Surname: f["person_surname"].Value, GivenNames: f["person_given_names"].Value, BirthDate: f["person_date_of_birth"].Value}
	if w.Index == nil || !h.Known() {
		return "", "", nil
	}
	x, err := w.Index(ctx, accountID)
	if err != nil {
		return "", "", err
	}
	return h.Keys(x)
}

// sessionDocType names a flow's document type as sessions name what they read.
func sessionDocType(name string) string {
	switch name {
	case "Passport":
		return "PASSPORT"
	case "Driver License":
		return "DRIVER_LICENSE"
	}
	return "ID_CARD"
}

// ErrNoFace: the verification kept no face to block.
var ErrNoFace = fault.Declare("VerificationHasNoFace", fault.Conflict)

// BlockFace blocks the face a reviewed verification left, as a session's
// can be blocked: the account's later sessions and verifications with a
// face near it fail FACE_BLOCKED. The block keeps its own copy of the
// descriptor, so erasing the verification does not lift it.
func (sv *Service) BlockFace(ctx context.Context, accountID, verificationID int64, reason string) (*database.Face, error) {
	v, err := sv.DB.GetVerification(ctx, accountID, verificationID)
	if errors.Is(err, database.ErrNotFound) {
		return nil, ErrNotFound.New("No verification found with id: %d", verificationID)
	}
	if err != nil {
		return nil, err
	}
	f, err := sv.DB.VerificationFace(ctx, accountID, v.ID)
	if errors.Is(err, database.ErrNotFound) {
		return nil, ErrNoFace.New("Verification %d kept no face to block (it is %s, or erased)", v.ID, v.Status)
	}
	if err != nil {
		return nil, err
	}
	b, err := faceindex.NewBlock(f, reason, sv.Now())
	if err != nil {
		return nil, err
	}
	return b, sv.DB.CreateFace(ctx, b)
}
