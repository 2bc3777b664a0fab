package imaging

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/veridoc/veridoc/internal/dlibref"
)

// TestEvalMatch measures the impostor side of face matching on the 600
// public-domain portraits of different people in ../shared (VERIDOC_EVAL=1):
// every pair is an impostor pair. It prints the share of pairs the decision
// threshold (distance 0.6, face_match_score 50) would accept, and the
// distances at which 1 % and 0.1 % of impostors would pass.
func TestEvalMatch(t *testing.T) {
	if os.Getenv("VERIDOC_EVAL") == "" {
		t.Skip("runs with VERIDOC_EVAL=1")
	}
	files, _ := filepath.Glob("../../shared/data/faces/congress/*.jpg")
	if len(files) == 0 {
		t.Skip("no ../shared/data/faces")
	}
	e, err := NewFaceEngine("../models-data")
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
		shot, err := e.MainFace(b)
		if err != nil {
			continue
		}
		ds = append(ds, shot.Descriptor)
		img, err := decode(b, 1)
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
}

func report(t *testing.T, name string, ds [][128]float32, files int) {
	var dist []float64
	for i := range ds {
		for j := i + 1; j < len(ds); j++ {
			dist = append(dist, Distance(ds[i], ds[j]))
		}
	}
	sort.Float64s(dist)
	accepted := sort.SearchFloat64s(dist, MatchThreshold)
	t.Logf("%s: %d of %d portraits with a face; %d impostor pairs", name, len(ds), files, len(dist))
	t.Logf("accepted at distance < %.2f (score 50): %d (%.3f %%)", MatchThreshold, accepted, 100*float64(accepted)/float64(len(dist)))
	t.Logf("distance passing 1 %% of impostors: %.3f (score %d); 0.1 %%: %.3f (score %d); nearest pair %.3f",
		dist[len(dist)/100], MatchScore(dist[len(dist)/100]), dist[len(dist)/1000], MatchScore(dist[len(dist)/1000]), dist[0])
}
