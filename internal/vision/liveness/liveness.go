// Package liveness decides whether a sequence of camera frames shows a live
// person in front of the camera: the same single face throughout, the
// challenge's head movements done in order (pose from the landmarks, so a
// flat picture turned or tilted does not pass for a turning head), fresh
// frames, and the passive anti-spoofing nets' score.
package liveness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/quality"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// The challenge's steps.
const (
	TurnLeft   = "turn_left"
	TurnRight  = "turn_right"
	LookUp     = "look_up"
	Blink      = "blink"
	MoveCloser = "move_closer"
)

// Steps are every step a challenge may ask for.
var Steps = []string{TurnLeft, TurnRight, LookUp, Blink, MoveCloser}

// Limits of a frame sequence.
const (
	MinFrames = 8
	MaxFrames = 30
	// Window is the longest a sequence may span, first frame to last.
	Window = 60 * time.Second
)

// Thresholds of the steps, from the baseline (the first frames, where the
// capture page asks the person to look straight at the camera).
const (
	turnDeg   = 15.0 // yaw away from the baseline, either way
	lookUpDeg = 10.0 // pitch up from the baseline
	// A blink: the eyes' pixels correlate with the start's under
	// closedLike in a frame where the head is within blinkPose degrees of
	// its start. Calibrated on generated heads from portraits the
	// evaluation does not use (TestCalibrateBlink, portraits 300–339): open
	// eyes at rest measured 0.59 at the 5th percentile (median 0.86),
	// closed ones 0.41 at the 95th (median -0.01); the threshold is
	// between. openLike is how open the eyes of the frame kept as the
	// selfie must look.
	closedLike = 0.5
	openLike   = 0.6
	blinkPose  = 8.0
	closerBy   = 1.2 // the distance between the eyes grows by a fifth
	// sameFace is the descriptor distance under which two frames show one
	// person: the 1:1 match threshold (face_match_score 50).
	sameFace = 0.55
	// PassiveThreshold is the live probability under which the passive nets
	// call the frames an attack: the nets' own decision (the live class
	// against the two attack classes), not a threshold tuned here.
	PassiveThreshold = 0.5
)

// NewChallenge draws three different steps at random.
func NewChallenge() []string {
	steps := slices.Clone(Steps)
	rand.Shuffle(len(steps), func(i, j int) { steps[i], steps[j] = steps[j], steps[i] })
	return steps[:3]
}

// Frame is one camera frame: a JPEG and its time in milliseconds since the
// capture began.
type Frame struct {
	JPEG []byte
	TMs  int64
}

// StepResult is how one step went, with what was measured.
type StepResult struct {
	Step     string `json:"step"`
	Passed   bool   `json:"passed"`
	Measured string `json:"measured"`
}

// Result is the verdict on a sequence.
type Result struct {
	// Problems say why the sequence does not prove a live person (no face
	// in a frame, another person, a step not done, stale or repeated
	// frames); empty when it does.
	Problems []string
	Steps    []StepResult
	// Score is the passive nets' live probability, the mean over the
	// frames scored; -1 when no frame could be scored.
	Score float64
	// Best is the frame to use as the selfie: one face, most frontal, eyes
	// open; -1 when no frame has one face.
	Best int
	// Frames are what was measured in each frame.
	Frames []FrameMeasure
	// Digests are each frame's SHA-256, of its file and of its pixels (hex),
	// for the caller to find frames sent to another session before.
	Digests []string
}

// FrameMeasure is one frame's face: found or not, pose, the eyes' lid gap
// and contrast, size.
type FrameMeasure struct {
	Face     bool    `json:"face"`
	YawDeg   float64 `json:"yaw_deg"`
	PitchDeg float64 `json:"pitch_deg"`
	EyesOpen float64 `json:"eyes_open"`
	EyesLike float64 `json:"eyes_like_start"`
	Size     float64 `json:"size"`
}

// Attack tells whether the passive score calls the frames an attack.
func (r *Result) Attack() bool { return r.Score >= 0 && r.Score < PassiveThreshold }

// Checker runs the checks with a process's engines.
type Checker struct {
	Faces *faces.FaceEngine
	Spoof *faces.Spoofer
}

// measured is one frame's face.
type measured struct {
	img   *raster.Image
	face  faces.Face
	shape quality.Shape
	size  float64   // eye distance over the frame's width
	patch []float64 // the eyes' pixels (eyePatch)
	eyes  float64   // patch's correlation with the baseline's
	ok    bool      // exactly one face
	// tracked: the detector found none, the landmarks were placed in the
	// last frame's box; such a frame serves the steps, not the identity.
	tracked bool
	faces   int // how many were found
}

// ErrNoFrames is a sequence too short or too long to judge.
var ErrNoFrames = errors.New("liveness: 8 to 30 frames are needed")

// Check judges frames against the steps asked (none for passive liveness).
func (c *Checker) Check(ctx context.Context, frames []Frame, steps []string) (*Result, error) {
	if len(frames) < MinFrames || len(frames) > MaxFrames {
		return nil, ErrNoFrames
	}
	r := &Result{Score: -1, Best: -1}
	r.Problems = append(r.Problems, fresh(frames)...)
	ms := make([]measured, len(frames))
	pixels := map[[32]byte]int{}
	for i, f := range frames {
		m, sum, err := c.measure(ctx, f.JPEG)
		if err != nil {
			return nil, err
		}
		defer m.img.Free()
		r.Digests = append(r.Digests, hex.EncodeToString(sha(f.JPEG)), hex.EncodeToString(sum[:]))
		if j, dup := pixels[sum]; dup {
			r.Problems = append(r.Problems, fmt.Sprintf("frames %d and %d have the same pixels", j+1, i+1))
		}
		pixels[sum] = i
		if m.faces == 0 && i > 0 && ms[i-1].ok {
			if err := c.track(&m, ms[i-1].face.Box); err != nil {
				return nil, err
			}
		}
		ms[i] = m
	}
	eyesLikeStart(ms)
	var faceless []string
	for i, m := range ms {
		switch {
		case m.faces > 1:
			r.Problems = append(r.Problems, fmt.Sprintf("frame %d shows %d faces", i+1, m.faces))
		case m.faces == 0:
			faceless = append(faceless, fmt.Sprint(i+1))
		}
		r.Frames = append(r.Frames, FrameMeasure{Face: m.ok, YawDeg: round(m.shape.YawDeg, 1), PitchDeg: round(m.shape.PitchDeg, 1),
			EyesOpen: round(m.shape.EyesOpen, 3), EyesLike: round(m.eyes, 3), Size: round(m.size, 3)})
	}
	// A frame where the detector lost a turning head proves nothing either
	// way; more than a quarter of them is no sequence to judge.
	if len(faceless) > len(ms)/4 {
		r.Problems = append(r.Problems, "no face found in frames "+strings.Join(faceless, ", "))
	}
	r.Best = best(ms)
	if r.Best < 0 {
		return r, nil
	}
	problem, err := c.samePerson(ms, r.Best)
	if err != nil {
		return nil, err
	}
	if problem != "" {
		r.Problems = append(r.Problems, problem)
	}
	r.Steps = follow(ms, steps)
	for _, s := range r.Steps {
		if !s.Passed {
			r.Problems = append(r.Problems, fmt.Sprintf("step %s not done (%s)", s.Step, s.Measured))
		}
	}
	r.Score, err = c.passive(ms, r.Best)
	return r, err
}

func sha(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}

// fresh checks the frames' times and bytes: times rise, start at or after
// 0 and span at most Window; no two frames are the same file.
func fresh(frames []Frame) []string {
	var out []string
	if frames[0].TMs < 0 {
		out = append(out, "frame times must start at 0 or later")
	}
	for i := 1; i < len(frames); i++ {
		if frames[i].TMs <= frames[i-1].TMs {
			out = append(out, fmt.Sprintf("frame %d is not later than frame %d", i+1, i))
			break
		}
	}
	if span := frames[len(frames)-1].TMs - frames[0].TMs; span > Window.Milliseconds() {
		out = append(out, fmt.Sprintf("the frames span %d s, more than %d s", span/1000, int(Window.Seconds())))
	}
	seen := map[[32]byte]int{}
	for i, f := range frames {
		sum := sha256.Sum256(f.JPEG)
		if j, dup := seen[sum]; dup {
			out = append(out, fmt.Sprintf("frames %d and %d are the same file", j+1, i+1))
		}
		seen[sum] = i
	}
	return out
}

// frameSide is the longest side a frame is measured at: the capture page
// sends 640×480, and larger frames only cost time.
const frameSide = 640

// measure decodes a frame and finds its face; sum is a digest of its pixels.
func (c *Checker) measure(ctx context.Context, jpeg []byte) (measured, [32]byte, error) {
	var m measured
	hdr, err := raster.CheckUpload(jpeg)
	if err != nil {
		return m, [32]byte{}, err
	}
	shrink := raster.JPEGShrink(float64(max(hdr.Width, hdr.Height)) / frameSide)
	img, err := raster.Decode(ctx, jpeg, shrink)
	if err != nil {
		return m, [32]byte{}, err
	}
	if max(img.W, img.H) > frameSide {
		small, err := img.Resized(frameSide)
		img.Free()
		if err != nil {
			return m, [32]byte{}, err
		}
		img = small
	}
	m.img = img
	sum := sha256.Sum256(img.Pix)
	found, err := c.find(img)
	if err != nil {
		return m, sum, err
	}
	m.faces = len(found)
	if len(found) == 1 {
		m.ok, m.face = true, found[0]
		m.shape = quality.ShapeOf(found[0].Points)
		m.size = m.shape.EyeDistance / float64(img.W)
		m.patch = eyePatch(img, found[0].Points)
	}
	return m, sum, nil
}

// detectSide is the size faces are looked for at first: the HOG
// detector's time grows with the area (28 ms a frame at 640 px, 9 at 320,
// on one core), and a face filling a selfie frame is found at half size.
const detectSide = 320

// find detects the faces on a copy of img at detectSide (on img itself
// when the copy shows none: a turned head or closed eyes are found less
// often when small) and places their landmarks on img, where the pose and
// the eyes are measured to the pixel.
func (c *Checker) find(img *raster.Image) ([]faces.Face, error) {
	if max(img.W, img.H) <= detectSide*5/4 {
		return c.Faces.Find(img)
	}
	small, err := img.Resized(detectSide)
	if err != nil {
		return nil, err
	}
	boxes, err := c.Faces.Boxes(small)
	k := float64(img.W) / float64(small.W)
	small.Free()
	if err != nil {
		return nil, err
	}
	if len(boxes) == 0 {
		return c.Faces.Find(img)
	}
	out := make([]faces.Face, len(boxes))
	for i, b := range boxes {
		box := image.Rect(int(float64(b.Min.X)*k), int(float64(b.Min.Y)*k), int(float64(b.Max.X)*k), int(float64(b.Max.Y)*k))
		if out[i], err = c.Faces.Mark(img, box); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// track places the landmarks in the box where the last frame's face was:
// the frontal detector loses a head turned past about 30°, which is what
// the turn steps ask for. At five frames a second a head moves little
// between frames. The pose read there is the head's own: the landmark net
// sees the nose against the cheeks as in any frame.
func (c *Checker) track(m *measured, last image.Rectangle) error {
	if last.Empty() || !last.In(image.Rect(0, 0, m.img.W, m.img.H)) {
		return nil
	}
	f, err := c.Faces.Mark(m.img, last)
	if err != nil {
		return err
	}
	m.ok, m.tracked, m.face = true, true, f
	m.shape = quality.ShapeOf(f.Points)
	m.size = m.shape.EyeDistance / float64(m.img.W)
	m.patch = eyePatch(m.img, f.Points)
	return nil
}

// best is the frame with one face that is most frontal with the eyes open.
func best(ms []measured) int {
	at, score := -1, math.Inf(1)
	for i, m := range ms {
		if !m.ok || m.tracked {
			continue
		}
		s := math.Abs(m.shape.YawDeg) + math.Abs(m.shape.PitchDeg)
		if m.eyes < openLike {
			s += 90 // eyes closed: only when no frame has them open
		}
		if s < score {
			at, score = i, s
		}
	}
	return at
}

// baseline is the median pose, eye opening and size of the first three
// frames with one face: the person looking at the camera before the steps.
func baseline(ms []measured) quality.Shape {
	var yaw, pitch, eyes []float64
	for _, m := range ms {
		if !m.ok {
			continue
		}
		yaw, pitch, eyes = append(yaw, m.shape.YawDeg), append(pitch, m.shape.PitchDeg), append(eyes, m.shape.EyesOpen)
		if len(yaw) == 3 {
			break
		}
	}
	return quality.Shape{YawDeg: median(yaw), PitchDeg: median(pitch), EyesOpen: median(eyes)}
}

func round(v float64, places int) float64 {
	k := math.Pow(10, float64(places))
	return math.Round(v*k) / k
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// samePerson compares the best frame's descriptor with that of the most
// frontal frame of each quarter of the sequence (a turned head's descriptor
// drifts): all must be within sameFace.
func (c *Checker) samePerson(ms []measured, bestAt int) (string, error) {
	if err := c.Faces.Describe(ms[bestAt].img, &ms[bestAt].face); err != nil {
		return "", err
	}
	n := len(ms)
	for q := range 4 {
		i := frontal(ms[q*n/4 : (q+1)*n/4])
		if i < 0 {
			continue
		}
		i += q * n / 4
		if i == bestAt {
			continue
		}
		if err := c.Faces.Describe(ms[i].img, &ms[i].face); err != nil {
			return "", err
		}
		if d := faces.Distance(ms[i].face.Descriptor, ms[bestAt].face.Descriptor); d > sameFace {
			return fmt.Sprintf("frame %d shows another person than frame %d (distance %.2f)", i+1, bestAt+1, d), nil
		}
	}
	return "", nil
}

// frontal is the frame of ms with one face turned least; -1 when none.
func frontal(ms []measured) int {
	at, least := -1, math.Inf(1)
	for i, m := range ms {
		if d := math.Abs(m.shape.YawDeg) + math.Abs(m.shape.PitchDeg); m.ok && !m.tracked && d < least {
			at, least = i, d
		}
	}
	return at
}

// passive scores the best frame and the first and last with a face.
func (c *Checker) passive(ms []measured, bestAt int) (float64, error) {
	if c.Spoof == nil {
		return -1, nil
	}
	picks := []int{bestAt}
	for i := range ms {
		if ms[i].ok && !ms[i].tracked {
			picks = append(picks, i)
			break
		}
	}
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].ok && !ms[i].tracked {
			picks = append(picks, i)
			break
		}
	}
	slices.Sort(picks)
	picks = slices.Compact(picks)
	var sum float64
	for _, i := range picks {
		p, err := c.Spoof.Score(ms[i].img, ms[i].face.Box)
		if err != nil {
			return -1, err
		}
		sum += p.Live()
	}
	return math.Round(sum/float64(len(picks))*1000) / 1000, nil
}
