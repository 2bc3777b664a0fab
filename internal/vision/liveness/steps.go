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
		return closer(ms, from, base)
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
			// Pitch read from a head turned aside is unreliable (a turn
			// measured 11° of pitch): a look up faces the camera.
			if math.Abs(ms[i].shape.YawDeg-base.YawDeg) > frontalDeg {
				continue
			}
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
		if !facing(m, base, blinkPose) {
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

// closer: the face grows by closerBy over its size in the last frame
// facing the camera up to the one where the step before was done (for a
// first step, the smallest frontal face so far), in a frame after it.
// Sizes are compared only between frames facing the camera: a turned
// head's eyes are closer together, so its frame would make any frontal one
// look nearer. Measured from before the step, not from
// the smallest the face ever was: a person who moved closer for an earlier
// step stays there, and a recording of that must not pass for this step.
func closer(ms []measured, from int, base quality.Shape) (int, string) {
	ref := math.Inf(1)
	for i := from - 1; i >= 0; i-- {
		if facing(ms[i], base, frontalDeg) {
			ref = ms[i].size
			break
		}
	}
	// A first step (or one with no frame facing the camera before it)
	// measures from the smallest frontal face so far.
	running := math.IsInf(ref, 1)
	most := 0.0
	for i := from; i < len(ms); i++ {
		m := ms[i]
		if !m.ok {
			continue
		}
		if running && facing(m, base, frontalDeg) {
			ref = math.Min(ref, m.size)
		}
		if math.IsInf(ref, 1) {
			continue
		}
		g := m.size / ref
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

// facing tells whether a frame shows the face turned and tilted at most deg
// from where it started.
func facing(m measured, base quality.Shape, deg float64) bool {
	return m.ok && math.Abs(m.shape.YawDeg-base.YawDeg) <= deg && math.Abs(m.shape.PitchDeg-base.PitchDeg) <= deg
}
