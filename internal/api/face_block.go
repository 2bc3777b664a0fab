package api

import (
	"context"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// FaceBlock is a face the account refuses from now on; it names the
// session or verification it was taken from (the other id is 0) and keeps
// its own copy of the face (sealed), so erasing that does not lift it.
type FaceBlock struct {
	ID             int64         `json:"id"`
	SessionID      int64         `json:"session_id"`
	VerificationID int64         `json:"verification_id"`
	Reason         string        `json:"reason"`
	Created        rpc.Timestamp `json:"created"`
}

// FaceBlockCreateRequest blocks the face a decided session or a reviewed
// verification kept: exactly one of the two ids.
type FaceBlockCreateRequest struct {
	SessionID      int64  `json:"session_id"`
	VerificationID int64  `json:"verification_id"`
	Reason         string `json:"reason"`
}

// FaceBlockListRequest pages through the account's blocks.
type FaceBlockListRequest struct {
	rpc.ListRequest
}

// FaceBlockIDRequest addresses one block.
type FaceBlockIDRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

// FaceBlockDeleteResponse confirms a deletion.
type FaceBlockDeleteResponse struct {
	ID      int64 `json:"id"`
	Deleted bool  `json:"deleted"`
}

func (h *Handlers) registerFaceBlock(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "face_block.create", Summary: "Block the face a decided session or a reviewed verification kept (its selfie, else its document's portrait): the account's later sessions and verifications with that face fail FACE_BLOCKED.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody, SideEffects: true}, h.faceBlockCreate)
	rpc.Register(reg, rpc.Spec{Name: "face_block.list", Summary: "List the account's face blocks, newest first.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody}, h.faceBlockList)
	rpc.Register(reg, rpc.Spec{Name: "face_block.delete", Summary: "Remove a face block; its copy of the face is erased.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody, SideEffects: true}, h.faceBlockDelete)
}

func faceBlockOf(b *database.Face) FaceBlock {
	return FaceBlock{ID: b.ID, SessionID: b.SessionID, VerificationID: b.VerificationID, Reason: b.Reason, Created: rpc.NewTimestamp(b.CreatedAt)}
}

func (h *Handlers) faceBlockCreate(ctx context.Context, call *rpc.Call, req *FaceBlockCreateRequest) (*FaceBlock, error) {
	var b *database.Face
	var err error
	switch {
	case (req.SessionID == 0) == (req.VerificationID == 0):
		return nil, rpc.ErrInvalidRequest("session_id, verification_id: give exactly one")
	case req.SessionID != 0:
		b, err = h.Sessions.BlockFace(ctx, call.AccountID(), req.SessionID, req.Reason)
	default:
		b, err = h.Verifications.BlockFace(ctx, call.AccountID(), req.VerificationID, req.Reason)
	}
	if err != nil {
		return nil, err
	}
	out := faceBlockOf(b)
	return &out, nil
}

func (h *Handlers) faceBlockList(ctx context.Context, call *rpc.Call, req *FaceBlockListRequest) (*rpc.ListResponse[FaceBlock], error) {
	page, err := req.Page()
	if err != nil {
		return nil, err
	}
	rows, err := h.DB.ListFaceBlocks(ctx, call.AccountID(), page.BeforeID, page.Limit+1)
	if err != nil {
		return nil, err
	}
	out := make([]FaceBlock, len(rows))
	for i := range rows {
		out[i] = faceBlockOf(&rows[i])
	}
	return rpc.NewList(out, page, func(b FaceBlock) int64 { return b.ID }), nil
}

func (h *Handlers) faceBlockDelete(ctx context.Context, call *rpc.Call, req *FaceBlockIDRequest) (*FaceBlockDeleteResponse, error) {
	if err := h.Sessions.UnblockFace(ctx, call.AccountID(), req.ID); err != nil {
		return nil, err
	}
	return &FaceBlockDeleteResponse{ID: req.ID, Deleted: true}, nil
}
