package faceindex

import (
	"fmt"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/platform/seal"
)

// SeenDistance is the descriptor distance under which a face is taken for
// one the account saw before. Searching a million faces needs a far
// stricter line than comparing two (faces.MatchThreshold, 0.55): of the
// 179,101 pairs of different people among the 599 public-domain portraits,
// 8 are under 0.45 and 1 under 0.40: a stranger now and then is still to be
// expected in a large account, hence review by default (docs/sessions.md).
const SeenDistance = 0.40

// Owner is what a new face belongs to: a session or a verification (the
// other id 0), with the blind indexes of its holder's document and of
// their name and birth date ("" where not read).
type Owner struct {
	SessionID, VerificationID int64
	DocKey, PersonKey         string
}

// Screened is what the account's faces say about a new one, as evidence:
// the blocks it is near, and the earlier sessions and verifications of
// other people it is near.
type Screened struct {
	Blocked, Seen []string
}

// Screen sorts a search's matches for a new face: a block is always
// counted; a face of another session or verification counts only when it
// belongs to someone else by their papers (otherIdentity).
func Screen(found []Match, o Owner) Screened {
	var out Screened
	for _, m := range found {
		switch {
		case m.Block:
			out.Blocked = append(out.Blocked, fmt.Sprintf("face block %d (distance %.2f)", m.ID, m.Distance))
		case !otherIdentity(m.Face.DocKey, m.Face.PersonKey, o):
		case m.VerificationID != 0 && m.VerificationID != o.VerificationID:
			out.Seen = append(out.Seen, fmt.Sprintf("verification %d (distance %.2f)", m.VerificationID, m.Distance))
		case m.SessionID != 0 && m.SessionID != o.SessionID:
			out.Seen = append(out.Seen, fmt.Sprintf("session %d (distance %.2f)", m.SessionID, m.Distance))
		}
	}
	return out
}

// otherIdentity tells whether a stored face belongs to someone else by
// their papers: both sides known, and neither the document nor the name
// and birth date the same. A face with no papers read proves nothing.
func otherIdentity(docKey, personKey string, o Owner) bool {
	if (o.DocKey == "" && o.PersonKey == "") || (docKey == "" && personKey == "") {
		return false
	}
	sameDoc := o.DocKey != "" && docKey == o.DocKey
	samePerson := o.PersonKey != "" && personKey == o.PersonKey
	return !sameDoc && !samePerson
}

// Holder is what a document says of its holder, for the blind indexes
// sessions and verifications keep (seal.Index): one recipe, so that one
// person's session and verification are known for the same person.
type Holder struct {
	Country, DocType, Number       string // issuing country (alpha-2), PASSPORT / ID_CARD / …, number
	Surname, GivenNames, BirthDate string
}

// Keys are the holder's blind indexes: of the document (issuing country,
// type, number) and of the person (name and birth date). Either is ""
// when the document did not give it.
func (h Holder) Keys(x *seal.Index) (doc, person string, err error) {
	if h.Country != "" && h.Number != "" {
		if doc, err = x.Of(h.Country, h.DocType, h.Number); err != nil {
			return "", "", err
		}
	}
	if h.Surname != "" && h.BirthDate != "" {
		person, err = x.Of("person", strings.Join(strings.Fields(h.Surname), " "), strings.Join(strings.Fields(h.GivenNames), " "), h.BirthDate)
	}
	return doc, person, err
}

// Known tells whether the holder gives either key.
func (h Holder) Known() bool {
	return (h.Country != "" && h.Number != "") || (h.Surname != "" && h.BirthDate != "")
}

// MaxReason is the longest a block's reason may be, in bytes.
const MaxReason = 500

// NewBlock is a block of the face kept: its own copy of the descriptor, so
// that erasing the session or verification it came from does not lift it,
// and the same owner, so that the evidence can name where it came from.
func NewBlock(kept *database.Face, reason string, now time.Time) (*database.Face, error) {
	if len(reason) > MaxReason {
		return nil, fault.ErrInvalidRequest.New("reason: at most %d characters", MaxReason)
	}
	return &database.Face{AccountID: kept.AccountID, SessionID: kept.SessionID, VerificationID: kept.VerificationID,
		Descriptor: kept.Descriptor, Block: true, Reason: reason, CreatedAt: now, UpdatedAt: now}, nil
}
