// Package refuse is how domain packages say that a business rule refused a
// change: which rule (a sentinel error of the domain package) and the full
// message, without knowing HTTP. The API layer maps each rule to its error name.
package refuse

import "fmt"

// Error is a refusal by Rule, with a message for people.
type Error struct {
	Rule error
	msg  string
}

func (e *Error) Error() string { return e.msg }

// Unwrap lets errors.Is find the rule.
func (e *Error) Unwrap() error { return e.Rule }

// New refuses by rule with a formatted message.
func New(rule error, format string, args ...any) error {
	return &Error{Rule: rule, msg: fmt.Sprintf(format, args...)}
}
