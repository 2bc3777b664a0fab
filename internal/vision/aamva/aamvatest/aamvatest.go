// Package aamvatest writes AAMVA DL/ID barcode text for tests, laid out as
// the standard says (header, subfile directory with offsets, subfiles).
package aamvatest

import (
	"fmt"
	"strings"
)

// Element is one data element.
type Element struct{ ID, Value string }

// Card is the content of one barcode.
type Card struct {
	IIN                 string
	Version             int // 1–10
	JurisdictionVersion int
	Subfile             string // DL or ID
	Elements            []Element
	// Jurisdiction is an optional second subfile ("ZV" + its elements).
	Jurisdiction string
	Extra        []Element
}

// Build writes the barcode text.
func Build(c Card) string {
	body := func(typ string, els []Element) string {
		var b strings.Builder
		b.WriteString(typ)
		for i, e := range els {
			b.WriteString(e.ID + e.Value)
			if i < len(els)-1 {
				b.WriteByte('\n')
			}
		}
		b.WriteByte('\r')
		return b.String()
	}
	subs := []struct{ typ, text string }{{c.Subfile, body(c.Subfile, c.Elements)}}
	if c.Jurisdiction != "" {
		subs = append(subs, struct{ typ, text string }{c.Jurisdiction, body(c.Jurisdiction, c.Extra)})
	}
	head := fmt.Sprintf("@\n\x1e\rANSI %s%02d", c.IIN, c.Version)
	if c.Version >= 2 {
		head += fmt.Sprintf("%02d", c.JurisdictionVersion)
	}
	head += fmt.Sprintf("%02d", len(subs))
	off := len(head) + 10*len(subs)
	var dir, data strings.Builder
	for _, s := range subs {
		fmt.Fprintf(&dir, "%s%04d%04d", s.typ, off, len(s.text))
		data.WriteString(s.text)
		off += len(s.text)
	}
	return head + dir.String() + data.String()
}
