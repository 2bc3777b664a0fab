package api

import (
	"context"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// DocumentBlock is a document the account refuses from now on; it names
// the session it was taken from, never the document itself.
type DocumentBlock struct {
	ID        int64         `json:"id"`
	SessionID int64         `json:"session_id"`
	Reason    string        `json:"reason"`
	Created   rpc.Timestamp `json:"created"`
}

// DocumentBlockCreateRequest blocks the document a decided session read.
type DocumentBlockCreateRequest struct {
	SessionID int64  `json:"session_id" rpc:"required"`
	Reason    string `json:"reason"`
}

// DocumentBlockListRequest pages through the account's blocks.
type DocumentBlockListRequest struct {
	rpc.ListRequest
}

// DocumentBlockIDRequest addresses one block.
type DocumentBlockIDRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

// DocumentBlockDeleteResponse confirms a deletion.
type DocumentBlockDeleteResponse struct {
	ID      int64 `json:"id"`
	Deleted bool  `json:"deleted"`
}

func (h *Handlers) registerDocumentBlock(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "document_block.create", Summary: "Block the document a decided session read: the account's later sessions with it fail DOCUMENT_BLOCKED.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody, SideEffects: true}, h.documentBlockCreate)
	rpc.Register(reg, rpc.Spec{Name: "document_block.list", Summary: "List the account's document blocks, newest first.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody}, h.documentBlockList)
	rpc.Register(reg, rpc.Spec{Name: "document_block.delete", Summary: "Remove a document block.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermSessions, MaxBody: smallBody, SideEffects: true}, h.documentBlockDelete)
}

func blockOf(b *database.DocumentBlock) DocumentBlock {
	return DocumentBlock{ID: b.ID, SessionID: b.SessionID, Reason: b.Reason, Created: rpc.NewTimestamp(b.CreatedAt)}
}

func (h *Handlers) documentBlockCreate(ctx context.Context, call *rpc.Call, req *DocumentBlockCreateRequest) (*DocumentBlock, error) {
	b, err := h.Sessions.BlockDocument(ctx, call.AccountID(), req.SessionID, req.Reason)
	if err != nil {
		return nil, err
	}
	out := blockOf(b)
	return &out, nil
}

func (h *Handlers) documentBlockList(ctx context.Context, call *rpc.Call, req *DocumentBlockListRequest) (*rpc.ListResponse[DocumentBlock], error) {
	page, err := req.Page()
	if err != nil {
		return nil, err
	}
	rows, err := h.DB.ListDocumentBlocks(ctx, call.AccountID(), page.BeforeID, page.Limit+1)
	if err != nil {
		return nil, err
	}
	out := make([]DocumentBlock, len(rows))
	for i := range rows {
		out[i] = blockOf(&rows[i])
	}
	return rpc.NewList(out, page, func(b DocumentBlock) int64 { return b.ID }), nil
}

func (h *Handlers) documentBlockDelete(ctx context.Context, call *rpc.Call, req *DocumentBlockIDRequest) (*DocumentBlockDeleteResponse, error) {
	if err := h.Sessions.Unblock(ctx, call.AccountID(), req.ID); err != nil {
		return nil, err
	}
	return &DocumentBlockDeleteResponse{ID: req.ID, Deleted: true}, nil
}
