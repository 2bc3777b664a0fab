package idphoto

import "testing"

func TestJPEGScale(t *testing.T) {
	cases := []struct {
		ratio float64
		want  int // eighths
	}{
		{0.5, 8}, {1, 8}, {1.1, 8}, {1.6, 5}, {2, 4}, {2.93, 3}, {4, 2}, {7.9, 2}, {8, 1}, {100, 1},
	}
	for _, c := range cases {
		if got := jpegScale(c.ratio); got != c.want {
			t.Errorf("jpegScale(%g) = %d/8, want %d/8", c.ratio, got, c.want)
		}
	}
}
