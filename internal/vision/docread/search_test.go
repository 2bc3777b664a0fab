package docread

import "testing"

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
