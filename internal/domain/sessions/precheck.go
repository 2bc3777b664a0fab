package sessions

import (
	"context"
	"errors"

	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/vision/faces"
)

// ErrNoCounter: the process was built without a frame counter.
var ErrNoCounter = fault.Declare("FrameCheckUnavailable", fault.Unavailable)

// FrameCounter counts the faces in one camera frame (faces.Counter: the
// HOG detector alone, which an API process can hold).
type FrameCounter interface {
	Count(ctx context.Context, frame []byte) (faces.FrameCheck, error)
}

// What a frame checked before filming can show.
const (
	FrameNoFace       = "NO_FACE"
	FrameSeveralFaces = "SEVERAL_FACES"
	FrameTooDark      = "TOO_DARK"
	// frameDark is the mean luma under which a frame is too dark: the
	// capture page's own test before it films.
	frameDark = 40
	// MaxCheckFrame bounds a checked frame: one camera frame of 640×480 at
	// JPEG quality 0.85 is about 40 KB.
	MaxCheckFrame = 256 << 10
)

// FrameProblems lists what a checked frame can show.
var FrameProblems = []string{FrameNoFace, FrameSeveralFaces, FrameTooDark}

// FrameCheck is one camera frame's check: the faces, the brightness and the
// first problem ("" when the frame is fit to film).
type FrameCheck struct {
	faces.FrameCheck
	Problem string
}

// CheckFrame looks at one camera frame of an open session that asks for
// liveness, before its frames are taken, so the capture page can say "no
// face", "only you" or "too dark" at once instead of after the check. It
// stores nothing.
func (sv *Service) CheckFrame(ctx context.Context, accountID, sessionID int64, frame []byte) (*FrameCheck, error) {
	s, err := sv.open(ctx, accountID, sessionID)
	if err != nil {
		return nil, err
	}
	if s.Liveness == "" || s.Liveness == LivenessNone {
		return nil, ErrLivenessNotRequested.New("Session %d asks for no liveness frames", s.ID)
	}
	if sv.Counter == nil {
		return nil, ErrNoCounter.New("This server does not check frames")
	}
	if len(frame) > MaxCheckFrame {
		return nil, fault.ErrInvalidRequest.New("image: a camera frame of at most %d KB", MaxCheckFrame>>10)
	}
	c, err := sv.Counter.Count(ctx, frame)
	switch {
	case errors.Is(err, faces.ErrNotJPEG):
		return nil, fault.ErrInvalidRequest.New("image: a JPEG camera frame")
	case errors.Is(err, faces.ErrFrameTooLarge):
		return nil, fault.ErrInvalidRequest.New("image: a camera frame of at most %d×%d px", faces.MaxFrameSide, faces.MaxFrameSide)
	}
	if err != nil {
		return nil, err
	}
	out := &FrameCheck{FrameCheck: c}
	switch {
	case c.Brightness < frameDark:
		out.Problem = FrameTooDark
	case c.Faces == 0:
		out.Problem = FrameNoFace
	case c.Faces > 1:
		out.Problem = FrameSeveralFaces
	}
	return out, nil
}
