package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/platform/clientip"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// SessionCreateRequest opens a verification session.
type SessionCreateRequest struct {
	CallbackURL      string `json:"callback_url"`
	FaceVerification bool   `json:"face_verification"`
	Reference        string `json:"reference"`
	PassportOnly     bool   `json:"passport_only"`
	// MinAge declines the session with UNDERAGE when the document's holder
	// is younger (0–125; 0: no check; absent: the account's min_age).
	MinAge *int `json:"min_age"`
	// Liveness: none (a selfie upload), passive (frames judged by the
	// anti-spoofing nets) or active (frames following a challenge of three
	// steps, and the nets); absent: the account's liveness_default.
	Liveness livenessMode `json:"liveness"`
}

// LivenessChallenge is what the frames must answer: the nonce to send with
// them and, for active liveness, the steps to ask for in order.
type LivenessChallenge struct {
	Nonce   string         `json:"nonce"`
	Steps   []livenessStep `json:"steps"`
	Expires rpc.Timestamp  `json:"expires"`
}

// SessionLiveness is the liveness verdict: passed and score are null until
// the frames are judged.
type SessionLiveness struct {
	Mode   livenessMode   `json:"mode"`
	Passed *bool          `json:"passed"`
	Score  *float64       `json:"score"` // the passive nets' live probability, 0–1
	Steps  []LivenessStep `json:"steps"`
	// Problems say why the frames do not prove a live person.
	Problems []string `json:"problems"`
}

// LivenessStep is one step of the challenge, with what was measured.
type LivenessStep struct {
	Step     livenessStep `json:"step"`
	Passed   bool         `json:"passed"`
	Measured string       `json:"measured"`
}

// SessionCreateResponse carries the token for the end user's device.
type SessionCreateResponse struct {
	ID    int64  `json:"id"`
	Token string `json:"token"`
	// VerifyURL is the hosted capture page for this session, to send to the end user.
	VerifyURL string `json:"verify_url"`
	// WebhookSecret signs the callbacks (Standard Webhooks). It is sent once:
	// with the account's first callback_url, when the account has none yet
	// (webhook_secret.rotate makes a new one).
	WebhookSecret string `json:"webhook_secret,omitempty"`
	// Challenge is what the liveness frames answer (passive and active).
	Challenge *LivenessChallenge `json:"challenge,omitempty"`
}

// Session is a session as the integrator sees it.
type Session struct {
	ID               int64         `json:"id"`
	Created          rpc.Timestamp `json:"created"`
	Expires          rpc.Timestamp `json:"expires"`
	State            sessionState  `json:"state"`
	Reference        string        `json:"reference"`
	CallbackURL      string        `json:"callback_url"`
	FaceVerification bool          `json:"face_verification"`
	PassportOnly     bool          `json:"passport_only"`
	MinAge           int           `json:"min_age"`
	UserIP           string        `json:"user_ip"`
	UserAgent        string        `json:"user_agent"`
	GivenNames       string        `json:"given_names"`
	Surname          string        `json:"surname"`
	Nationality      string        `json:"nationality"`
	Sex              string        `json:"sex"`
	DateOfBirth      string        `json:"date_of_birth"`
	PersonalNumber   string        `json:"personal_number"`
	DocumentType     string        `json:"document_type"`
	DocumentNumber   string        `json:"document_number"`
	ExpiryDate       string        `json:"expiry_date"`
	IssuingCountry   string        `json:"issuing_country"`
	Issuer           string        `json:"issuer"`
	Portrait         string        `json:"portrait"` // signed URL of the document portrait
	Face             string        `json:"face"`     // signed URL of the selfie face
	FaceMatchScore   *int          `json:"face_match_score"`
	Checks           []string      `json:"checks"`
	// Evidence is what each failed check measured or found, where it says
	// more than its name (UNDERAGE, DOCUMENT_*, EDITED_IMAGE_SUSPECTED, …).
	Evidence map[string]string `json:"evidence"`
	// What the printed zone above the MRZ shows for the same fields, where
	// it was found: with MRZ_VIZ_MISMATCH, the other value.
	VIZSurname        string `json:"viz_surname"`
	VIZGivenNames     string `json:"viz_given_names"`
	VIZDocumentNumber string `json:"viz_document_number"`
	VIZDateOfBirth    string `json:"viz_date_of_birth"`
	// Liveness is null when the session asks for none.
	Liveness  *SessionLiveness `json:"liveness"`
	Submitted *rpc.Timestamp   `json:"submitted"`
	Finished  *rpc.Timestamp   `json:"finished"`
	Deleted   *rpc.Timestamp   `json:"deleted"`
}

// SessionIDRequest addresses one session.
type SessionIDRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

// SessionDecideRequest is a person's decision on a session in REVIEW.
type SessionDecideRequest struct {
	ID      int64       `json:"id" rpc:"required"`
	State   decideState `json:"state" rpc:"required"`
	Comment string      `json:"comment"`
}

// SessionStateResponse is session.state's answer.
type SessionStateResponse struct {
	State sessionState `json:"state"`
}

// SessionListRequest filters the account's sessions.
type SessionListRequest struct {
	rpc.ListRequest
	State         sessionState   `json:"state"`
	Reference     string         `json:"reference"`
	CreatedAfter  *rpc.Timestamp `json:"created_after"`
	CreatedBefore *rpc.Timestamp `json:"created_before"`
}

// SessionUploadRequest is an image from the end user's device, or with
// kind liveness the camera frames that answer the session's challenge.
type SessionUploadRequest struct {
	Kind  uploadKind `json:"kind" rpc:"required"`
	Image string     `json:"image"` // base64 JPEG or PNG; every kind but liveness
	// Nonce and Frames (8–30 JPEGs with their times in ms since the capture
	// began, in order) are the liveness upload's.
	Nonce  string            `json:"nonce"`
	Frames []LivenessFrameIn `json:"frames"`
	// In a multipart form the frames are file parts named frame, in order,
	// and their times one text part frame_times ("0,200,400").
	Frame      []string `json:"frame"`
	FrameTimes string   `json:"frame_times"`
}

// LivenessFrameIn is one camera frame.
type LivenessFrameIn struct {
	Image string `json:"image" rpc:"required"` // base64 JPEG
	TMs   int64  `json:"t_ms"`
}

// SessionUploadResponse confirms an upload.
type SessionUploadResponse struct {
	Kind  string `json:"kind"`
	Size  int64  `json:"size"`
	State string `json:"state"`
}

// SessionSubmitRequest has no properties: the token names the session.
type SessionSubmitRequest struct{}

// SessionCurrentRequest has no properties: the token names the session.
type SessionCurrentRequest struct{}

// SessionCurrent is what the end user's device may know about its session.
type SessionCurrent struct {
	ID               int64         `json:"id"`
	State            sessionState  `json:"state"`
	Expires          rpc.Timestamp `json:"expires"`
	FaceVerification bool          `json:"face_verification"`
	DocumentFront    bool          `json:"document_front"`
	DocumentBack     bool          `json:"document_back"`
	Selfie           bool          `json:"selfie"`
	// Liveness: with passive or active, the capture page films the frames
	// that answer Challenge instead of taking a selfie.
	Liveness       livenessMode       `json:"liveness"`
	Challenge      *LivenessChallenge `json:"challenge"`
	LivenessFrames bool               `json:"liveness_frames"`
}

// SessionEvent is one recorded state change.
type SessionEvent struct {
	ID        int64         `json:"id"`
	SessionID int64         `json:"session_id"`
	State     string        `json:"state"`
	Reasons   []string      `json:"reasons"`
	Comment   string        `json:"comment"` // a person's decision (session.decide)
	Created   rpc.Timestamp `json:"created"`
}

// SessionEventListRequest names the session.
type SessionEventListRequest struct {
	SessionID int64 `json:"session_id" rpc:"required"`
}

// SessionEventList is every state change of a session, oldest first.
type SessionEventList struct {
	Data []SessionEvent `json:"data"`
}

const (
	uploadBody = 21 << 20 // a 15 MB image in base64
	// checkFrameBody holds one camera frame of sessions.MaxCheckFrame in base64.
	checkFrameBody = sessions.MaxCheckFrame*4/3 + 1024
	sessionURLs    = 15 * time.Minute
)

func (h *Handlers) registerSession(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "session.create", Summary: "Open a verification session; its token goes to the end user's device.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody, SideEffects: true}, h.sessionCreate)
	rpc.Register(reg, rpc.Spec{Name: "session.get", Summary: "Get a session with everything read from the document and the faces.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody}, h.sessionGet)
	rpc.Register(reg, rpc.Spec{Name: "session.state", Summary: "Get only a session's state.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody}, h.sessionState)
	rpc.Register(reg, rpc.Spec{Name: "session.list", Summary: "List the account's sessions, newest first, by state, reference or creation time.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody}, h.sessionList)
	rpc.Register(reg, rpc.Spec{Name: "session.delete", Summary: "Erase a session's images and personal data; an audit stub remains.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody, SideEffects: true}, h.sessionDelete)
	rpc.Register(reg, rpc.Spec{Name: "session.decide", Summary: "Decide a session in REVIEW: APPROVED or DECLINED, with a comment kept on its event.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody, SideEffects: true}, h.sessionDecide)
	rpc.Register(reg, rpc.Spec{Name: "session_event.list", Summary: "List a session's state changes with their times and reasons.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody}, h.sessionEventList)
	rpc.Register(reg, rpc.Spec{Name: "session.upload", Summary: "End user (session token): upload the document front, back or a selfie, or with liveness the camera frames that answer the challenge.",
		Scope: rpc.ScopeSession, MaxBody: uploadBody, Multipart: true}, h.sessionUpload)
	rpc.Register(reg, rpc.Spec{Name: "session.check_frame", Summary: "End user (session token), liveness: say whether one camera frame shows one face in enough light, before the challenge is filmed; nothing is kept.",
		Scope: rpc.ScopeSession, MaxBody: checkFrameBody}, h.sessionCheckFrame)
	rpc.Register(reg, rpc.Spec{Name: "session.submit", Summary: "End user (session token): submit the uploads for verification.",
		Scope: rpc.ScopeSession, MaxBody: smallBody, SideEffects: true}, h.sessionSubmit)
	rpc.Register(reg, rpc.Spec{Name: "session.current", Summary: "End user (session token): the session's state and which uploads it has.",
		Scope: rpc.ScopeSession, MaxBody: smallBody}, h.sessionCurrent)
}

func (h *Handlers) sessionCreate(ctx context.Context, call *rpc.Call, req *SessionCreateRequest) (*SessionCreateResponse, error) {
	if len(req.Reference) > 200 {
		return nil, rpc.ErrInvalidRequest("reference: must be at most 200 characters")
	}
	if req.MinAge != nil && (*req.MinAge < 0 || *req.MinAge > 125) {
		return nil, rpc.ErrInvalidRequest("min_age: 0 to 125 years")
	}
	s, err := h.Sessions.Create(ctx, call.AccountID(), sessions.CreateParams{CallbackURL: req.CallbackURL,
		Reference: req.Reference, FaceVerification: req.FaceVerification, PassportOnly: req.PassportOnly, MinAge: req.MinAge,
		Liveness: string(req.Liveness)})
	if err != nil {
		return nil, err
	}
	return &SessionCreateResponse{ID: s.ID, Token: s.Token, VerifyURL: h.PublicURL + "/verify/" + s.Token, WebhookSecret: s.WebhookSecret,
		Challenge: challengeOf(s.Session)}, nil
}

func (h *Handlers) sessionGet(ctx context.Context, call *rpc.Call, req *SessionIDRequest) (*Session, error) {
	s, err := h.loadSession(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, err
	}
	out, err := h.sessionOf(ctx, s, true)
	if err == nil && (out.Portrait != "" || out.Face != "") {
		h.auditLinks(ctx, call, fmt.Sprintf("session:%d", s.ID))
	}
	return out, err
}

func (h *Handlers) sessionState(ctx context.Context, call *rpc.Call, req *SessionIDRequest) (*SessionStateResponse, error) {
	s, err := h.loadSession(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, err
	}
	return &SessionStateResponse{State: sessionState(s.State)}, nil
}

// loadSession reads a session of the account, expiring it first when its time is up.
func (h *Handlers) loadSession(ctx context.Context, accountID, id int64) (*database.Session, error) {
	s, err := h.Sessions.Load(ctx, accountID, id)
	return s, missing(err, sessions.ErrNotFound, id)
}

func (h *Handlers) sessionList(ctx context.Context, call *rpc.Call, req *SessionListRequest) (*rpc.ListResponse[Session], error) {
	page, err := req.Page()
	if err != nil {
		return nil, err
	}
	f := database.SessionFilter{State: string(req.State), Reference: req.Reference, BeforeID: page.BeforeID, BeforeAt: page.BeforeAt, Limit: page.Limit + 1}
	if req.CreatedAfter != nil {
		f.CreatedAfter = &req.CreatedAfter.Time
	}
	if req.CreatedBefore != nil {
		f.CreatedBefore = &req.CreatedBefore.Time
	}
	rows, err := h.DB.ListSessions(ctx, call.AccountID(), f)
	if err != nil {
		return nil, err
	}
	out := make([]Session, 0, len(rows))
	created := make(map[int64]time.Time, len(rows)) // as stored, for the cursor
	for i := range rows {
		s, err := h.sessionOf(ctx, &rows[i], false)
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
		created[s.ID] = rows[i].CreatedAt
	}
	return rpc.NewListAt(out, page, func(s Session) (int64, time.Time) { return s.ID, created[s.ID] }), nil
}

func (h *Handlers) sessionDelete(ctx context.Context, call *rpc.Call, req *SessionIDRequest) (*Session, error) {
	s, err := h.Eraser.Session(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, sessions.ErrNotFound, req.ID)
	}
	return h.sessionOf(ctx, s, false)
}

func (h *Handlers) sessionDecide(ctx context.Context, call *rpc.Call, req *SessionDecideRequest) (*Session, error) {
	if len(req.Comment) > 2000 {
		return nil, rpc.ErrInvalidRequest("comment: must be at most 2000 characters")
	}
	s, err := h.Sessions.Decide(ctx, call.AccountID(), req.ID, string(req.State), req.Comment)
	if err != nil {
		return nil, missing(err, sessions.ErrNotFound, req.ID)
	}
	return h.sessionOf(ctx, s, false)
}

func (h *Handlers) sessionEventList(ctx context.Context, call *rpc.Call, req *SessionEventListRequest) (*SessionEventList, error) {
	if _, err := h.DB.GetSession(ctx, call.AccountID(), req.SessionID); err != nil {
		return nil, missing(err, sessions.ErrNotFound, req.SessionID)
	}
	rows, err := h.DB.SessionEvents(ctx, req.SessionID)
	if err != nil {
		return nil, err
	}
	out := &SessionEventList{Data: make([]SessionEvent, 0, len(rows))}
	for _, e := range rows {
		reasons := []string{}
		if e.Reasons != "" {
			reasons = strings.Split(e.Reasons, ",")
		}
		out.Data = append(out.Data, SessionEvent{ID: e.ID, SessionID: e.SessionID, State: e.State, Reasons: reasons, Comment: e.Comment,
			Created: rpc.NewTimestamp(e.CreatedAt)})
	}
	return out, nil
}

// sessionOf shapes a session; image links only for a single get.
func (h *Handlers) sessionOf(ctx context.Context, s *database.Session, links bool) (*Session, error) {
	out := &Session{ID: s.ID, Created: rpc.NewTimestamp(s.CreatedAt), Expires: rpc.NewTimestamp(s.ExpiresAt), State: sessionState(s.State),
		Reference: s.Reference, CallbackURL: s.CallbackURL, FaceVerification: s.FaceVerification, PassportOnly: s.PassportOnly, MinAge: s.MinAge,
		UserIP: s.UserIP, UserAgent: s.UserAgent, GivenNames: s.GivenNames, Surname: s.Surname, Nationality: s.Nationality,
		Sex: s.Sex, DateOfBirth: s.DateOfBirth, PersonalNumber: s.PersonalNumber, DocumentType: s.DocumentType,
		DocumentNumber: s.DocumentNumber, ExpiryDate: s.ExpiryDate, IssuingCountry: s.IssuingCountry, Issuer: s.Issuer,
		FaceMatchScore: s.FaceMatchScore, Checks: s.CheckList(), Evidence: s.EvidenceMap(), VIZSurname: s.VIZSurname, VIZGivenNames: s.VIZGivenNames,
		VIZDocumentNumber: s.VIZDocumentNumber, VIZDateOfBirth: s.VIZDateOfBirth, Submitted: rpc.TimestampPtr(s.SubmittedAt),
		Finished: rpc.TimestampPtr(s.FinishedAt), Deleted: rpc.TimestampPtr(s.DeletedAt), Liveness: livenessOf(s)}
	if !links {
		return out, nil
	}
	for key, dst := range map[string]*string{s.PortraitKey: &out.Portrait, s.FaceKey: &out.Face} {
		if key == "" {
			continue
		}
		u, err := h.Store.SignedURL(ctx, key, sessionURLs)
		if err != nil {
			return nil, err
		}
		*dst = u
	}
	return out, nil
}

// --- End-user side (session token) ---

func (h *Handlers) sessionUpload(ctx context.Context, call *rpc.Call, req *SessionUploadRequest) (*SessionUploadResponse, error) {
	if req.Kind == sessions.Liveness {
		return h.livenessUpload(ctx, call, req)
	}
	if req.Image == "" {
		return nil, rpc.ErrInvalidRequest("image: required")
	}
	data, err := base64.StdEncoding.DecodeString(req.Image)
	if err != nil {
		return nil, rpc.ErrInvalidRequest("image: must be base64 (standard alphabet, padded)")
	}
	state, err := h.Sessions.Upload(ctx, call.AccountID(), call.Principal.SessionID, string(req.Kind), data,
		sessions.Client{IP: clientip.From(ctx), UserAgent: call.Request.UserAgent()})
	if err != nil {
		return nil, missing(err, sessions.ErrNotFound, call.Principal.SessionID)
	}
	return &SessionUploadResponse{Kind: string(req.Kind), Size: int64(len(data)), State: state}, nil
}

func (h *Handlers) sessionSubmit(ctx context.Context, call *rpc.Call, _ *SessionSubmitRequest) (*SessionStateResponse, error) {
	state, err := h.Sessions.Submit(ctx, call.AccountID(), call.Principal.SessionID)
	if err != nil {
		return nil, missing(err, sessions.ErrNotFound, call.Principal.SessionID)
	}
	return &SessionStateResponse{State: sessionState(state)}, nil
}

func (h *Handlers) sessionCurrent(ctx context.Context, call *rpc.Call, _ *SessionCurrentRequest) (*SessionCurrent, error) {
	s, err := h.loadSession(ctx, call.AccountID(), call.Principal.SessionID)
	if err != nil {
		return nil, err
	}
	uploads, err := h.DB.SessionUploads(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	_, front := uploads[sessions.DocumentFront]
	_, back := uploads[sessions.DocumentBack]
	_, selfie := uploads[sessions.Selfie]
	_, frames := uploads[sessions.Liveness]
	mode := s.Liveness
	if mode == "" {
		mode = sessions.LivenessNone
	}
	return &SessionCurrent{ID: s.ID, State: sessionState(s.State), Expires: rpc.NewTimestamp(s.ExpiresAt), FaceVerification: s.FaceVerification,
		DocumentFront: front, DocumentBack: back, Selfie: selfie, Liveness: livenessMode(mode), Challenge: challengeOf(s), LivenessFrames: frames}, nil
}
