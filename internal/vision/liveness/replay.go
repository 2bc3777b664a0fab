package liveness

import (
	"context"
	"fmt"
	"math"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// A replay of another session's frames that were re-encoded or resized
// escapes their digests, and meets a new challenge whenever the two drew the
// same steps in the same order (1 in 60). Its frames still are that
// session's pictures, one for one, where a person doing a challenge again
// never puts head, eyes and shoulders back in the same place in every
// frame: even still, they sit a few pixels away, and the steps' frames
// catch the head at other angles.
//
// A frame's likeness is its luma averaged over a grid of likeW×likeH cells
// (the frame's width and height cut in equal parts, so a resized copy
// falls on the same cells), with mean 0 and length 1 (so a brighter or
// flatter copy looks the same). Two frames are twins when their likenesses
// correlate above 1 − twinApart.
const (
	likeW, likeH = 32, 24
	// twinApart was set between a copy and a second take on heads
	// generated from portraits 300–399, which the evaluation does not use
	// (TestCalibrateReplay, 1,500 frames each): a copy re-encoded at JPEG
	// quality 50–95 and resized to 70–100 % lies 0.0002 at most from its
	// original; a second take's frames (the same steps) lie 0.0001 to 0.3
	// from the first's nearest, 0.0012 at the 1st percentile, 0.02 at the
	// median. The few close ones are frames at rest.
	twinApart = 0.001
	// replayShare is the share of a sequence's frames that must be twins of
	// another's, in order, for it to be a replay: every copy's frames were
	// (100 of 100), at most 7 % of a second take's.
	replayShare = 2.0 / 3
)

// Likeness is a frame's picture in brief (see likeW); nil for a frame that
// could not be read.
type Likeness []float32

// LikenessOf measures a frame's likeness. The JPEG is decoded at the
// smallest scale in eighths that leaves at least five pixels a cell (a
// quarter for 640×480: about 0.3 ms, BenchmarkReplayed), and each pixel
// shared between the cells it straddles, so that a resized copy, decoded
// to another size, averages the same areas.
func LikenessOf(ctx context.Context, jpeg []byte) (Likeness, error) {
	w, h, ok := raster.JPEGSize(jpeg, 8)
	if !ok || w < likeW {
		return nil, nil
	}
	eighths := min(8, (5*likeW*8+w-1)/w)
	g, ok, err := raster.DecodeJPEGGray(ctx, jpeg, eighths)
	if err != nil || !ok {
		return nil, err
	}
	gw, gh := g.Rect.Dx(), g.Rect.Dy()
	if gh < likeH {
		return nil, nil
	}
	// Rows are first summed into columns of cells, then rows of cells. The
	// decoded size is rounded up: a frame 460 pixels wide decoded at 3/8 is
	// 172.5 pixels of picture in 173, and cells cut from the 173 would sit
	// a fraction of a pixel off a resized copy's.
	cols := shares(gw, likeW, float64(w*eighths)/8)
	rows := shares(gh, likeH, float64(h*eighths)/8)
	var cells [likeW * likeH]float64
	line := make([]float64, likeW)
	for y := range gh {
		clear(line)
		px := g.Pix[y*g.Stride : y*g.Stride+gw]
		for x, v := range px {
			for _, s := range cols[x] {
				line[s.cell] += s.part * float64(v)
			}
		}
		for _, s := range rows[y] {
			for cx, v := range line {
				cells[s.cell*likeW+cx] += s.part * v
			}
		}
	}
	var mean float64
	for _, v := range cells {
		mean += v
	}
	mean /= float64(len(cells))
	var norm float64
	for i := range cells {
		cells[i] -= mean
		norm += cells[i] * cells[i]
	}
	if norm == 0 {
		return nil, nil // a flat frame: nothing to compare
	}
	norm = math.Sqrt(norm)
	out := make(Likeness, len(cells))
	for i, v := range cells {
		out[i] = float32(v / norm)
	}
	return out, nil
}

// share is the part of a pixel that falls in a cell.
type share struct {
	cell int
	part float64
}

// shares cuts a picture extent pixels long (the last of its n pixels
// partly outside it) into k equal cells: for each pixel, the one or two
// cells it covers and how much of it each gets.
func shares(n, k int, extent float64) [][]share {
	out := make([][]share, n)
	for i := range n {
		lo, hi := float64(i)*float64(k)/extent, min(float64(i+1), extent)*float64(k)/extent
		if lo >= float64(k) {
			break
		}
		c := int(lo)
		if end := float64(c + 1); hi > end && c+1 < k {
			out[i] = []share{{c, end - lo}, {c + 1, hi - end}}
		} else {
			out[i] = []share{{min(c, k-1), hi - lo}}
		}
	}
	return out
}

// Apart is 1 − the correlation of two likenesses: 0 for the same picture,
// 1 for unrelated ones; 2 when either is missing.
func (l Likeness) Apart(o Likeness) float64 {
	if l == nil || len(l) != len(o) {
		return 2
	}
	var s float64
	for i := range l {
		s += float64(l[i]) * float64(o[i])
	}
	return 1 - s
}

// Replay says how many of frames are twins of earlier's, in order (each
// later frame's twin at or after the one before's): a replay when at least
// replayShare of them are.
type Replay struct {
	Twins, Of int
}

// Is tells whether the frames replay the earlier ones.
func (r Replay) Is() bool { return r.Of > 0 && float64(r.Twins) >= replayShare*float64(r.Of) }

func (r Replay) String() string {
	return fmt.Sprintf("%d of %d frames are the same pictures", r.Twins, r.Of)
}

// Replayed compares a sequence's likenesses with an earlier sequence's.
func Replayed(frames, earlier []Likeness) Replay {
	r := Replay{Of: len(frames)}
	// best[j]: the longest chain of twins so far ending at earlier frame j
	// or before; one pass per frame keeps the order.
	best := make([]int, len(earlier))
	for _, f := range frames {
		if f == nil {
			continue
		}
		run := 0 // best chain before earlier frame j (inclusive, of the previous frames)
		next := make([]int, len(earlier))
		for j, e := range earlier {
			run = max(run, best[j])
			next[j] = run
			if f.Apart(e) < twinApart {
				next[j] = run + 1
			}
			if j > 0 {
				next[j] = max(next[j], next[j-1])
			}
		}
		best = next
	}
	if len(best) > 0 {
		r.Twins = best[len(best)-1]
	}
	return r
}
