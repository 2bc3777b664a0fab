package liveness_test

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/testsupport/livegen"
	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/vision/liveness"
)

// TestEvalLiveness measures the checks on generated sequences
// (VERIDOC_EVAL=1; VERIDOC_LIVENESS_HEADS portraits, 150 by default): bona
// fide heads doing a random challenge, and per attack type the share the
// active check accepts (APCER, ISO/IEC 30107-3) and the passive nets'
// scores: the portrait as a print moved and bent to follow the steps, the
// live sequence on a screen (following this challenge, as a puppet or a
// deepfake would), a frozen frame, two people (half each), another person
// doing the steps between frames of the first, the bona fide frames copied
// (re-encoded, resized) and sent for a new challenge, the screen's film
// (a recording of that session) for a new challenge; and the same head
// doing a second challenge, which must not be taken for a copy. BPCER is
// the share of bona fide sequences refused. It writes the table to
// test-output/eval-liveness.txt and fails below the targets (attacks
// refused ≥ 99 % but the two on a screen: a screen following the
// challenge is for the passive nets to catch, a recording of another
// challenge passes when the two challenges drew the same steps in the same
// order, 1 in 60; bona fide accepted ≥ 97 %).
func TestEvalLiveness(t *testing.T) {
	if os.Getenv("VERIDOC_EVAL") == "" {
		t.Skip("runs with VERIDOC_EVAL=1")
	}
	n := 150
	if v, err := strconv.Atoi(os.Getenv("VERIDOC_LIVENESS_HEADS")); err == nil && v > 0 {
		n = v
	}
	c := checker(t)
	files := portraits(t)
	type tally struct {
		runs, accepted int
		scores         []float64
		reasons        map[string]int
	}
	kinds := []string{"bona fide", "print", "screen", "frozen", "two people", "steps by another"}
	// Three sets come from a session before: the bona fide frames copied
	// (re-encoded, resized) and sent for a new challenge, the screen set's
	// film (a recording of the bona fide session played to the camera) for
	// a new challenge, and the same head doing a new challenge. Each is
	// also compared with the first session's frames, as the worker
	// compares a sequence with the sessions of the nearest faces
	// (liveness.Replayed).
	later := []string{"copied from another session", "a recording on a screen", "bona fide, second session"}
	sets := append(slices.Clone(kinds), later...)
	res := map[string]*tally{}
	copiesByStepsAlone := 0   // copies the steps would have let through without the comparison
	found := map[string]int{} // sequences the comparison took for copies, per set
	for _, k := range sets {
		res[k] = &tally{reasons: map[string]int{}}
	}
	var took time.Duration
	checks := 0
	var heads []*livegen.Head
	for _, f := range files {
		if len(heads) == n+1 {
			break
		}
		if h := head(t, c, f); h != nil {
			heads = append(heads, h)
		}
	}
	for i := 0; i+1 < len(heads); i++ {
		// Each head draws its challenge and script from a generator of its
		// own, and each set its noise from another: adding a set or a head
		// leaves every other set's frames as they were, so runs compare.
		h, other := heads[i], heads[i+1]
		rng := rand.New(rand.NewPCG(2026, uint64(i)))
		steps := challenge(rng)
		script := livegen.Script(steps, rng)
		live := h.Live(script)
		seqs := map[string][]*image.RGBA{
			"bona fide":        live,
			"print":            h.Print(script, rng.Float64()*0.3),
			"screen":           livegen.Screen(live, rand.New(rand.NewPCG(2027, uint64(i)))),
			"frozen":           livegen.Frozen(live[0], len(live)),
			"two people":       append(append([]*image.RGBA{}, live[:len(live)/2]...), other.Live(script)[len(live)/2:]...),
			"steps by another": livegen.StepsBy(live, other.Live(script)),
		}
		var first *liveness.Result
		var firstFrames []liveness.Frame
		for ki, k := range sets {
			noise := rand.New(rand.NewPCG(3000+uint64(ki), uint64(i)))
			var frames []liveness.Frame
			want := steps
			switch k {
			case "copied from another session":
				var err error
				if frames, err = livegen.Copy(firstFrames, noise); err != nil {
					t.Fatal(err)
				}
				want = challenge(rand.New(rand.NewPCG(2028, uint64(i))))
			case "a recording on a screen":
				frames = livegen.Sequence(seqs["screen"], noise)
				want = challenge(rand.New(rand.NewPCG(2028, uint64(i))))
			case "bona fide, second session":
				again := rand.New(rand.NewPCG(2029, uint64(i)))
				want = challenge(again)
				frames = livegen.Sequence(h.Live(livegen.Script(want, again)), noise)
			default:
				frames = livegen.Sequence(seqs[k], noise)
			}
			start := time.Now()
			r, err := c.Check(context.Background(), frames, want)
			took += time.Since(start)
			checks++
			if err != nil {
				t.Fatal(err)
			}
			if k == "bona fide" {
				first, firstFrames = r, frames
			}
			if slices.Contains(later, k) {
				rep := liveness.Replayed(r.Likenesses, first.Likenesses)
				if k == "copied from another session" && len(r.Problems) == 0 {
					copiesByStepsAlone++
				}
				if rep.Is() {
					found[k]++
					r.Problems = append(r.Problems, "copies of the first session's frames: "+rep.String())
				}
			}
			tl := res[k]
			tl.runs++
			if len(r.Problems) == 0 {
				tl.accepted++
			} else {
				tl.reasons[firstWords(r.Problems[0])]++
				if strings.HasPrefix(k, "bona fide") {
					t.Logf("%s %d refused: %v; eyes %v", k, i, r.Problems, eyesOf(r.Frames))
				}
			}
			if r.Score >= 0 {
				tl.scores = append(tl.scores, r.Score)
			}
		}
	}
	var out string
	out += fmt.Sprintf("liveness on generated sequences: %d heads from ../shared/data/faces, 15 frames of 640×480 each, %.0f ms a check (mean of %d, this machine)\n\n", res["bona fide"].runs, float64(took.Milliseconds())/float64(checks), checks)
	out += fmt.Sprintf("%-27s %5s %9s %16s %14s %14s  %s\n", "set", "runs", "accepted", "rate", "passive mean", "passive < 0.5", "first reasons refused")
	for _, k := range sets {
		tl := res[k]
		rate := float64(tl.accepted) / float64(max(tl.runs, 1))
		label := "APCER"
		if strings.HasPrefix(k, "bona fide") {
			label, rate = "BPCER", 1-rate
		}
		flagged := 0
		for _, sc := range tl.scores {
			if sc < liveness.PassiveThreshold {
				flagged++
			}
		}
		out += fmt.Sprintf("%-27s %5d %9d %6s %8.1f %%  %14.3f %12.0f %%  %v\n", k, tl.runs, tl.accepted, label, 100*rate, mean(tl.scores),
			100*float64(flagged)/float64(max(len(tl.scores), 1)), tl.reasons)
	}
	out += fmt.Sprintf("\ncopies whose steps matched the new challenge (the comparison with the first session's frames aside): %d of %d\n",
		copiesByStepsAlone, res["copied from another session"].runs)
	out += fmt.Sprintf("taken for copies of the first session's frames: copies %d of %d, second sessions %d of %d\n",
		found["copied from another session"], res["copied from another session"].runs, found["bona fide, second session"], res["bona fide, second session"].runs)
	t.Log("\n" + out)
	dir := repo.Path("test-output")
	_ = os.MkdirAll(dir, 0o755)
	_ = os.WriteFile(filepath.Join(dir, "eval-liveness.txt"), []byte(out), 0o644)
	for _, k := range []string{"bona fide", "bona fide, second session"} {
		if b := res[k]; float64(b.accepted) < 0.97*float64(b.runs) {
			t.Errorf("%s accepted %d of %d, under 97 %%", k, b.accepted, b.runs)
		}
	}
	for _, k := range []string{"print", "frozen", "two people", "steps by another", "copied from another session"} {
		if a := res[k]; float64(a.accepted) > 0.01*float64(a.runs) {
			t.Errorf("%s accepted %d of %d, over 1 %%", k, a.accepted, a.runs)
		}
	}
}

// challenge draws 3 steps as liveness.NewChallenge does, from rng, so that
// a run of the evaluation is repeatable.
func challenge(rng *rand.Rand) []string {
	steps := slices.Clone(liveness.Steps)
	rng.Shuffle(len(steps), func(i, j int) { steps[i], steps[j] = steps[j], steps[i] })
	return steps[:3]
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return -1
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// firstWords names a problem without its numbers.
func firstWords(p string) string {
	words := 0
	for i, r := range p {
		if r == ' ' {
			if words++; words == 3 {
				return p[:i]
			}
		}
	}
	return p
}

func eyesOf(fs []liveness.FrameMeasure) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%.2f/%.0f/%.0f", f.EyesLike, f.YawDeg, f.PitchDeg))
	}
	return out
}

// TestCalibrateBlink prints how much open and closed eyes look like the
// first frames' (VERIDOC_EVAL=1) on heads from portraits 300 on, which the
// evaluation (the first ones) does not use: the blink's threshold sits
// between the two.
func TestCalibrateBlink(t *testing.T) {
	c, files := calibration(t, 340)
	rng := rand.New(rand.NewPCG(300, 1))
	var open, closed []float64
	for _, f := range files[300:340] {
		h := head(t, c, f)
		if h == nil {
			continue
		}
		var imgs []*image.RGBA
		for i := range 10 {
			p := livegen.Pose{Scale: 1, Yaw: rng.NormFloat64() * 1.5, Pitch: rng.NormFloat64() * 1.5, DX: rng.NormFloat64() * 3, DY: rng.NormFloat64() * 3}
			if i >= 3 && i%2 == 0 {
				p.Blink = 1
			}
			imgs = append(imgs, h.Render(p))
		}
		r, err := c.Check(context.Background(), livegen.Sequence(imgs, rng), nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, fm := range r.Frames {
			switch {
			case !fm.Face || i < 3:
			case i%2 == 0:
				closed = append(closed, fm.EyesLike)
			default:
				open = append(open, fm.EyesLike)
			}
		}
	}
	slices.Sort(open)
	slices.Sort(closed)
	q := func(v []float64, p float64) float64 { return v[int(p*float64(len(v)-1))] }
	t.Logf("open eyes (%d frames): min %.2f, 5th percentile %.2f, median %.2f", len(open), open[0], q(open, 0.05), q(open, 0.5))
	t.Logf("closed eyes (%d frames): median %.2f, 95th percentile %.2f, max %.2f", len(closed), q(closed, 0.5), q(closed, 0.95), closed[len(closed)-1])
}
