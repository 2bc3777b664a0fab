package liveness_test

import (
	"context"
	"fmt"
	"image"
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

// calibration is a calibration test's checker and portraits: it runs with
// VERIDOC_EVAL=1 and needs portraits up to index need (the evaluation uses
// the first ones, the calibrations 300 on).
func calibration(t *testing.T, need int) (*liveness.Checker, []string) {
	if os.Getenv("VERIDOC_EVAL") == "" {
		t.Skip("runs with VERIDOC_EVAL=1")
	}
	files := portraits(t)
	if len(files) < need {
		t.Skip("too few portraits")
	}
	return checker(t), files
}

var frameOf = regexp.MustCompile(`in frame (\d+)`)

// TestCalibrateSteps prints, on heads from portraits 300 on (which the
// evaluation does not use; VERIDOC_EVAL=1), how far the frame where each
// step was done lies from the best frame in descriptor distance: for the
// same person (a bona fide sequence) and for the next portrait's person
// doing the same steps. sameFace must separate the two.
func TestCalibrateSteps(t *testing.T) {
	c, files := calibration(t, 400)
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
		{"mean under 0.55, each under 0.65", func(d []float64) bool { return mean(d) <= 0.55 && slices.Max(d) <= 0.65 }},
		{"mean under 0.50, each under 0.65", func(d []float64) bool { return mean(d) <= 0.50 && slices.Max(d) <= 0.65 }},
		{"mean under 0.45, each under 0.65", func(d []float64) bool { return mean(d) <= 0.45 && slices.Max(d) <= 0.65 }},
		{"as shipped (one frame: under 0.55)", liveness.StepsAgree},
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

// descriptor is the frame's one face's descriptor; nil when not one face.
func descriptor(t *testing.T, c *liveness.Checker, jpeg []byte) *[128]float32 {
	var out *[128]float32
	oneFace(t, c, jpeg, func(img *raster.Image, f faces.Face) {
		if err := c.Faces.Describe(img, &f); err != nil {
			t.Fatal(err)
		}
		out = &f.Descriptor
	})
	return out
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

// TestCalibratePose prints (VERIDOC_EVAL=1) how far the measured yaw and
// pitch move when heads from portraits 300 on turn and look up by the
// least the evaluation's script draws (22° and 16°), and when a print of
// the same portrait is turned and tilted as far: turnDeg and lookUpDeg sit
// between the two.
func TestCalibratePose(t *testing.T) {
	c, files := calibration(t, 450)
	rng := rand.New(rand.NewPCG(600, 1))
	poses := []livegen.Pose{{Scale: 1}, {Scale: 1}, {Scale: 1}, {Scale: 1, Yaw: 22}, {Scale: 1, Yaw: -22}, {Scale: 1, Pitch: 16}}
	live, flat := map[string][]float64{}, map[string][]float64{}
	for _, f := range files[300:450] {
		h := head(t, c, f)
		if h == nil {
			continue
		}
		for _, set := range []struct {
			into map[string][]float64
			imgs []*image.RGBA
		}{{live, h.Live(poses)}, {flat, h.Print(poses, 0.15)}} {
			r, err := c.Check(context.Background(), livegen.Sequence(append(set.imgs, set.imgs[:2]...), rng), nil)
			if err != nil {
				t.Fatal(err)
			}
			fm := r.Frames
			if !fm[0].Face || !fm[1].Face || !fm[2].Face {
				continue
			}
			yaw0 := median3(fm[0].YawDeg, fm[1].YawDeg, fm[2].YawDeg)
			pitch0 := median3(fm[0].PitchDeg, fm[1].PitchDeg, fm[2].PitchDeg)
			if fm[3].Face {
				set.into["turn_left"] = append(set.into["turn_left"], fm[3].YawDeg-yaw0)
			}
			if fm[4].Face {
				set.into["turn_right"] = append(set.into["turn_right"], yaw0-fm[4].YawDeg)
			}
			if fm[5].Face {
				set.into["look_up"] = append(set.into["look_up"], fm[5].PitchDeg-pitch0)
			}
		}
	}
	for _, s := range []string{"turn_left", "turn_right", "look_up"} {
		t.Logf("%-10s live %s; print %s", s, spread(live[s], 0.01), spread(flat[s], 0.99))
	}
}

func median3(a, b, c float64) float64 {
	v := []float64{a, b, c}
	slices.Sort(v)
	return v[1]
}

// TestCalibrateReplay prints, on heads from portraits 300 on (which the
// evaluation does not use; VERIDOC_EVAL=1), how far each frame of a copy of
// a bona fide sequence (livegen.Copy: re-encoded, resized, brighter or
// darker) lies from its original, and how far each frame of a second take
// by the same head (the same steps, so the same poses but for a person's
// unsteadiness) lies from the nearest frame of the first; and the share of
// twins Replayed finds in each. twinApart must separate the frames, and
// replayShare the sequences.
func TestCalibrateReplay(t *testing.T) {
	c, files := calibration(t, 400)
	var copies, takes []float64
	var copyShares, takeShares, brightShares []float64
	for i, f := range files[300:400] {
		h := head(t, c, f)
		if h == nil {
			continue
		}
		rng := rand.New(rand.NewPCG(301, uint64(i)))
		steps := challenge(rng)
		first := livegen.Sequence(h.Live(livegen.Script(steps, rng)), rng)
		second := livegen.Sequence(h.Live(livegen.Script(steps, rng)), rng)
		copied, err := livegen.Copy(first, rng)
		if err != nil {
			t.Fatal(err)
		}
		brighter, err := livegen.Edited(first, 1, 1.1, 10, 90)
		if err != nil {
			t.Fatal(err)
		}
		a, b, cp, br := likenesses(t, first), likenesses(t, second), likenesses(t, copied), likenesses(t, brighter)
		for j := range a {
			copies = append(copies, cp[j].Apart(a[j]))
			near := 2.0
			for _, l := range a {
				near = min(near, b[j].Apart(l))
			}
			takes = append(takes, near)
		}
		share := func(r liveness.Replay) float64 { return float64(r.Twins) / float64(r.Of) }
		copyShares = append(copyShares, share(liveness.Replayed(cp, a)))
		brightShares = append(brightShares, share(liveness.Replayed(br, a)))
		takeShares = append(takeShares, share(liveness.Replayed(b, a)))
	}
	slices.Sort(copies)
	slices.Sort(takes)
	slices.Sort(copyShares)
	slices.Sort(takeShares)
	slices.Sort(brightShares)
	q := func(v []float64, p float64) float64 { return v[int(p*float64(len(v)-1))] }
	t.Logf("a copy's frame from its original (%d frames): median %.4f, 99th percentile %.4f, most %.4f", len(copies), q(copies, 0.5), q(copies, 0.99), copies[len(copies)-1])
	t.Logf("a second take's frame from the first's nearest (%d frames): least %.4f, 1st percentile %.4f, 5th %.4f, median %.4f",
		len(takes), takes[0], q(takes, 0.01), q(takes, 0.05), q(takes, 0.5))
	t.Logf("twins found in copies (%d): least %.2f; in second takes: most %.2f, median %.2f",
		len(copyShares), copyShares[0], takeShares[len(takeShares)-1], takeShares[len(takeShares)/2])
	caught := 0
	for _, s := range brightShares {
		if s >= 2.0/3 {
			caught++
		}
	}
	t.Logf("copies brightened (×1.1 +10, clipped): twins least %.2f, median %.2f; %d of %d found", brightShares[0], brightShares[len(brightShares)/2], caught, len(brightShares))
}

// likenesses measures each frame's likeness; every frame must have one.
func likenesses(t testing.TB, frames []liveness.Frame) []liveness.Likeness {
	t.Helper()
	var out []liveness.Likeness
	for _, f := range frames {
		l, err := liveness.LikenessOf(context.Background(), f.JPEG)
		if err != nil || l == nil {
			t.Fatalf("likeness: %v", err)
		}
		out = append(out, l)
	}
	return out
}
