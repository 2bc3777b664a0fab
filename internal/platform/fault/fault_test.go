package fault_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/veridoc/veridoc/internal/platform/fault"
)

var errTestRule = fault.Declare("TestRuleRefused", fault.Conflict)

func TestRule(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", errTestRule.New("thing %d refused", 7))
	var f *fault.Error
	if !errors.As(err, &f) || f.Message != "thing 7 refused" || f.Status() != http.StatusConflict || f.Name() != "TestRuleRefused" {
		t.Fatalf("as: %+v", f)
	}
	if !errors.Is(err, errTestRule) || !errTestRule.Is(err) {
		t.Error("the refusal does not match its rule")
	}
	if errors.Is(err, fault.ErrInvalidRequest) || fault.ErrInvalidRequest.Is(err) {
		t.Error("the refusal matches another rule")
	}
	if r, ok := fault.Lookup("TestRuleRefused"); !ok || r != errTestRule {
		t.Error("Lookup")
	}
}

func TestDeclareRefusesBadRules(t *testing.T) {
	cases := []struct {
		name string
		kind fault.Kind
	}{
		{"TestRuleRefused", fault.Conflict}, // declared above
		{"lowerCase", fault.Invalid},
		{"With Space", fault.Invalid},
		{"", fault.Invalid},
		{"NoKind", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Declare(%q, %d) did not panic", tc.name, tc.kind)
				}
			}()
			fault.Declare(tc.name, tc.kind)
		})
	}
}

func TestKindsHaveStatuses(t *testing.T) {
	for k := fault.Invalid; k <= fault.Unavailable; k++ {
		if s := k.Status(); s < 400 || http.StatusText(s) == "" {
			t.Errorf("kind %d: status %d", k, s)
		}
	}
}
