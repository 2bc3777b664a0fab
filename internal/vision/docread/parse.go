package docread

import (
	"slices"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/vision/mrz"
)

// combineReadings tries the MRZ lines of several readings together: a line
// one reading got right with another's. Only the check digits and the
// composite can make such a pair win.
func combineReadings(texts []string, now time.Time) *mrz.Result {
	var rows []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, l := range mrzRows(t) {
			if !seen[l] {
				seen[l] = true
				rows = append(rows, l)
			}
		}
	}
	if len(rows) < 2 || len(rows) > 16 {
		return nil
	}
	var best *mrz.Result
	for i, a := range rows {
		for j, b := range rows {
			if i == j {
				continue
			}
			res := parseBest(a+"\n"+b, now)
			if res == nil || implausible(res) || noCheckHolds(res) {
				continue
			}
			if best == nil || len(res.FailedChecks) < len(best.FailedChecks) {
				best = res
			}
			if res.Valid() {
				return best
			}
		}
	}
	return best
}

// noCheckHolds: the number and both dates fail their check digits. A pair
// of lines from different readings must earn its place by a check.
func noCheckHolds(r *mrz.Result) bool {
	failed := func(c string) bool { return slices.Contains(r.FailedChecks, c) }
	return failed("document_number") && failed("birth_date") && failed("expiry_date")
}

// mrzBlock tells whether OCR text has two or more lines that look like an
// MRZ's: 28 characters or more of its alphabet, with a run of fillers.
func mrzBlock(text string) bool {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		l = strings.ReplaceAll(strings.TrimSpace(l), " ", "")
		if len(l) >= 28 && strings.Contains(l, "<<") && strings.Trim(l, mrzAlphabet) == "" {
			n++
		}
	}
	return n >= 2
}

// implausible tells a parse that cannot be this layout: the document number,
// the birth date and the composite all fail and the birth date is no date.
// Such text is an MRZ of another layout, not a misread one.
func implausible(r *mrz.Result) bool {
	failed := func(c string) bool { return slices.Contains(r.FailedChecks, c) }
	return r.BirthDate == "" && failed("birth_date") && failed("document_number") && (failed("composite") || r.Format == mrz.MRVA || r.Format == mrz.MRVB)
}

func median(v []int) int {
	c := slices.Clone(v)
	slices.Sort(c)
	return c[len(c)/2]
}

// formats are the MRZ shapes: lines × characters.
var formats = []struct{ lines, chars int }{{3, 30}, {2, 44}, {2, 36}}

// parseBest turns OCR text into MRZ lines and parses them. OCR often miscounts
// runs of fillers, so each line of the wrong length is also tried with its
// filler runs stretched or shrunk; only the check digits can confirm such a
// repair, and the parse with the fewest failed checks wins.
func parseBest(text string, now time.Time) *mrz.Result {
	rows := mrzRows(text)
	var best *mrz.Result
	for _, f := range formats {
		if len(rows) < f.lines {
			continue
		}
		// The MRZ is the last block of the text.
		block := rows[len(rows)-f.lines:]
		ok := true
		for _, l := range block {
			if d := len(l) - f.chars; d < -6 || d > 6 {
				ok = false
			}
		}
		if !ok {
			continue
		}
		variants := make([][]string, len(block))
		for i, l := range block {
			variants[i] = fitLength(l, f.chars)
		}
		for _, combo := range product(variants, 64) {
			res, err := mrz.Parse(strings.Join(combo, "\n"), mrz.Options{Now: now})
			if err != nil {
				continue
			}
			if best == nil || len(res.FailedChecks) < len(best.FailedChecks) {
				best = res
			}
			if res.Valid() {
				return best
			}
		}
	}
	return best
}

// mrzRows are the lines of OCR text that may be MRZ lines: the MRZ
// alphabet only, 20 characters or more.
func mrzRows(text string) []string {
	var rows []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.Map(func(r rune) rune {
			if strings.ContainsRune(mrzAlphabet, r) {
				return r
			}
			return -1
		}, strings.ToUpper(l))
		if len(l) >= 20 {
			rows = append(rows, l)
		}
	}
	return rows
}

// fitLength proposes versions of line with exactly n characters: cut or
// padded at the end, cut at the start (a mark left of the zone read as a
// character), or with one run of fillers made longer or shorter.
func fitLength(line string, n int) []string {
	if len(line) == n {
		return []string{line}
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if len(s) == n && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	d := n - len(line)
	if d > 0 {
		add(line + strings.Repeat("<", d))
	} else {
		add(line[:n])
		add(line[-d:])
	}
	for i := 0; i < len(line); {
		if line[i] != '<' {
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] == '<' {
			j++
		}
		if d > 0 {
			add(line[:j] + strings.Repeat("<", d) + line[j:])
		} else if j-i >= -d {
			add(line[:i] + line[i-d:])
		}
		i = j
	}
	return out
}

// product lists combinations of one variant per line, at most limit.
func product(variants [][]string, limit int) [][]string {
	out := [][]string{{}}
	for _, vs := range variants {
		var next [][]string
		for _, prefix := range out {
			for _, v := range vs {
				if len(next) >= limit {
					break
				}
				next = append(next, append(append([]string(nil), prefix...), v))
			}
		}
		out = next
	}
	return out
}
