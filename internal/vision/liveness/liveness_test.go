package liveness_test

import (
	"context"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/testsupport/livegen"
	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/testsupport/rss"
	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/liveness"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

func checker(t testing.TB) *liveness.Checker {
	e, err := faces.NewFaceEngine(repo.Models())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	s, err := faces.NewSpoofer(repo.Models(), 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return &liveness.Checker{Faces: e, Spoof: s}
}

// portraits are the public-domain portraits in ../shared/data/faces.
func portraits(t testing.TB) []string {
	files, _ := filepath.Glob(filepath.Join(repo.Shared(), "data", "faces", "congress", "*.jpg"))
	if len(files) == 0 {
		t.Skip("no ../shared/data/faces")
	}
	return files
}

// head builds a live head from a portrait; nil when the portrait does not
// show exactly one face.
func head(t testing.TB, c *liveness.Checker, file string) *livegen.Head {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var h *livegen.Head
	oneFace(t, c, b, func(img *raster.Image, f faces.Face) { h = livegen.NewHead(img, f.Points, 80) })
	return h
}

// oneFace decodes an image and, when it shows exactly one face, calls fn
// with the image (freed after) and the face.
func oneFace(t testing.TB, c *liveness.Checker, src []byte, fn func(*raster.Image, faces.Face)) {
	img, err := raster.Decode(context.Background(), src, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Free()
	if found, err := c.Faces.Find(img); err == nil && len(found) == 1 {
		fn(img, found[0])
	}
}

// TestCheck: a generated live head doing its steps passes; a print of the
// same portrait moved to follow them, a frozen frame, two people taking
// turns, another person doing the steps, the steps in another order, and
// stale or repeated frames do not.
func TestCheck(t *testing.T) {
	c := checker(t)
	files := portraits(t)
	a, b := head(t, c, files[0]), head(t, c, files[1])
	if a == nil || b == nil {
		t.Fatal("the first two portraits must show one face")
	}
	steps := []string{liveness.TurnLeft, liveness.Blink, liveness.MoveCloser}
	rng := rand.New(rand.NewPCG(7, 11))
	script := livegen.Script(steps, rng)
	live := a.Live(script)
	swapped := append(append([]*image.RGBA{}, live[:8]...), b.Live(script)[8:]...)
	turnSteps := []string{liveness.TurnLeft, liveness.LookUp, liveness.TurnRight}
	turns := livegen.Script(turnSteps, rng)
	cases := []struct {
		name   string
		frames []liveness.Frame
		steps  []string
		want   string // a problem's words; "" passes
	}{
		{"live", livegen.Sequence(live, rng), steps, ""},
		{"print", livegen.Sequence(a.Print(script, 0.2), rng), steps, "step turn_left not done"},
		{"frozen", livegen.Sequence(livegen.Frozen(live[0], 15), rng), steps, "not done"},
		{"two people", livegen.Sequence(swapped, rng), steps, "another person"},
		{"another does the steps", livegen.Sequence(livegen.StepsBy(live, b.Live(script)), rng), steps, "shows another person"},
		// Turns only: every frontal frame is the first person's, so only
		// the frames of the steps can tell.
		{"another does the turns", livegen.Sequence(livegen.StepsBy(a.Live(turns), b.Live(turns)), rng), turnSteps, "(step turn_left) shows another person"},
		{"other order", livegen.Sequence(live, rng), []string{liveness.Blink, liveness.TurnLeft, liveness.MoveCloser}, "step turn_left not done"},
		// A recording of other steps: the face that came closer at the
		// start stays there, and a turned head's eyes, closer together,
		// make the frontal face after it look nearer; neither is a
		// move_closer asked for now.
		{"closer before it was asked", livegen.Sequence(a.Live(livegen.Script([]string{liveness.MoveCloser, liveness.Blink, liveness.TurnLeft}, rng)), rng),
			[]string{liveness.Blink, liveness.TurnLeft, liveness.MoveCloser}, "step move_closer not done"},
		{"closer after a turn", livegen.Sequence(a.Live(livegen.Script([]string{liveness.TurnRight, liveness.Blink, liveness.LookUp}, rng)), rng),
			[]string{liveness.TurnRight, liveness.Blink, liveness.MoveCloser}, "step move_closer not done"},
		{"times backwards", backwards(livegen.Sequence(live, rng)), steps, "is not later than"},
		{"same file twice", repeated(livegen.Sequence(live, rng)), steps, "are the same file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.Check(context.Background(), tc.frames, tc.steps)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(r.Problems, "; ")
			t.Logf("problems: %s; steps %+v; passive %.3f", got, r.Steps, r.Score)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("problems %q, want %q", got, tc.want)
			}
			if tc.want == "" && (r.Best < 0 || len(r.Steps) != len(tc.steps)) {
				t.Errorf("best frame %d, %d steps", r.Best, len(r.Steps))
			}
		})
	}
	if _, err := c.Check(context.Background(), livegen.Sequence(live[:5], rng), steps); err != liveness.ErrNoFrames {
		t.Errorf("5 frames: %v, want ErrNoFrames", err)
	}
}

func backwards(f []liveness.Frame) []liveness.Frame {
	f[5].TMs = f[3].TMs
	return f
}

func repeated(f []liveness.Frame) []liveness.Frame {
	f[9] = f[4]
	return f
}

// benchSequence is the benchmarks' checker and sequence: the first
// portrait's head doing turn_left, blink, move_closer in 15 frames.
func benchSequence(b *testing.B) (*liveness.Checker, []liveness.Frame, []string) {
	c := checker(b)
	h := head(b, c, portraits(b)[0])
	steps := []string{liveness.TurnLeft, liveness.Blink, liveness.MoveCloser}
	rng := rand.New(rand.NewPCG(1, 1))
	return c, livegen.Sequence(h.Live(livegen.Script(steps, rng)), rng), steps
}

// BenchmarkCheck15 is one liveness check of 15 frames of 640×480 (an
// active challenge), the decode of the same frames beside it as the floor.
func BenchmarkCheck15(b *testing.B) {
	c, frames, steps := benchSequence(b)
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			for _, f := range frames {
				img, err := raster.Decode(context.Background(), f.JPEG, 1)
				if err != nil {
					b.Fatal(err)
				}
				img.Free()
			}
		}
	})
	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Check(context.Background(), frames, steps); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCheckWorkers2 is two workers checking sequences at once, as a
// worker process with two session jobs does: checks a second and the
// process's peak resident memory (models, libraries and the checks).
func BenchmarkCheckWorkers2(b *testing.B) {
	c, frames, steps := benchSequence(b)
	rss.Reset(b)
	b.ResetTimer()
	t0 := time.Now()
	var wg sync.WaitGroup
	jobs := make(chan struct{}, b.N)
	for range b.N {
		jobs <- struct{}{}
	}
	close(jobs)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				if _, err := c.Check(context.Background(), frames, steps); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "checks/s")
	b.ReportMetric(rss.PeakMB(), "peak_rss_MB")
}
