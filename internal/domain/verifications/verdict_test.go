package verifications_test

import (
	"testing"

	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// TestVerdict: the product's defaults (hard checks reject, the rest ask for
// a double check), and the account's policy where it names a check.
func TestVerdict(t *testing.T) {
	cases := []struct {
		name   string
		checks []string
		policy sessions.Policy
		want   string
	}{
		{"nothing failed", nil, nil, database.VerificationApproved},
		{"a hard check", []string{"FACE_MISMATCH"}, nil, database.VerificationRejected},
		{"a soft check", []string{"FACE_SEEN_BEFORE"}, nil, database.VerificationDoubleCheck},
		{"a soft check the policy declines", []string{"FACE_SEEN_BEFORE"}, sessions.Policy{"FACE_SEEN_BEFORE": "decline"}, database.VerificationRejected},
		{"a hard check the policy reviews", []string{"FACE_MISMATCH"}, sessions.Policy{"FACE_MISMATCH": "review"}, database.VerificationDoubleCheck},
		{"a hard check the policy ignores", []string{"FACE_MISMATCH"}, sessions.Policy{"FACE_MISMATCH": "ignore"}, database.VerificationApproved},
		{"an ignored check beside a soft one", []string{"MRZ_VIZ_MISMATCH", "NAME_MISMATCH"}, sessions.Policy{"MRZ_VIZ_MISMATCH": "ignore"},
			database.VerificationDoubleCheck},
		{"an ignored hard check beside another", []string{"FACE_MISMATCH", "DOCUMENT_EXPIRED"}, sessions.Policy{"FACE_MISMATCH": "ignore"},
			database.VerificationRejected},
		{"a policy on other checks", []string{"FACE_BLOCKED"}, sessions.Policy{"UNDERAGE": "ignore"}, database.VerificationRejected},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := verifications.Verdict(c.checks, c.policy); got != c.want {
				t.Fatalf("%v under %v: %s, want %s", c.checks, c.policy, got, c.want)
			}
		})
	}
}
