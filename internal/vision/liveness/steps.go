package liveness

import (
	"fmt"
	"math"

	"github.com/veridoc/veridoc/internal/vision/quality"
)

// follow looks for the steps in order: each must be seen in a frame after
// the one where the step before it was done.
func follow(ms []measured, steps []string) []StepResult {
	base := baseline(ms)
	var out []StepResult
	from := 0
	for _, step := range steps {
		if from < 0 {
			out = append(out, StepResult{Step: step, Measured: "not reached: the step before was not done", frame: -1})
			continue
		}
		at, measured := find(ms, from, step, base)
		out = append(out, StepResult{Step: step, Passed: at >= 0, Measured: measured, frame: at})
		from = at + 1
		if at < 0 {
			from = -1
		}
	}
	return out
}

// find returns the first frame from `from` on where step is done, with what
// was measured there; or -1 with the nearest the frames came to it.
func find(ms []measured, from int, step string, base quality.Shape) (int, string) {
	switch step {
	case TurnLeft, TurnRight, LookUp:
		return turned(ms, from, step, base)
	case Blink:
		return blinked(ms, from, base)
	case MoveCloser:
		return closer(ms, from)
	}
	return -1, "unknown step"
}

// turned: yaw beyond turnDeg in the step's direction, or pitch up beyond
// lookUpDeg. The person's left is the camera's right, where yaw is positive.
func turned(ms []measured, from int, step string, base quality.Shape) (int, string) {
	limit, unit := turnDeg, "yaw"
	if step == LookUp {
		limit, unit = lookUpDeg, "pitch"
	}
	most := math.Inf(-1)
	for i := from; i < len(ms); i++ {
		if !ms[i].ok {
			continue
		}
		var v float64
		switch step {
		case TurnLeft:
			v = ms[i].shape.YawDeg - base.YawDeg
		case TurnRight:
			v = base.YawDeg - ms[i].shape.YawDeg
		default:
			v = ms[i].shape.PitchDeg - base.PitchDeg
		}
		most = math.Max(most, v)
		if v >= limit {
			return i, fmt.Sprintf("%s %.0f° in frame %d", unit, v, i+1)
		}
	}
	if math.IsInf(most, -1) {
		return -1, "no face after the step before"
	}
	return -1, fmt.Sprintf("%s at most %.0f°, %.0f° needed", unit, most, limit)
}

// blinked: the eyes stop looking as they did at the start (their pixels'
// correlation under closedLike) in a frame where the head faces the camera
// as it did (a turned head changes the eyes' look too). They need not be
// seen open again: the next step may turn the head at once, and a closed
// eye on a picture of open ones is no easier to fake than a blink.
func blinked(ms []measured, from int, base quality.Shape) (int, string) {
	least := math.Inf(1)
	for i := from; i < len(ms); i++ {
		m := ms[i]
		if !m.ok || math.Abs(m.shape.YawDeg-base.YawDeg) > blinkPose || math.Abs(m.shape.PitchDeg-base.PitchDeg) > blinkPose {
			continue
		}
		least = math.Min(least, m.eyes)
		if m.eyes < closedLike {
			return i, fmt.Sprintf("eyes closed in frame %d (likeness to the start %.2f)", i+1, m.eyes)
		}
	}
	if math.IsInf(least, 1) {
		return -1, "no frame facing the camera after the step before"
	}
	return -1, fmt.Sprintf("eyes' likeness to the start at least %.2f, under %.2f needed", least, closedLike)
}

// closer: the face grows by closerBy over the smallest it was before (from
// the first frame: people start to move as soon as the prompt changes, and
// a print can be moved closer anyway, so nothing is gained by a later
// start), in a frame after the step before was done.
func closer(ms []measured, from int) (int, string) {
	smallest, most := math.Inf(1), 0.0
	for i := range ms {
		if !ms[i].ok {
			continue
		}
		smallest = math.Min(smallest, ms[i].size)
		if i < from {
			continue
		}
		g := ms[i].size / smallest
		most = math.Max(most, g)
		if g >= closerBy {
			return i, fmt.Sprintf("face %.2f× larger in frame %d", g, i+1)
		}
	}
	if most == 0 {
		return -1, "no face after the step before"
	}
	return -1, fmt.Sprintf("face at most %.2f× larger, %.2f× needed", most, closerBy)
}
