package specs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
)

// AccountBase is added to an account spec's row id: the catalogue's ids
// stay below it, so one id names one spec whoever asks.
const AccountBase = 10_000_000

// ErrTooMany: the account has all the specs it may keep.
var ErrTooMany = fault.Declare("SpecificationLimitReached", fault.Conflict)

// Library is the catalogue plus the specs each account defined for itself,
// which only that account sees.
type Library struct {
	*Catalog
	DB *database.DB
}

// Lookup finds a spec the account may use: the catalogue's or its own.
func (l *Library) Lookup(ctx context.Context, accountID, id int64) (*Spec, error) {
	if s, ok := l.Catalog.Get(id); ok {
		return s, nil
	}
	if id <= AccountBase || l.DB == nil {
		return nil, ErrNotFound.New("No specification found with id: %d", id)
	}
	row, err := l.DB.GetAccountSpec(ctx, accountID, id-AccountBase)
	if errors.Is(err, database.ErrNotFound) {
		return nil, ErrNotFound.New("No specification found with id: %d", id)
	}
	if err != nil {
		return nil, err
	}
	return decode(row)
}

// Own lists the account's own specs for a country (alpha-2).
func (l *Library) Own(ctx context.Context, accountID int64, country string) ([]*Spec, error) {
	if l.DB == nil {
		return nil, nil
	}
	rows, err := l.DB.ListAccountSpecs(ctx, accountID)
	if err != nil {
		return nil, err
	}
	var out []*Spec
	for i := range rows {
		s, err := decode(&rows[i])
		if err != nil {
			return nil, err
		}
		if s.CountryCode == strings.ToUpper(country) {
			out = append(out, s)
		}
	}
	return out, nil
}

// Delete removes one of the account's own specs (the catalogue's stay).
func (l *Library) Delete(ctx context.Context, accountID, id int64) error {
	if id <= AccountBase {
		return ErrNotFound.New("No specification of the account with id: %d", id)
	}
	if err := l.DB.DeleteAccountSpec(ctx, accountID, id-AccountBase); errors.Is(err, database.ErrNotFound) {
		return ErrNotFound.New("No specification of the account with id: %d", id)
	} else if err != nil {
		return err
	}
	return nil
}

// ErrInvalid: a spec to create does not hold together.
var ErrInvalid = fault.Declare("InvalidSpecification", fault.Invalid)

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Create checks and stores a spec of the account's own. The frame's pixels
// follow from its millimetres and DPI when not given; the type defaults to
// "other", the rules to ICAO's (neutral expression, glasses allowed).
func (l *Library) Create(ctx context.Context, accountID int64, s Spec) (*Spec, error) {
	rows, err := l.DB.ListAccountSpecs(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if len(rows) >= database.MaxAccountSpecs {
		return nil, ErrTooMany.New("The account has %d specifications, the most it may keep; delete one first", len(rows))
	}
	if err := complete(&s); err != nil {
		return nil, err
	}
	row := &database.AccountSpec{AccountID: accountID, SpecJSON: "{}"}
	if err := l.DB.CreateAccountSpec(ctx, row); err != nil {
		return nil, err
	}
	s.ID = AccountBase + row.ID
	s.Key = fmt.Sprintf("account-%d", s.ID)
	js, _ := json.Marshal(s)
	if err := l.DB.SetAccountSpecJSON(ctx, accountID, row.ID, string(js)); err != nil {
		return nil, err
	}
	return &s, nil
}

// complete fills the derived fields of a new spec and checks it as the
// catalogue's are checked.
func complete(s *Spec) error {
	bad := func(format string, args ...any) error { return ErrInvalid.New(format, args...) }
	s.CountryCode = strings.ToUpper(s.CountryCode)
	switch {
	case strings.TrimSpace(s.Name) == "" || len(s.Name) > 100:
		return bad("name: 1 to 100 characters")
	case len(s.CountryCode) != 2 || s.CountryCode[0] < 'A' || s.CountryCode[0] > 'Z' || s.CountryCode[1] < 'A' || s.CountryCode[1] > 'Z':
		return bad("country_code: an ISO 3166 alpha-2 code such as \"US\"")
	case s.WidthMm < 10 || s.WidthMm > 100 || s.HeightMm < 10 || s.HeightMm > 100:
		return bad("width_mm and height_mm: 10 to 100 mm")
	case s.DPI < 150 || s.DPI > 1200:
		return bad("dpi: 150 to 1200")
	case !hexColour.MatchString(s.BackgroundHex):
		return bad("background_hex: a colour as #rrggbb")
	case s.MaxKB < 0 || s.MaxKB > 10240 || s.MinKB < 0 || (s.MaxKB > 0 && s.MinKB > s.MaxKB):
		return bad("max_kb: 0 to 10240; min_kb: 0 to max_kb")
	case s.MinPx < 0 || s.MaxPx < 0 || (s.MaxPx > 0 && s.MinPx > s.MaxPx):
		return bad("min_px and max_px: 0 or more, min_px at most max_px")
	}
	if s.Type == "" {
		s.Type = TypeOther
	}
	if s.Expression == "" {
		s.Expression = ExpressionNeutral
	}
	if s.Glasses == "" {
		s.Glasses = GlassesAllowed
	}
	if s.BackgroundEdit == "" {
		s.BackgroundEdit = EditsAllowed
	}
	if !slices.Contains(Types, s.Type) {
		return bad("type: one of %s", strings.Join(Types, ", "))
	}
	if s.WidthPx == 0 {
		s.WidthPx = int(math.Round(s.WidthMm / 25.4 * float64(s.DPI)))
	}
	if s.HeightPx == 0 {
		s.HeightPx = int(math.Round(s.HeightMm / 25.4 * float64(s.DPI)))
	}
	s.HeadBasis, s.EyeBasis, s.Background = "account", "account", s.BackgroundHex
	s.SourceURL, s.FrameSource, s.AppearanceSource, s.FrameBasis = "account", "account", "account", FrameAccount
	if s.MaxPx > 0 || s.MinKB > 0 {
		s.DigitalSource = "account"
	}
	if s.BackgroundEdit == EditsForbidden {
		s.EditSource = "account"
	}
	s.Key = "account"
	s.ID = AccountBase + 1 // for validate; the real id comes with the row
	if err := s.validate(); err != nil {
		return bad("%s", strings.TrimPrefix(err.Error(), `specs: "account": `))
	}
	return nil
}

func decode(row *database.AccountSpec) (*Spec, error) {
	var s Spec
	if err := json.Unmarshal([]byte(row.SpecJSON), &s); err != nil {
		return nil, fmt.Errorf("account spec %d: %w", row.ID, err)
	}
	if s.FrameBasis == "" {
		s.FrameBasis = FrameAccount // stored before the field
	}
	return &s, nil
}
