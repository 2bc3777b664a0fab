package docread

import (
	"image"
	"testing"
)

// TestFillersFrom: the English model's K's become fillers only where the
// MRZ model read fillers in the same place of the same row.
func TestFillersFrom(t *testing.T) {
	const l2 = "6509181M2911087UTO<<<<<<<<<<<6"
	cases := []struct {
		name, eng, mrz, want string
	}{
		{"K for fillers", "IDUTO3WS0YSTIZ5A6WWA<<<<<<<K<K<<\n" + l2, "IDUTO3WSOYSTIZ5A6WWA<<<<<<<<<<<\n" + l2,
			"IDUTO3WS0YSTIZ5A6WWA<<<<<<<<<<<<\n" + l2},
		{"a K the MRZ model read as a letter", "P<UTOKARLSSON<<KIM<<<<<<<<<<<<<<<<<<<<<<<<<<", "P<UTOKARLSSON<<KIM<<<<<<<<<<<<<<<<<<<<<<<<<<",
			"P<UTOKARLSSON<<KIM<<<<<<<<<<<<<<<<<<<<<<<<<<"},
		{"a K where the MRZ model has no row", "IDUTO3WS0YSTIZ5A6WWA<<<<<<<K<K<<\n" + l2, l2, "IDUTO3WS0YSTIZ5A6WWA<<<<<<<K<K<<\n" + l2},
		{"no MRZ model reading", "IDUTO3WS0YSTIZ5A6WWA<<<<<<<K<K<<", "", "IDUTO3WS0YSTIZ5A6WWA<<<<<<<K<K<<"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := fillersFrom(c.eng, c.mrz); got != c.want {
				t.Fatalf("%q", got)
			}
		})
	}
}

// TestPaperOutside: beyond the document (its MRZ's width with a margin, and
// three quarters of that above it) the zone takes the paper's colour; the
// page itself is left as it is.
func TestPaperOutside(t *testing.T) {
	page := image.NewGray(image.Rect(0, 0, 200, 120))
	for i := range page.Pix {
		page.Pix[i] = 20 // the table
	}
	// The document: x 30–170, y from 20 (the MRZ 40–160 in the small copy's
	// pixels, k = 1), with a line of print.
	for y := 20; y < 120; y++ {
		for x := 30; x < 170; x++ {
			page.Pix[y*page.Stride+x] = 150
			if y == 60 && x > 50 && x < 90 {
				page.Pix[y*page.Stride+x] = 40
			}
		}
	}
	paperOutside(page, image.Rect(40, 120, 160, 140), 1)
	for _, c := range []struct {
		x, y int
		want uint8
	}{{5, 60, 150}, {195, 60, 150}, {100, 5, 150}, {60, 60, 40}, {100, 100, 150}, {31, 100, 150}} {
		if got := page.GrayAt(c.x, c.y).Y; got != c.want {
			t.Errorf("(%d, %d) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
}
