package api

import (
	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/domain/flows"
	"github.com/veridoc/veridoc/internal/domain/photos"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/domain/specs"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
	"github.com/veridoc/veridoc/internal/vision/liveness"
)

// The API's enumerations (rpc.Enum): each names the list its values come
// from, declared once beside the constants it lists. The decoder refuses
// other values; the OpenAPI document and the SDK list them.
type (
	sessionState       string
	uploadKind         string
	taskState          string
	outputFormat       string
	backgroundMode     string
	transactionType    string
	contextType        string
	documentLabel      string
	verificationStatus string
	decisionStatus     string
	workflow           string
	callbackState      string
	pendingState       string
	keyScope           string
	consoleRole        string
	specType           string
	specExpression     string
	specGlasses        string
	specBackgroundEdit string
	decideState        string
	livenessMode       string
	livenessStep       string
	frameProblem       string
)

func (sessionState) Values() []string       { return database.SessionStates }
func (livenessMode) Values() []string       { return sessions.LivenessModes }
func (livenessStep) Values() []string       { return liveness.Steps }
func (uploadKind) Values() []string         { return sessions.UploadKinds }
func (taskState) Values() []string          { return database.TaskStates }
func (outputFormat) Values() []string       { return photos.OutputFormats }
func (backgroundMode) Values() []string     { return idphoto.Backgrounds }
func (transactionType) Values() []string    { return database.TransactionTypes }
func (contextType) Values() []string        { return flows.ContextTypes }
func (documentLabel) Values() []string      { return database.DocStatusLabels }
func (verificationStatus) Values() []string { return database.VerificationStatuses }
func (decisionStatus) Values() []string     { return database.DecisionStatuses }
func (workflow) Values() []string           { return database.Sources }
func (callbackState) Values() []string      { return database.CallbackStates }
func (keyScope) Values() []string           { return accounts.Scopes }
func (consoleRole) Values() []string        { return accounts.Roles }
func (specType) Values() []string           { return specs.Types }
func (specExpression) Values() []string {
	return []string{specs.ExpressionNeutral, specs.ExpressionSmile}
}
func (specGlasses) Values() []string { return []string{specs.GlassesAllowed, specs.GlassesNotAllowed} }
func (specBackgroundEdit) Values() []string {
	return []string{specs.EditsAllowed, specs.EditsForbidden}
}
func (decideState) Values() []string  { return sessions.DecideStates }
func (frameProblem) Values() []string { return sessions.FrameProblems }

// pendingState is a redelivered callback's state: always pending.
func (pendingState) Values() []string { return []string{database.CallbackPending} }

// strs is a list of enum values as plain strings.
func strs[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// ptr is an optional enum value as a plain string.
func ptr[T ~string](v *T) *string {
	if v == nil {
		return nil
	}
	s := string(*v)
	return &s
}
