package liveness_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/livegen"
	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/liveness"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

var frameOf = regexp.MustCompile(`in frame (\d+)`)

// TestCalibrateSteps prints, on heads from portraits 300 on (which the
// evaluation does not use; VERIDOC_EVAL=1), how far the frame where each
// step was done lies from the best frame in descriptor distance: for the
// same person (a bona fide sequence) and for the next portrait's person
// doing the same steps. sameFace must separate the two.
func TestCalibrateSteps(t *testing.T) {
	if os.Getenv("VERIDOC_EVAL") == "" {
		t.Skip("runs with VERIDOC_EVAL=1")
	}
	c := checker(t)
	files := portraits(t)
	if len(files) < 400 {
		t.Skip("too few portraits")
	}
	same, other := map[string][]float64{}, map[string][]float64{}
	var sameSeqs, otherSeqs [][]float64 // each sequence's step distances
	var prev *livegen.Head
	for i, f := range files[300:] {
		h := head(t, c, f)
		if h == nil {
			continue
		}
		if prev == nil {
			prev = h
			continue
		}
		rng := rand.New(rand.NewPCG(400, uint64(i)))
		steps := challenge(rng)
		script := livegen.Script(steps, rng)
		frames := livegen.Sequence(prev.Live(script), rng)
		others := livegen.Sequence(h.Live(script), rng)
		prev = h
		r, err := c.Check(context.Background(), frames, steps)
		if err != nil {
			t.Fatal(err)
		}
		if r.Best < 0 {
			continue
		}
		best := descriptor(t, c, frames[r.Best].JPEG)
		var ss, as []float64
		for _, s := range r.Steps {
			m := frameOf.FindStringSubmatch(s.Measured)
			if !s.Passed || s.Step == liveness.Blink || m == nil {
				continue
			}
			at, _ := strconv.Atoi(m[1])
			if d := r.Frames[at-1].ToBest; d > 0 {
				same[s.Step] = append(same[s.Step], d)
				ss = append(ss, d)
			}
			if o := descriptor(t, c, others[at-1].JPEG); o != nil && best != nil {
				d := faces.Distance(*best, *o)
				other[s.Step] = append(other[s.Step], d)
				as = append(as, d)
			}
		}
		if len(ss) > 0 {
			sameSeqs = append(sameSeqs, ss)
		}
		if len(as) > 0 {
			otherSeqs = append(otherSeqs, as)
		}
	}
	for _, s := range liveness.Steps {
		if s != liveness.Blink {
			t.Logf("%-11s same person %s; another %s", s, spread(same[s], 0.99), spread(other[s], 0.01))
		}
	}
	// Per sequence: the largest and the mean of its step frames' distances.
	rules := []struct {
		name string
		ok   func([]float64) bool
	}{
		{"each under 0.55", func(d []float64) bool { return slices.Max(d) <= 0.55 }},
		{"mean under 0.55, each under 0.65", func(d []float64) bool { return meanOf(d) <= 0.55 && slices.Max(d) <= 0.65 }},
		{"mean under 0.50, each under 0.65", func(d []float64) bool { return meanOf(d) <= 0.50 && slices.Max(d) <= 0.65 }},
		{"mean under 0.45, each under 0.65", func(d []float64) bool { return meanOf(d) <= 0.45 && slices.Max(d) <= 0.65 }},
	}
	for _, rule := range rules {
		refused, accepted := 0, 0
		for _, d := range sameSeqs {
			if !rule.ok(d) {
				refused++
			}
		}
		for _, d := range otherSeqs {
			if rule.ok(d) {
				accepted++
			}
		}
		t.Logf("%-34s same person refused %d of %d, another accepted %d of %d", rule.name, refused, len(sameSeqs), accepted, len(otherSeqs))
	}
}

func meanOf(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// descriptor is the frame's one face's descriptor; nil when not one face.
func descriptor(t *testing.T, c *liveness.Checker, jpeg []byte) *[128]float32 {
	img, err := raster.Decode(context.Background(), jpeg, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Free()
	found, err := c.Faces.Find(img)
	if err != nil || len(found) != 1 {
		return nil
	}
	if err := c.Faces.Describe(img, &found[0]); err != nil {
		t.Fatal(err)
	}
	return &found[0].Descriptor
}

// spread is a sample's size, median, the quantile p and its extreme.
func spread(v []float64, p float64) string {
	if len(v) == 0 {
		return "none"
	}
	slices.Sort(v)
	q := func(p float64) float64 { return v[int(p*float64(len(v)-1))] }
	return fmt.Sprintf("n %d min %.2f median %.2f q%.0f %.2f max %.2f", len(v), v[0], q(0.5), 100*p, q(p), v[len(v)-1])
}
