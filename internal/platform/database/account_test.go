package database_test

import (
	"slices"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/database"
)

func TestSigningSecrets(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Hour), now.Add(-time.Second)
	cases := []struct {
		name string
		acct database.Account
		want []string
	}{
		{"none", database.Account{}, nil},
		{"one", database.Account{WebhookSecret: "new"}, []string{"new"}},
		{"overlap", database.Account{WebhookSecret: "new", PreviousWebhookSecret: "old", PreviousSecretUntil: &later}, []string{"new", "old"}},
		{"overlap over", database.Account{WebhookSecret: "new", PreviousWebhookSecret: "old", PreviousSecretUntil: &earlier}, []string{"new"}},
		{"first rotation: nothing before", database.Account{WebhookSecret: "new", PreviousSecretUntil: &later}, []string{"new"}},
	}
	for _, tc := range cases {
		if got := tc.acct.SigningSecrets(now); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
