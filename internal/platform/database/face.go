package database

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Face is a face an account has seen (a session's selfie, else its
// document's portrait) or refuses (a block), for the 1:N search. Rows are
// never updated but to be deleted, and a deleted row stays, without its
// descriptor, so that processes holding the faces in memory see it go
// (FaceChanges); the retention sweep drops old tombstones.
type Face struct {
	ID             int64  `gorm:"primaryKey;index:idx_face_account,priority:2"`
	AccountID      int64  `gorm:"not null;index:idx_face_changes,priority:1;index:idx_face_account,priority:1"`
	SessionID      int64  `gorm:"not null;default:0;index:idx_face_session"`
	VerificationID int64  `gorm:"not null;default:0;index:idx_face_verification"`
	Descriptor     []byte `gorm:"serializer:sealed;type:bytes"` // 128 float32, little-endian; nil once deleted
	// DocKey and PersonKey are blind indexes of the holder's document and
	// of their name and birth date (empty: not read).
	DocKey    string `gorm:"size:32;not null;default:''"`
	PersonKey string `gorm:"size:32;not null;default:''"`
	Block     bool   `gorm:"not null;default:false"`
	Reason    string `gorm:"size:500;not null;default:''"`
	Deleted   bool   `gorm:"not null;default:false"`
	CreatedAt time.Time
	UpdatedAt time.Time `gorm:"index:idx_face_changes,priority:2"`
}

// EncodeDescriptor and DecodeDescriptor store a face descriptor as bytes.
func EncodeDescriptor(d [128]float32) []byte {
	out := make([]byte, 4*len(d))
	for i, x := range d {
		binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(x))
	}
	return out
}

// DecodeDescriptor reads what EncodeDescriptor wrote.
func DecodeDescriptor(b []byte) ([128]float32, error) {
	var d [128]float32
	if len(b) != 4*len(d) {
		return d, fmt.Errorf("face descriptor of %d bytes, want %d", len(b), 4*len(d))
	}
	for i := range d {
		d[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return d, nil
}

// CreateFace stores a face; its ID is set.
func (tx *Tx) CreateFace(f *Face) error { return tx.g.Create(f).Error }

// CreateFace stores a face outside a transaction.
func (db *DB) CreateFace(ctx context.Context, f *Face) error {
	return db.g.WithContext(ctx).Create(f).Error
}

// FaceChange is a face row's state, without its descriptor.
type FaceChange struct {
	ID        int64
	Deleted   bool
	UpdatedAt time.Time
}

// FaceChanges lists the account's faces changed at or after since, oldest
// change first.
func (db *DB) FaceChanges(ctx context.Context, accountID int64, since time.Time) ([]FaceChange, error) {
	var out []FaceChange
	err := db.g.WithContext(ctx).Model(&Face{}).Select("id", "deleted", "updated_at").
		Where("account_id = ? AND updated_at >= ?", accountID, since).Order("updated_at, id").Find(&out).Error
	return out, err
}

// LiveFaces pages through the account's faces by id (after afterID).
func (db *DB) LiveFaces(ctx context.Context, accountID, afterID int64, limit int) ([]Face, error) {
	var out []Face
	err := db.g.WithContext(ctx).Where("account_id = ? AND id > ? AND NOT deleted", accountID, afterID).
		Order("id").Limit(limit).Find(&out).Error
	return out, err
}

// FacesByID reads the account's live faces with these ids.
func (db *DB) FacesByID(ctx context.Context, accountID int64, ids []int64) ([]Face, error) {
	var out []Face
	if len(ids) == 0 {
		return out, nil
	}
	err := db.g.WithContext(ctx).Where("account_id = ? AND id IN ? AND NOT deleted", accountID, ids).Find(&out).Error
	return out, err
}

// CountLiveFaces is how many faces the account holds.
func (db *DB) CountLiveFaces(ctx context.Context, accountID int64) (int64, error) {
	var n int64
	err := db.g.WithContext(ctx).Model(&Face{}).Where("account_id = ? AND NOT deleted", accountID).Count(&n).Error
	return n, err
}

// AccountsWithFaces lists the accounts that hold a face.
func (db *DB) AccountsWithFaces(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := db.g.WithContext(ctx).Model(&Face{}).Where("NOT deleted").Distinct().Pluck("account_id", &ids).Error
	return ids, err
}

// SessionFace is the face a session left (not a block), ErrNotFound if none.
func (db *DB) SessionFace(ctx context.Context, accountID, sessionID int64) (*Face, error) {
	var f Face
	err := db.g.WithContext(ctx).Where("account_id = ? AND session_id = ? AND NOT block AND NOT deleted", accountID, sessionID).
		Take(&f).Error
	return &f, notFound(err)
}

// ListFaceBlocks pages through the account's face blocks, newest first.
func (db *DB) ListFaceBlocks(ctx context.Context, accountID, beforeID int64, limit int) ([]Face, error) {
	q := db.g.WithContext(ctx).Omit("descriptor").Where("account_id = ? AND block AND NOT deleted", accountID)
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	var out []Face
	return out, q.Order("id DESC").Limit(limit).Find(&out).Error
}

// DeleteFaceBlock deletes one of the account's face blocks.
func (db *DB) DeleteFaceBlock(ctx context.Context, accountID, id int64, at time.Time) error {
	res := db.g.WithContext(ctx).Model(&Face{}).Where("id = ? AND account_id = ? AND block AND NOT deleted", id, accountID).
		Updates(map[string]any{"descriptor": nil, "deleted": true, "updated_at": at})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// KeepVerificationFace stores the face a verification's review kept, in
// place of one an earlier review of it kept.
func (tx *Tx) KeepVerificationFace(f *Face) error {
	if err := tx.eraseFaces("verification_id", f.VerificationID, f.UpdatedAt); err != nil {
		return err
	}
	return tx.g.Create(f).Error
}

// VerificationFace is the face a verification left (not a block),
// ErrNotFound if none.
func (db *DB) VerificationFace(ctx context.Context, accountID, verificationID int64) (*Face, error) {
	var f Face
	err := db.g.WithContext(ctx).Where("account_id = ? AND verification_id = ? AND NOT block AND NOT deleted", accountID, verificationID).
		Take(&f).Error
	return &f, notFound(err)
}

// eraseFaces deletes the faces a session or verification left (blocks
// taken from it stay: the account chose to keep them).
func (tx *Tx) eraseFaces(column string, id int64, at time.Time) error {
	return tx.g.Model(&Face{}).Where(column+" = ? AND NOT block AND NOT deleted", id).
		Updates(map[string]any{"descriptor": nil, "deleted": true, "updated_at": at}).Error
}

// DropFaceTombstones removes deleted faces last changed before cutoff:
// every process has seen them go by then.
func (db *DB) DropFaceTombstones(ctx context.Context, cutoff time.Time) (int64, error) {
	res := db.g.WithContext(ctx).Where("deleted AND updated_at < ?", cutoff).Delete(&Face{})
	return res.RowsAffected, res.Error
}
