package mrz

import (
	"fmt"
	"strings"
	"time"
)

// FRAID is the French national identity card of 1988–2021: two lines of 36
// that are not ICAO TD2 (the layout is the ANTS's own, and cards of this
// model stay valid for many holders).
//
//	line 1: "ID" "FRA", the surname (25), the issuing office (6)
//	line 2: the card number (12: issue year and month, department, serial),
//	        its check digit, the given names (14), the birth date and its
//	        check digit, the sex, and a check digit over both lines
//
// The MRZ holds no expiry date: it is derived from the issue month and the
// holder's age (see franceExpiry) and said so in Warnings.
const FRAID = "FRA-ID"

// isFrenchID tells whether two lines of 36 are the French card's.
func isFrenchID(lines []string) bool {
	return len(lines) == 2 && len(lines[0]) == 36 && len(lines[1]) == 36 && lines[0][:5] == "IDFRA"
}

func (p *parser) frenchID() {
	p.r.Format = FRAID
	l1 := p.lines[0]
	p.r.DocumentCode, p.r.IssuingCountry, p.r.Nationality = "ID", "FRA", "FRA"
	if l1[29] != '<' {
		p.r.Warnings = append(p.r.Warnings, "name field may be truncated")
	}
	p.r.Surname = strings.Join(splitFillers(l1[5:30]), " ")
	birth := p.field("birth_date", 1, 27, 6, true, nil)
	confirm := func(doc string) bool {
		l2 := p.lines[1]
		d, ok := CheckDigit(p.lines[0] + doc + l2[12:35])
		return ok && d == toDigit(l2[35])
	}
	doc := p.field("document_number", 1, 0, 12, false, confirm)
	l2 := p.lines[1]
	p.r.DocumentNumber = doc
	p.r.GivenNames = strings.Join(splitFillers(l2[13:27]), " ")
	p.r.BirthDate = p.date("birth_date", birth, true)
	p.sex(l2[34])
	p.composite(1, 35, p.lines[0]+l2[:35])
	p.r.ExpiryDate = franceExpiry(doc[:4], p.r.BirthDate)
	if p.r.ExpiryDate != "" {
		p.r.Warnings = append(p.r.Warnings, "expiry date derived from the issue date (the MRZ holds none)")
	}
}

// splitFillers splits a name field at its fillers ("JEAN<PAUL<<<" → JEAN, PAUL).
func splitFillers(s string) []string { return strings.FieldsFunc(s, isFiller) }

// franceExpiry is the card's end of validity: 10 years from issue, or 15
// for a card issued to an adult from 2 January 2004 on (the 2014 decree
// extended the cards issued 2004–2013 to adults and made 15 years the rule).
// issued is YYMM; "" when it is no month.
func franceExpiry(issued, birth string) string {
	t, err := time.Parse("0601", issued)
	if err != nil {
		return ""
	}
	if t.Year() > 2021 { // two-digit years: the model was issued 1988–2021
		t = t.AddDate(-100, 0, 0)
	}
	years := 10
	if b, err := time.Parse("2006-01-02", birth); err == nil && !t.Before(time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC)) &&
		!t.Before(b.AddDate(18, 0, 0)) {
		years = 15
	}
	end := t.AddDate(years, 1, -1) // the month is all the MRZ says: its last day
	return fmt.Sprintf("%04d-%02d-%02d", end.Year(), int(end.Month()), end.Day())
}
