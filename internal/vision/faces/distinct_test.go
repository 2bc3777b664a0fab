package faces

import (
	"image"
	"slices"
	"testing"
)

// TestDistinct: a box more than half inside a larger (or an equal, earlier)
// one is the same face found twice; faces side by side, or touching, stay.
func TestDistinct(t *testing.T) {
	face := image.Rect(112, 31, 216, 136)
	cases := []struct {
		name  string
		boxes []image.Rectangle
		want  []image.Rectangle
	}{
		{"one", []image.Rectangle{face}, []image.Rectangle{face}},
		// Seen on a generated head raised 24°: its lower half found again.
		{"the lower half found again", []image.Rectangle{face, image.Rect(122, 83, 209, 171)}, []image.Rectangle{face}},
		{"the smaller first", []image.Rectangle{image.Rect(122, 83, 209, 171), face}, []image.Rectangle{face}},
		{"two people side by side", []image.Rectangle{face, image.Rect(230, 40, 330, 140)}, []image.Rectangle{face, image.Rect(230, 40, 330, 140)}},
		{"a face half behind another, less than half hidden", []image.Rectangle{face, image.Rect(180, 40, 280, 140)}, []image.Rectangle{face, image.Rect(180, 40, 280, 140)}},
		{"two equal boxes mostly overlapping: the first stays", []image.Rectangle{face, face.Add(image.Pt(20, 0))}, []image.Rectangle{face}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := distinct(c.boxes); !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}
