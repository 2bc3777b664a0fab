package api

import (
	"context"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/platform/database"
)

// User is a console user (never with a password).
type User struct {
	ID       int64          `json:"id"`
	Email    string         `json:"email"`
	Role     string         `json:"role"`
	Created  rpc.Timestamp  `json:"created"`
	Disabled *rpc.Timestamp `json:"disabled"`
}

func userOf(u *database.ConsoleUser) User {
	return User{ID: u.ID, Email: u.Email, Role: u.Role, Created: rpc.NewTimestamp(u.CreatedAt), Disabled: rpc.TimestampPtr(u.DisabledAt)}
}

// UserCreateRequest adds a console user; without a password one is generated.
type UserCreateRequest struct {
	Email    string      `json:"email" rpc:"required"`
	Role     consoleRole `json:"role" rpc:"required"`
	Password string      `json:"password"` // at least 12 characters
}

// UserCreated is the new user with the password, shown this once.
type UserCreated struct {
	UserID   int64  `json:"user_id"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

// UserIDRequest addresses one user.
type UserIDRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

// UserListRequest takes nothing: an account has few users.
type UserListRequest struct{}

// UserList is every console user of the account.
type UserList struct {
	Data []User `json:"data"`
}

func (h *Handlers) registerUser(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "user.create", Summary: "Add a console user (owner, reviewer or viewer); the password is returned once.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermKeys, MaxBody: smallBody, SideEffects: true}, h.userCreate)
	rpc.Register(reg, rpc.Spec{Name: "user.list", Summary: "List the account's console users.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermKeys, MaxBody: smallBody}, h.userList)
	rpc.Register(reg, rpc.Spec{Name: "user.delete", Summary: "Disable a console user: signed out everywhere, and cannot sign in again.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermKeys, MaxBody: smallBody, SideEffects: true}, h.userDelete)
}

func (h *Handlers) userCreate(ctx context.Context, call *rpc.Call, req *UserCreateRequest) (*UserCreated, error) {
	u, pw, err := h.Accounts.CreateUser(ctx, call.AccountID(), call.Principal.Reach(),
		accounts.UserRequest{Email: req.Email, Role: string(req.Role), Password: req.Password})
	if err != nil {
		return nil, err
	}
	return &UserCreated{UserID: u.ID, Email: u.Email, Role: u.Role, Password: pw}, nil
}

func (h *Handlers) userList(ctx context.Context, call *rpc.Call, _ *UserListRequest) (*UserList, error) {
	rows, err := h.Accounts.ListUsers(ctx, call.AccountID())
	if err != nil {
		return nil, err
	}
	out := &UserList{Data: []User{}}
	for i := range rows {
		out.Data = append(out.Data, userOf(&rows[i]))
	}
	return out, nil
}

func (h *Handlers) userDelete(ctx context.Context, call *rpc.Call, req *UserIDRequest) (*User, error) {
	row, err := h.Accounts.DisableUser(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, err
	}
	u := userOf(row)
	return &u, nil
}
