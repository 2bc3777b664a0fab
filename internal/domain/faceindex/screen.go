package faceindex

import "fmt"

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
