package sessions

import (
	"context"
	"slices"
	"strings"

	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// SandboxPrefix starts a magic reference: in a sandbox account, a session
// whose reference is one of SandboxReferences reaches that outcome without
// images, so an integrator can test every branch and callback. In a live
// account the reference is only a reference.
const SandboxPrefix = "sandbox:"

// SandboxReferences lists the magic references: APPROVED, REVIEW (waits for
// session.decide), EXPIRED (the session expires at once), DECLINED (a face
// mismatch) and DECLINED:<checks> with one or more of Checks, comma-separated.
func SandboxReferences() []string {
	out := []string{SandboxPrefix + database.SessionApproved, SandboxPrefix + database.SessionReview, SandboxPrefix + database.SessionExpired,
		SandboxPrefix + database.SessionDeclined}
	for _, c := range Checks {
		out = append(out, SandboxPrefix+database.SessionDeclined+":"+c)
	}
	return out
}

// sandboxOutcome is what a magic reference asks for.
type sandboxOutcome struct {
	state  string
	checks []string
}

// parseSandbox reads a magic reference; ok is false for any other reference.
func parseSandbox(reference string) (out sandboxOutcome, ok bool, err error) {
	rest, ok := strings.CutPrefix(reference, SandboxPrefix)
	if !ok {
		return out, false, nil
	}
	state, checks, _ := strings.Cut(rest, ":")
	switch {
	case (state == database.SessionApproved || state == database.SessionExpired || state == database.SessionReview) && checks == "":
		return sandboxOutcome{state: state}, true, nil
	case state == database.SessionDeclined && checks == "":
		return sandboxOutcome{state: state, checks: []string{CheckFaceMismatch}}, true, nil
	case state == database.SessionDeclined:
		out = sandboxOutcome{state: state, checks: strings.Split(checks, ",")}
		for _, c := range out.checks {
			if !slices.Contains(Checks, c) {
				return out, true, accounts.ErrSandboxValue.New("reference: %q is not a check; a sandbox session declines with one or more of %s", c, strings.Join(Checks, ", "))
			}
		}
		return out, true, nil
	}
	return out, true, accounts.ErrSandboxValue.New("reference: %q names no sandbox outcome; use one of %s, or %s%s:<CHECK>[,<CHECK>…]", reference,
		strings.Join(SandboxReferences()[:4], ", "), SandboxPrefix, database.SessionDeclined)
}

// sandboxPerson is the ICAO 9303 specimen: what a magic session "reads".
func sandboxPerson(d *database.SessionResult) {
	d.GivenNames, d.Surname, d.Nationality, d.Sex, d.DateOfBirth = "ANNA MARIA", "ERIKSSON", "SE", "F", "1974-08-12"
	d.DocumentType, d.DocumentNumber, d.ExpiryDate, d.IssuingCountry, d.Issuer = "PASSPORT", "L898902C3", "2034-04-15", "SE", "Sweden"
}

// sandboxResult is the result a magic session of a sandbox account gets in
// place of reading its images, and the state it asks for; nil for every
// other session.
func (w *Worker) sandboxResult(s *database.Session, acc *database.Account) (*database.SessionResult, string) {
	o, ok, err := parseSandbox(s.Reference)
	if !ok || err != nil || o.state == database.SessionExpired || !acc.Sandbox {
		return nil, ""
	}
	d := &database.SessionResult{Checks: o.checks}
	if !slices.Contains(o.checks, CheckDocumentMissing) && !slices.Contains(o.checks, CheckMRZNotFound) {
		sandboxPerson(d)
	}
	if slices.Contains(o.checks, CheckDocumentExpired) {
		d.ExpiryDate = "2020-04-15"
	}
	noFace := slices.ContainsFunc(o.checks, func(c string) bool {
		return c == CheckDocumentMissing || c == CheckNoFaceOnDocument || c == CheckSelfieMissing || c == CheckNoFaceOnSelfie
	})
	if !noFace {
		score := 97
		if slices.Contains(o.checks, CheckFaceMismatch) {
			score = 12
		}
		d.FaceMatchScore = &score
	}
	return d, o.state
}

// checkSandbox refuses a magic reference that names no outcome, in a
// sandbox account, and tells whether the session is to expire at once.
func (sv *Service) checkSandbox(ctx context.Context, accountID int64, reference string) (expireNow bool, err error) {
	o, ok, perr := parseSandbox(reference)
	if !ok {
		return false, nil
	}
	acc, err := sv.DB.GetAccount(ctx, accountID)
	if err != nil || !acc.Sandbox {
		return false, err
	}
	if perr != nil {
		return false, perr
	}
	return o.state == database.SessionExpired, nil
}
