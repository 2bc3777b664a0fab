// Package country resolves ISO 3166-1 codes (alpha-2 or alpha-3) and the
// ICAO 9303 codes that differ from them, to one record with both codes and
// the English name.
package country

import (
	"strings"

	"github.com/biter777/countries"
)

// Country is one ISO 3166-1 country.
type Country struct {
	Alpha2 string
	Alpha3 string
	Name   string
}

// icao maps ICAO 9303 issuing-state codes that are not ISO alpha-3 (Part 3).
var icao = map[string]string{"D": "DEU", "D<<": "DEU", "GBD": "GBR", "GBN": "GBR", "GBO": "GBR", "GBP": "GBR", "GBS": "GBR", "RKS": "XKX"}

// Lookup resolves an alpha-2, alpha-3 or ICAO code, case-insensitively.
func Lookup(code string) (Country, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if c, ok := icao[code]; ok {
		code = c
	}
	if len(code) != 2 && len(code) != 3 {
		return Country{}, false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return Country{}, false
		}
	}
	c := countries.ByName(code)
	if !c.IsValid() || (c.Alpha2() != code && c.Alpha3() != code) {
		return Country{}, false
	}
	return Country{Alpha2: c.Alpha2(), Alpha3: c.Alpha3(), Name: c.String()}, true
}

// FromMRZ turns an MRZ state code into ISO alpha-2 where one exists, and
// keeps the MRZ code otherwise (UTO, XXA, UNO, …).
func FromMRZ(code string) string {
	code = strings.Trim(code, "<")
	if c, ok := Lookup(code); ok {
		return c.Alpha2
	}
	return code
}
