package sessions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/veridoc/veridoc/internal/domain/faceindex"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/vision/liveness"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Liveness modes: what proves a live person took the selfie.
const (
	LivenessNone    = "none"    // a selfie upload, as before
	LivenessPassive = "passive" // frames, judged by the anti-spoofing nets
	LivenessActive  = "active"  // frames following a challenge's steps, and the nets
)

// LivenessModes lists them.
var LivenessModes = []string{LivenessNone, LivenessPassive, LivenessActive}

// Liveness upload kind: the frames, kept as one object.
const Liveness = "liveness"

// Liveness checks: the frames do not prove a live person (challenge not
// followed, frames stale or repeated, another person, no frames), or the
// passive nets call them an attack.
const (
	CheckLivenessFailed     = "LIVENESS_FAILED"
	CheckPresentationAttack = "PRESENTATION_ATTACK_SUSPECTED"
)

// The rules of liveness uploads: a selfie where frames are asked for,
// frames where none are, frames answering another challenge.
var (
	ErrLivenessRequired     = fault.Declare("LivenessRequired", fault.Conflict)
	ErrLivenessNotRequested = fault.Declare("LivenessNotRequested", fault.Conflict)
	ErrLivenessChallenge    = fault.Declare("LivenessChallengeMismatch", fault.Conflict)
)

// LivenessFrame is one uploaded frame.
type LivenessFrame struct {
	JPEG []byte `json:"jpeg"`
	TMs  int64  `json:"t_ms"`
}

// livenessUpload is the stored object: the nonce the frames answered and
// the frames.
type livenessUpload struct {
	Nonce  string          `json:"nonce"`
	Frames []LivenessFrame `json:"frames"`
}

// LivenessVerdict is what session.get shows.
type LivenessVerdict struct {
	Mode   string                `json:"mode"`
	Passed bool                  `json:"passed"`
	Score  *float64              `json:"score"` // the passive nets' live probability
	Steps  []liveness.StepResult `json:"steps"`
	// Problems say why it did not pass.
	Problems []string `json:"problems"`
	// Frames are the measures per frame, for a reviewer.
	Frames []liveness.FrameMeasure `json:"frames,omitempty"`
	Best   int                     `json:"best_frame"` // 1-based; 0: none
}

// LiveProbability is the passive nets' score as shown to a reviewer ("0.405"),
// "" when none was measured.
func (v *LivenessVerdict) LiveProbability() string {
	if v.Score == nil {
		return ""
	}
	return strconv.FormatFloat(*v.Score, 'f', 3, 64)
}

// ParseVerdict reads a session's stored verdict; nil when none ran.
func ParseVerdict(s *database.Session) *LivenessVerdict {
	if s.LivenessResult == "" {
		return nil
	}
	var v LivenessVerdict
	if json.Unmarshal([]byte(s.LivenessResult), &v) != nil {
		return nil
	}
	return &v
}

// StepsOf lists a session's challenge steps.
func StepsOf(s *database.Session) []string {
	if s.LivenessSteps == "" {
		return []string{}
	}
	return strings.Split(s.LivenessSteps, ",")
}

// challenge sets a new session's liveness: the mode, and for passive and
// active a nonce the frames must answer; for active three steps.
func challenge(s *database.Session, mode string) error {
	if mode == "" {
		mode = LivenessNone
	}
	if !slices.Contains(LivenessModes, mode) {
		return fault.ErrInvalidRequest.New("liveness: one of %s", strings.Join(LivenessModes, ", "))
	}
	s.Liveness = mode
	if mode == LivenessNone {
		return nil
	}
	raw := make([]byte, 16)
	_, _ = rand.Read(raw)
	s.LivenessNonce = hex.EncodeToString(raw)
	if mode == LivenessActive {
		s.LivenessSteps = strings.Join(liveness.NewChallenge(), ",")
	}
	return nil
}

// UploadLiveness stores a session's frames after checking that they answer
// its challenge: the nonce, 8 to 30 JPEG frames.
func (sv *Service) UploadLiveness(ctx context.Context, accountID, sessionID int64, nonce string, frames []LivenessFrame, client Client) (string, error) {
	s, err := sv.open(ctx, accountID, sessionID)
	if err != nil {
		return "", err
	}
	if s.Liveness == "" || s.Liveness == LivenessNone {
		return "", ErrLivenessNotRequested.New("Session %d asks for no liveness frames: upload a selfie", s.ID)
	}
	if nonce != s.LivenessNonce {
		return "", ErrLivenessChallenge.New("The frames answer another challenge than session %d's", s.ID)
	}
	if len(frames) < liveness.MinFrames || len(frames) > liveness.MaxFrames {
		return "", fault.ErrInvalidRequest.New("frames: %d to %d frames, got %d", liveness.MinFrames, liveness.MaxFrames, len(frames))
	}
	for i, f := range frames {
		hdr, err := raster.CheckUpload(f.JPEG)
		if err != nil {
			return "", fmt.Errorf("frames[%d].image: %w", i, err)
		}
		if hdr.Format != "jpeg" {
			return "", fault.ErrInvalidRequest.New("frames[%d].image: a JPEG, got %s", i, hdr.Format)
		}
	}
	blob, err := json.Marshal(livenessUpload{Nonce: nonce, Frames: frames})
	if err != nil {
		return "", err
	}
	return sv.store(ctx, s.ID, Liveness, blob, client)
}

// replayed names a replay of frames sent before: the same files to another
// session of the account (named), or to another account (not named), or
// copies of another session's frames, re-encoded or resized (named even
// where the steps fail too: their odds alone let 1 in 60 through). "" when
// the frames are new.
func (w *Worker) replayed(ctx context.Context, s *database.Session, r *liveness.Result) (string, error) {
	other, err := w.DB.SessionWithFrames(ctx, s.AccountID, s.ID, r.Digests)
	if err != nil || other != 0 {
		return fmt.Sprintf("frames were sent before, to session %d", other), err
	}
	elsewhere, err := w.DB.FramesSentElsewhere(ctx, s.AccountID, r.Digests)
	if err != nil || elsewhere {
		return "frames were sent before, to another account", err
	}
	copied, rep, err := w.replayOf(ctx, s, r)
	if err != nil || copied == 0 {
		return "", err
	}
	return fmt.Sprintf("the frames are copies of session %d's (%s)", copied, rep), nil
}

// checkLiveness judges the session's frames, records the verdict on d and
// returns the best frame to match as the selfie (nil when none).
func (w *Worker) checkLiveness(ctx context.Context, s *database.Session, d *database.SessionResult, upload database.SessionUpload) ([]byte, error) {
	v := LivenessVerdict{Mode: s.Liveness, Problems: []string{}, Steps: []liveness.StepResult{}}
	defer func() {
		b, _ := json.Marshal(v)
		d.LivenessResult = string(b)
	}()
	raw, err := objectstore.ReadAll(ctx, w.Store, upload.Key)
	if err != nil {
		return nil, err
	}
	var up livenessUpload
	if raw == nil || json.Unmarshal(raw, &up) != nil || up.Nonce != s.LivenessNonce {
		v.Problems = append(v.Problems, "no liveness frames were uploaded for this session's challenge")
		failWith(d, CheckLivenessFailed, v.Problems[0])
		return nil, nil
	}
	checker, err := w.Engines.Liveness()
	if err != nil {
		return nil, err
	}
	frames := make([]liveness.Frame, len(up.Frames))
	for i, f := range up.Frames {
		frames[i] = liveness.Frame{JPEG: f.JPEG, TMs: f.TMs}
	}
	r, err := checker.Check(ctx, frames, StepsOf(s))
	if err != nil {
		return nil, err
	}
	v.Problems = append(v.Problems, r.Problems...)
	problem, err := w.replayed(ctx, s, r)
	if err != nil {
		return nil, err
	}
	if problem != "" {
		r.Problems = append(r.Problems, problem)
		v.Problems = append(v.Problems, problem)
	}
	d.LiveFrames = r.Digests
	v.Steps = append(v.Steps, r.Steps...)
	v.Frames, v.Best = r.Frames, r.Best+1
	if r.Score >= 0 {
		score := r.Score
		v.Score = &score
	}
	v.Passed = len(r.Problems) == 0 && !r.Attack()
	if len(r.Problems) > 0 {
		failWith(d, CheckLivenessFailed, strings.Join(r.Problems, "; "))
	}
	if r.Attack() {
		failWith(d, CheckPresentationAttack, fmt.Sprintf("live probability %.3f, under %.2f", r.Score, liveness.PassiveThreshold))
	}
	if r.Best < 0 {
		return nil, nil
	}
	return up.Frames[r.Best].JPEG, nil
}

// A sequence is compared, frame by frame, with the frames of the
// account's sessions with the nearest faces that took frames (a copy's
// best frame is the same picture as its original's, nearer than any other
// take): replayCandidates of them, among the replayLookups nearest
// sessions (others took a selfie).
const (
	replayCandidates = 3
	replayLookups    = 10
)

// replayOf finds the earlier session whose frames these copy, if any: the
// account's sessions whose kept face is nearest the best frame's (the 1:N
// index), their frames read back and compared picture by picture
// (liveness.Replayed). Sessions erased or past retention have no frames left
// to compare.
func (w *Worker) replayOf(ctx context.Context, s *database.Session, r *liveness.Result) (int64, liveness.Replay, error) {
	if w.Faces == nil || r.Descriptor == nil {
		return 0, liveness.Replay{}, nil
	}
	found, err := w.Faces.Search(ctx, s.AccountID, faceindex.SeenDistance, *r.Descriptor)
	if err != nil {
		return 0, liveness.Replay{}, err
	}
	looked, compared := 0, 0
	for _, m := range found {
		if m.Block || m.SessionID == 0 || m.SessionID == s.ID {
			continue
		}
		if looked++; looked > replayLookups || compared == replayCandidates {
			break
		}
		uploads, err := w.DB.SessionUploads(ctx, m.SessionID)
		if err != nil {
			return 0, liveness.Replay{}, err
		}
		frames, err := ReadFrames(ctx, w.Store, uploads[Liveness].Key)
		if err != nil {
			return 0, liveness.Replay{}, err
		}
		if len(frames) == 0 {
			continue
		}
		compared++
		earlier := make([]liveness.Likeness, len(frames))
		for i, f := range frames {
			if earlier[i], err = liveness.LikenessOf(ctx, f.JPEG); err != nil {
				return 0, liveness.Replay{}, err
			}
		}
		if rep := liveness.Replayed(r.Likenesses, earlier); rep.Is() {
			return m.SessionID, rep, nil
		}
	}
	return 0, liveness.Replay{}, nil
}

// ReadFrames reads a liveness upload's frames (none when key is empty or
// the object is gone).
func ReadFrames(ctx context.Context, store objectstore.Store, key string) ([]LivenessFrame, error) {
	if key == "" {
		return nil, nil
	}
	raw, err := objectstore.ReadAll(ctx, store, key)
	if err != nil || raw == nil {
		return nil, err
	}
	var up livenessUpload
	if err := json.Unmarshal(raw, &up); err != nil {
		return nil, err
	}
	return up.Frames, nil
}
