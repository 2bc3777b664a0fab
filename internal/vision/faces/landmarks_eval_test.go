package faces

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/dlibref"
	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// TestEvalLandmarks compares the face-api 68-point net with dlib's predictor
// (internal/dlibref) on the Congress portraits in ../shared (VERIDOC_EVAL=1): for several crops
// around the HOG box it prints the chin and eye errors in px and as a share
// of the head height (taken as 2 × eye-to-chin, about crown to chin).
func TestEvalLandmarks(t *testing.T) {
	if os.Getenv("VERIDOC_EVAL") == "" {
		t.Skip("runs with VERIDOC_EVAL=1")
	}
	files, _ := filepath.Glob(filepath.Join(repo.Shared(), "data", "faces", "congress", "*.jpg"))
	if len(files) == 0 {
		t.Skip("no ../shared/data/faces")
	}
	ref, err := dlibref.New()
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	lm, err := NewLandmarker(filepath.Join(repo.Models(), LandmarkModelFile))
	if err != nil {
		t.Fatal(err)
	}
	type sample struct {
		img  *raster.Image
		face Face
	}
	var set []sample
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		img, err := raster.Decode(context.Background(), b, 1)
		if err != nil {
			t.Fatal(err)
		}
		found, err := ref.Find(img)
		if err != nil || len(found) != 1 {
			continue
		}
		set = append(set, sample{img, Face{Box: found[0].Box, Landmarks: found[0].Points[:]}})
	}
	t.Logf("%d of %d portraits with one HOG face", len(set), len(files))
	mean := func(pts []Point, idx ...int) Point {
		var p Point
		for _, i := range idx {
			p.X += pts[i].X
			p.Y += pts[i].Y
		}
		return Point{p.X / float64(len(idx)), p.Y / float64(len(idx))}
	}
	dist := func(a, b Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }
	leftEye, rightEye := []int{36, 37, 38, 39, 40, 41}, []int{42, 43, 44, 45, 46, 47}
	for _, scale := range []float64{1.2, 1.3, 1.4, 1.5} {
		for _, dy := range []float64{0, 0.05, 0.1, 0.15} {
			var chin, eyes, chinShare []float64
			var chinY float64
			for _, s := range set {
				ref := make([]Point, 68)
				for i, p := range s.face.Landmarks {
					ref[i] = Point{float64(p.X), float64(p.Y)}
				}
				b := s.face.Box
				side := scale * float64(max(b.Dx(), b.Dy()))
				cx, cy := float64(b.Min.X+b.Max.X)/2, float64(b.Min.Y+b.Max.Y)/2+dy*side
				pts, err := lm.Points(s.img, cx-side/2, cy-side/2, side)
				if err != nil {
					t.Fatal(err)
				}
				got := pts[:]
				head := 2 * (ref[8].Y - mean(ref, append(leftEye, rightEye...)...).Y)
				chin = append(chin, dist(got[8], ref[8]))
				chinY += got[8].Y - ref[8].Y
				chinShare = append(chinShare, dist(got[8], ref[8])/head)
				eyes = append(eyes, math.Max(dist(mean(got, leftEye...), mean(ref, leftEye...)), dist(mean(got, rightEye...), mean(ref, rightEye...))))
			}
			stat := func(v []float64) (float64, float64, float64) {
				sort.Float64s(v)
				var s float64
				for _, x := range v {
					s += x
				}
				return s / float64(len(v)), v[len(v)*95/100], v[len(v)-1]
			}
			cm, c95, cmax := stat(chin)
			sm, s95, smax := stat(chinShare)
			em, e95, emax := stat(eyes)
			fmt.Printf("crop %.1f× box, centre +%.2f side: chin mean %.1f px (p95 %.1f, max %.1f; bias y %+.1f), share of head mean %.2f%% p95 %.2f%% max %.2f%%; eyes mean %.1f p95 %.1f max %.1f px\n",
				scale, dy, cm, c95, cmax, chinY/float64(len(set)), 100*sm, 100*s95, 100*smax, em, e95, emax)
		}
	}
}
