package faces

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/dlibref"
	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// TestEvalMatch measures face matching (VERIDOC_EVAL=1). Impostors: the 600
// public-domain portraits of different people in ../shared, every pair. Genuine
// pairs: the distinct same-person photos in idphoto's testdata/portraits. It prints the
// share of impostor pairs the decision threshold (face_match_score 50) accepts,
// the distances at which 1 % and 0.1 % of impostors pass, and the genuine
// pairs accepted at each; it fails when the threshold accepts more than 1 %
// of impostors or rejects a genuine pair.
func TestEvalMatch(t *testing.T) {
	if os.Getenv("VERIDOC_EVAL") == "" {
		t.Skip("runs with VERIDOC_EVAL=1")
	}
	files, _ := filepath.Glob(filepath.Join(repo.Shared(), "data", "faces", "congress", "*.jpg"))
	if len(files) == 0 {
		t.Skip("no ../shared/data/faces")
	}
	e, err := NewFaceEngine(repo.Models())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ref, err := dlibref.New()
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	// The product's descriptors (aligned on the face-api landmarks), and for
	// comparison the same net aligned on dlib's predictor, as go-face did.
	var ds, dlibAligned [][128]float32
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		shot, err := e.MainFace(context.Background(), b)
		if err != nil {
			continue
		}
		ds = append(ds, shot.Descriptor)
		img, err := raster.Decode(context.Background(), b, 1)
		if err != nil {
			t.Fatal(err)
		}
		if found, err := ref.Find(img); err == nil && len(found) == 1 {
			fc := Face{Box: found[0].Box, Landmarks: found[0].Points[:]}
			if err := describe(e.descr, img, &fc); err == nil {
				dlibAligned = append(dlibAligned, fc.Descriptor)
			}
		}
	}
	report(t, "face-api landmarks (the product)", ds, len(files))
	report(t, "dlib's predictor (go-face before)", dlibAligned, len(files))
	genuine := genuineDistances(t, e)
	impostor := pairDistances(ds)
	t.Logf("genuine pairs: %d (two people, distinct photos; testdata/portraits/README.md), distances %.3f", len(genuine), genuine)
	for _, far := range []float64{0.01, 0.001} {
		th := impostor[int(far*float64(len(impostor)))]
		t.Logf("at FAR %.1f %% (distance < %.3f, score %d): TAR %d of %d", 100*far, th, MatchScore(th), countBelow(genuine, th), len(genuine))
	}
	for _, th := range []float64{0.50, 0.52, 0.55, 0.58, 0.60} {
		mark := ""
		if th == MatchThreshold {
			mark = "  <- MatchThreshold (score 50)"
		}
		t.Logf("distance < %.2f: FAR %.3f %% (%d of %d), TAR %d of %d%s", th, 100*float64(countBelow(impostor, th))/float64(len(impostor)),
			countBelow(impostor, th), len(impostor), countBelow(genuine, th), len(genuine), mark)
	}
	if n := len(genuine) - countBelow(genuine, MatchThreshold); n > 0 {
		t.Errorf("%d genuine pairs rejected at the decision threshold %.2f", n, MatchThreshold)
	}
	if far := float64(countBelow(impostor, MatchThreshold)) / float64(len(impostor)); far > 0.01 {
		t.Errorf("the decision threshold %.2f accepts %.2f %% of impostor pairs (goal at most 1 %%)", MatchThreshold, 100*far)
	}
}

// genuinePhotos are distinct photographs of one person each (not edits of
// one photo, which would overstate the match rate): all the public-domain
// same-person photos this repository holds.
var genuinePhotos = map[string][]string{
	"obama": {"obama.jpg", "obama-oval.jpg", "obama-press.jpg"},
	"biden": {"biden-tight.jpg", "biden-full.jpg"},
}

// genuineDistances is every same-person pair's descriptor distance, sorted.
func genuineDistances(t *testing.T, e *FaceEngine) []float64 {
	var out []float64
	for _, who := range []string{"obama", "biden"} {
		var ds [][128]float32
		for _, f := range genuinePhotos[who] {
			b, err := os.ReadFile(repo.Path("internal", "vision", "idphoto", "testdata", "portraits", f))
			if err != nil {
				t.Fatal(err)
			}
			shot, err := e.MainFace(context.Background(), b)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			ds = append(ds, shot.Descriptor)
		}
		out = append(out, pairDistances(ds)...)
	}
	sort.Float64s(out)
	return out
}

// pairDistances is the distance of every pair in ds, sorted.
func pairDistances(ds [][128]float32) []float64 {
	var dist []float64
	for i := range ds {
		for j := i + 1; j < len(ds); j++ {
			dist = append(dist, Distance(ds[i], ds[j]))
		}
	}
	sort.Float64s(dist)
	return dist
}

// countBelow counts the sorted distances under th.
func countBelow(sorted []float64, th float64) int { return sort.SearchFloat64s(sorted, th) }

func report(t *testing.T, name string, ds [][128]float32, files int) {
	dist := pairDistances(ds)
	accepted := countBelow(dist, MatchThreshold)
	t.Logf("%s: %d of %d portraits with a face; %d impostor pairs", name, len(ds), files, len(dist))
	t.Logf("accepted at distance < %.2f (score 50): %d (%.3f %%)", MatchThreshold, accepted, 100*float64(accepted)/float64(len(dist)))
	t.Logf("distance passing 1 %% of impostors: %.3f (score %d); 0.1 %%: %.3f (score %d); nearest pair %.3f",
		dist[len(dist)/100], MatchScore(dist[len(dist)/100]), dist[len(dist)/1000], MatchScore(dist[len(dist)/1000]), dist[0])
}
