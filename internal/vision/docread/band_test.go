package docread

import (
	"image"
	"slices"
	"testing"
)

// TestTextColumns: the band OCR reads is narrowed to the MRZ's own columns;
// a document edge or a field beside it stays out.
func TestTextColumns(t *testing.T) {
	const w, h, lineH = 200, 20, 8
	reg := image.Rect(0, 0, w, h)
	cases := []struct {
		name string
		runs [][2]int // inked columns [from, to)
		want image.Rectangle
	}{
		{"one run", [][2]int{{50, 150}}, image.Rect(42, 0, 158, h)},
		{"edges far from the text", [][2]int{{2, 4}, {40, 150}, {190, 193}}, image.Rect(32, 0, 158, h)},
		{"gaps under two line heights join", [][2]int{{40, 90}, {100, 150}}, image.Rect(32, 0, 158, h)},
		{"the widest run wins", [][2]int{{10, 40}, {80, 180}}, image.Rect(72, 0, 188, h)},
		{"nothing inked", nil, reg},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ink := make([]bool, w*h)
			for _, r := range tc.runs {
				for y := 0; y < h; y++ {
					for x := r[0]; x < r[1]; x++ {
						ink[y*w+x] = true
					}
				}
			}
			if got := textColumns(ink, w, reg, lineH); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFitLength(t *testing.T) {
	cases := []struct {
		line string
		n    int
		want string // one of the proposals
	}{
		{"P<UTOERIKSSON<<ANNA<<<", 22, "P<UTOERIKSSON<<ANNA<<<"},
		{"P<UTOERIKSSON<<ANNA<<<", 24, "P<UTOERIKSSON<<ANNA<<<<<"},
		{"P<UTOERIKSSON<<ANNA<<<", 23, "P<UTOERIKSSON<<<ANNA<<<"},
		{"CP<UTOERIKSSON<<ANNA<<<", 22, "P<UTOERIKSSON<<ANNA<<<"}, // a mark at the left
		{"P<UTOERIKSSON<<ANNA<<<X", 22, "P<UTOERIKSSON<<ANNA<<<"},
		{"P<UTOERIKSSON<<<ANNA<<<", 22, "P<UTOERIKSSON<<ANNA<<<"},
	}
	for _, c := range cases {
		if got := fitLength(c.line, c.n); !slices.Contains(got, c.want) {
			t.Errorf("fitLength(%q, %d) = %q, want %q among them", c.line, c.n, got, c.want)
		}
	}
}
