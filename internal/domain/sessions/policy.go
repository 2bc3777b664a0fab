package sessions

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
)

// What a failed check does to a session: decline it (the default, and
// the behaviour before policies), send it to a person (REVIEW), or only
// list it.
const (
	ActionDecline = "decline"
	ActionReview  = "review"
	ActionIgnore  = "ignore"
)

// Actions lists them.
var Actions = []string{ActionDecline, ActionReview, ActionIgnore}

// Policy maps checks to actions; a check it does not name takes its
// default (decline, but review for the image-integrity checks, a face
// seen before and a suspected presentation attack).
type Policy map[string]string

// defaultActions are the checks that do not decline unless the account
// says so: the image-integrity signals, which a real but re-saved or
// scanned document can raise too (docs/sessions.md).
// The passive anti-spoofing nets were trained on one vendor's cameras and
// are unmeasured on others' (docs/sessions.md): their verdict goes to a
// person.
var defaultActions = map[string]string{CheckEditedImage: ActionReview, CheckPhotocopy: ActionReview, CheckScreenCapture: ActionReview, CheckFaceSeenBefore: ActionReview,
	CheckPresentationAttack: ActionReview}

// Action is what the check does.
func (p Policy) Action(check string) string {
	if a, ok := p[check]; ok {
		return a
	}
	if a, ok := defaultActions[check]; ok {
		return a
	}
	return ActionDecline
}

// State is where a decided session with these failed checks goes: DECLINED
// when one declines, REVIEW when one asks for a person, else APPROVED (the
// ignored checks stay listed).
func (p Policy) State(checks []string) string {
	state := database.SessionApproved
	for _, c := range checks {
		switch p.Action(c) {
		case ActionDecline:
			return database.SessionDeclined
		case ActionReview:
			state = database.SessionReview
		}
	}
	return state
}

// Full is the policy with every check named.
func (p Policy) Full() map[string]string {
	out := make(map[string]string, len(Checks))
	for _, c := range Checks {
		out[c] = p.Action(c)
	}
	return out
}

// mustCheck are checks there is nothing to verify without: they decline or
// go to a person, never pass unseen.
var mustCheck = []string{CheckDocumentMissing, CheckSelfieMissing}

// SetPolicy replaces the account's policy after checking every entry.
func (sv *Service) SetPolicy(ctx context.Context, accountID int64, p Policy) error {
	for check, action := range p {
		switch {
		case !slices.Contains(Checks, check):
			return fault.ErrInvalidRequest.New("policy: %q is not a check; one of %s", check, strings.Join(Checks, ", "))
		case !slices.Contains(Actions, action):
			return fault.ErrInvalidRequest.New("policy.%s: %q is not an action; one of %s", check, action, strings.Join(Actions, ", "))
		case action == ActionIgnore && slices.Contains(mustCheck, check):
			return fault.ErrInvalidRequest.New("policy.%s: cannot be ignored (nothing would be verified); decline or review", check)
		}
	}
	js, _ := json.Marshal(p)
	return sv.DB.SetCheckPolicy(ctx, accountID, string(js))
}

// PolicyOf reads an account's policy.
func PolicyOf(a *database.Account) Policy {
	p := Policy{}
	if a.CheckPolicy != "" {
		_ = json.Unmarshal([]byte(a.CheckPolicy), &p)
	}
	return p
}
