package rpc

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// ListRequest is embedded by every list method's request.
type ListRequest struct {
	Limit  int    `json:"limit"`  // 1–100, default 20
	Cursor string `json:"cursor"` // next_cursor of the previous page
}

// ListResponse is the envelope of every list method.
type ListResponse[T any] struct {
	Data       []T    `json:"data"`
	HasMore    bool   `json:"has_more"`
	NextCursor string `json:"next_cursor"`
}

// Page is a validated list position: rows with id < BeforeID, newest first;
// for lists ordered by creation time, rows before (BeforeAt, BeforeID).
type Page struct {
	Limit    int
	BeforeID int64     // 0: from the newest
	BeforeAt time.Time // zero unless the cursor came from a list ordered by time
}

// Page validates limit and cursor. Cursors are opaque to clients; they hold the
// last id seen, so pages stay stable while new rows arrive.
func (l ListRequest) Page() (Page, error) {
	p := Page{Limit: l.Limit}
	if p.Limit == 0 {
		p.Limit = 20
	}
	if p.Limit < 1 || p.Limit > 100 {
		return p, ErrInvalidRequest("limit: must be between 1 and 100")
	}
	if l.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(l.Cursor)
		if err != nil {
			return p, ErrInvalidRequest("cursor: is not a cursor returned by this method")
		}
		idPart, atPart, dated := strings.Cut(string(raw), ":")
		id, err := strconv.ParseInt(idPart, 10, 64)
		if err != nil || id <= 0 {
			return p, ErrInvalidRequest("cursor: is not a cursor returned by this method")
		}
		p.BeforeID = id
		if dated {
			ns, err := strconv.ParseInt(atPart, 10, 64)
			if err != nil || ns <= 0 {
				return p, ErrInvalidRequest("cursor: is not a cursor returned by this method")
			}
			p.BeforeAt = time.Unix(0, ns).UTC()
		}
	}
	return p, nil
}

// NewList builds a page from rows fetched with limit+1 (the extra row only
// tells whether there is more). id returns a row's id.
func NewList[T any](rows []T, p Page, id func(T) int64) *ListResponse[T] {
	out := &ListResponse[T]{Data: rows}
	if len(rows) > p.Limit {
		out.Data = rows[:p.Limit]
		out.HasMore = true
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id(out.Data[p.Limit-1]), 10)))
	}
	if out.Data == nil {
		out.Data = []T{}
	}
	return out
}

// NewListAt is NewList for a list ordered by creation time, then id: the
// cursor holds both (the time to the nanosecond: as exact as any database
// keeps it).
func NewListAt[T any](rows []T, p Page, key func(T) (int64, time.Time)) *ListResponse[T] {
	out := NewList(rows, p, func(T) int64 { return 0 })
	if out.HasMore {
		id, at := key(out.Data[p.Limit-1])
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10) + ":" + strconv.FormatInt(at.UnixNano(), 10)))
	}
	return out
}
