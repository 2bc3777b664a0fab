package api

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/platform/clientip"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// challengeOf is the session's liveness challenge; nil without liveness.
func challengeOf(s *database.Session) *LivenessChallenge {
	if s.Liveness == "" || s.Liveness == sessions.LivenessNone {
		return nil
	}
	c := &LivenessChallenge{Nonce: s.LivenessNonce, Steps: []livenessStep{}, Expires: rpc.NewTimestamp(s.ExpiresAt)}
	for _, st := range sessions.StepsOf(s) {
		c.Steps = append(c.Steps, livenessStep(st))
	}
	return c
}

// livenessOf is the session's liveness verdict; nil without liveness.
func livenessOf(s *database.Session) *SessionLiveness {
	if s.Liveness == "" || s.Liveness == sessions.LivenessNone {
		return nil
	}
	out := &SessionLiveness{Mode: livenessMode(s.Liveness), Steps: []LivenessStep{}, Problems: []string{}}
	v := sessions.ParseVerdict(s)
	if v == nil {
		for _, st := range sessions.StepsOf(s) {
			out.Steps = append(out.Steps, LivenessStep{Step: livenessStep(st)})
		}
		return out
	}
	passed := v.Passed
	out.Passed, out.Score, out.Problems = &passed, v.Score, append(out.Problems, v.Problems...)
	for _, st := range v.Steps {
		out.Steps = append(out.Steps, LivenessStep{Step: livenessStep(st.Step), Passed: st.Passed, Measured: st.Measured})
	}
	return out
}

// livenessUpload decodes the frames of a liveness upload, from JSON or
// from a multipart form, and stores them.
func (h *Handlers) livenessUpload(ctx context.Context, call *rpc.Call, req *SessionUploadRequest) (*SessionUploadResponse, error) {
	frames, err := framesOf(req)
	if err != nil {
		return nil, err
	}
	var size int64
	for _, f := range frames {
		size += int64(len(f.JPEG))
	}
	state, err := h.Sessions.UploadLiveness(ctx, call.AccountID(), call.Principal.SessionID, req.Nonce, frames,
		sessions.Client{IP: clientip.From(ctx), UserAgent: call.Request.UserAgent()})
	if err != nil {
		return nil, missing(err, sessions.ErrNotFound, call.Principal.SessionID)
	}
	return &SessionUploadResponse{Kind: string(req.Kind), Size: size, State: state}, nil
}

func framesOf(req *SessionUploadRequest) ([]sessions.LivenessFrame, error) {
	if req.Nonce == "" {
		return nil, rpc.ErrInvalidRequest("nonce: required with kind liveness (the challenge's nonce)")
	}
	var out []sessions.LivenessFrame
	for i, f := range req.Frames {
		b, err := base64.StdEncoding.DecodeString(f.Image)
		if err != nil {
			return nil, rpc.ErrInvalidRequest("frames[%d].image: must be base64 (standard alphabet, padded)", i)
		}
		out = append(out, sessions.LivenessFrame{JPEG: b, TMs: f.TMs})
	}
	if len(req.Frame) == 0 {
		return out, nil
	}
	if len(out) > 0 {
		return nil, rpc.ErrInvalidRequest("frames and frame: send the frames one way")
	}
	times := strings.Split(req.FrameTimes, ",")
	if len(times) != len(req.Frame) {
		return nil, rpc.ErrInvalidRequest("frame_times: one time per frame part (%d parts, %d times)", len(req.Frame), len(times))
	}
	for i, f := range req.Frame {
		b, err := base64.StdEncoding.DecodeString(f)
		if err != nil {
			return nil, rpc.ErrInvalidRequest("frame: part %d is not a file", i+1)
		}
		t, err := strconv.ParseInt(strings.TrimSpace(times[i]), 10, 64)
		if err != nil {
			return nil, rpc.ErrInvalidRequest("frame_times: expected integers separated by commas")
		}
		out = append(out, sessions.LivenessFrame{JPEG: b, TMs: t})
	}
	return out, nil
}

// SessionCheckFrameRequest is one camera frame, taken before the capture
// page films the challenge.
type SessionCheckFrameRequest struct {
	Image string `json:"image" rpc:"required"` // base64 JPEG, at most 256 KB
}

// SessionCheckFrameResponse is what the frame shows: faces found, mean
// brightness (0–255), and the first problem (TOO_DARK, NO_FACE,
// SEVERAL_FACES), null when the frame is fit to film.
type SessionCheckFrameResponse struct {
	OK         bool          `json:"ok"`
	Faces      int           `json:"faces"`
	Brightness int           `json:"brightness"`
	Problem    *frameProblem `json:"problem"`
}

func (h *Handlers) sessionCheckFrame(ctx context.Context, call *rpc.Call, req *SessionCheckFrameRequest) (*SessionCheckFrameResponse, error) {
	b, err := base64.StdEncoding.DecodeString(req.Image)
	if err != nil {
		return nil, rpc.ErrInvalidRequest("image: must be base64 (standard alphabet, padded)")
	}
	c, err := h.Sessions.CheckFrame(ctx, call.AccountID(), call.Principal.SessionID, b)
	if err != nil {
		return nil, missing(err, sessions.ErrNotFound, call.Principal.SessionID)
	}
	out := &SessionCheckFrameResponse{OK: c.Problem == "", Faces: c.Faces, Brightness: int(c.Brightness + 0.5)}
	if c.Problem != "" {
		p := frameProblem(c.Problem)
		out.Problem = &p
	}
	return out, nil
}
