package faces

import (
	"context"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// TestSpooferParity runs the converted nets on the reference
// implementation's three samples (../shared/data/liveness): with the face
// box the reference drew (read off its _result images, to a pixel or two)
// they must give its answer and its score to ±0.03; with the box our own
// detector finds, its answer.
func TestSpooferParity(t *testing.T) {
	dir := filepath.Join(repo.Shared(), "data", "liveness")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no ../shared/data/liveness")
	}
	s, err := NewSpoofer(repo.Models(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := NewFaceEngine(repo.Models())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cases := []struct {
		file  string
		box   image.Rectangle // the reference's, in the upright image
		live  bool
		score float64 // the reference's score for its answer
	}{
		{"image_F1.jpg", image.Rect(178, 136, 401, 361), false, 0.73},
		{"image_F2.jpg", image.Rect(120, 252, 373, 508), false, 0.82},
		{"image_T1.jpg", image.Rect(106, 147, 314, 360), true, 0.99},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			img, err := raster.Decode(context.Background(), b, 1)
			if err != nil {
				t.Fatal(err)
			}
			if img.W != 480 || img.H != 640 {
				t.Fatalf("decoded %dx%d, want 480x640 (EXIF orientation applied)", img.W, img.H)
			}
			p, err := s.Score(img, tc.box)
			if err != nil {
				t.Fatal(err)
			}
			// The reference answers the class with the highest share and
			// prints that share.
			best := 0
			for c := range p {
				if p[c] > p[best] {
					best = c
				}
			}
			t.Logf("reference box: %.3f", p)
			if (best == 1) != tc.live || math.Abs(p[best]-tc.score) > 0.03 {
				t.Errorf("reference box: classes %.3f, want the reference's live=%v with score %.2f", p, tc.live, tc.score)
			}
			found, err := e.Find(img)
			if err != nil || len(found) != 1 {
				t.Fatalf("our detector: %d faces, %v", len(found), err)
			}
			ps, err := s.Score(img, found[0].Box)
			if err != nil {
				t.Fatal(err)
			}
			own := ps.Live()
			t.Logf("our box %v: live %.3f", found[0].Box, own)
			if (own > 0.5) != tc.live {
				t.Errorf("our box %v: live probability %.3f, want live=%v", found[0].Box, own, tc.live)
			}
		})
	}
}
