// Package billing holds the pay-as-you-go rules: money in integer cents shown
// as decimal strings, and the tier table that sets the price of a photo from
// an account's lifetime deposits.
package billing

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Cents is an amount of US dollars in cents. No floats anywhere.
type Cents int64

// Currency of every amount (ISO 4217).
const Currency = "USD"

// MaxAmount bounds a single deposit: $1,000,000.00.
const MaxAmount Cents = 100_000_000

// String formats as the API shows decimals: "25.50", "-0.40".
func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// ParseUSD reads a positive amount like "100", "100.5" or "100.00".
func ParseUSD(s string) (Cents, error) {
	s = strings.TrimSpace(s)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || (hasFrac && frac == "") || strings.ContainsAny(whole, "+-") {
		return 0, fmt.Errorf("%q is not an amount like \"100.00\"", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > int64(MaxAmount/100) {
		return 0, fmt.Errorf("%q is not an amount like \"100.00\" up to %s", s, MaxAmount)
	}
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil || strings.ContainsAny(frac, "+-") {
			return 0, fmt.Errorf("%q is not an amount like \"100.00\"", s)
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	c := Cents(w*100 + f)
	if c <= 0 || c > MaxAmount {
		return 0, fmt.Errorf("%q must be more than 0.00 and at most %s", s, MaxAmount)
	}
	return c, nil
}

// Tier is a price level reached by lifetime deposits.
type Tier struct {
	Name       string
	MinDeposit Cents // lifetime deposits needed
	Rate       Cents // price of one successful photo
}

// Tiers is a tier table sorted by MinDeposit.
type Tiers []Tier

// DefaultTiers are the prices when VERIDOC_BILLING_TIERS sets none.
var DefaultTiers = Tiers{
	{Name: "Base", MinDeposit: 0, Rate: 50},
	{Name: "Starter", MinDeposit: 10_000, Rate: 40},
	{Name: "Professional", MinDeposit: 25_000, Rate: 30},
	{Name: "Enterprise", MinDeposit: 50_000, Rate: 20},
}

// For returns the tier of an account with these lifetime deposits.
func (t Tiers) For(lifetime Cents) Tier {
	best := t[0]
	for _, tier := range t {
		if lifetime >= tier.MinDeposit {
			best = tier
		}
	}
	return best
}

// ParseTiers reads "Base:0:0.50,Starter:100:0.40,…" (name:min deposit USD:rate USD);
// an empty string is DefaultTiers.
func ParseTiers(s string) (Tiers, error) {
	if s == "" {
		return DefaultTiers, nil
	}
	var out Tiers
	for _, part := range strings.Split(s, ",") {
		f := strings.Split(strings.TrimSpace(part), ":")
		if len(f) != 3 || f[0] == "" {
			return nil, fmt.Errorf("tier %q: want name:min_deposit:rate", part)
		}
		var min Cents
		if f[1] != "0" {
			var err error
			if min, err = ParseUSD(f[1]); err != nil {
				return nil, fmt.Errorf("tier %q: %v", part, err)
			}
		}
		rate, err := ParseUSD(f[2])
		if err != nil {
			return nil, fmt.Errorf("tier %q: %v", part, err)
		}
		out = append(out, Tier{Name: f[0], MinDeposit: min, Rate: rate})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MinDeposit < out[j].MinDeposit })
	if len(out) == 0 || out[0].MinDeposit != 0 {
		return nil, errors.New("tiers: one tier must start at 0")
	}
	return out, nil
}
