package database

import (
	"context"
	"time"
)

// AccountSpec is a photo specification an account defined for itself
// (specification.create), kept as the JSON of the catalogue's type: only
// its account lists, reads or uses it.
type AccountSpec struct {
	ID        int64  `gorm:"primaryKey"`
	AccountID int64  `gorm:"not null;index:idx_account_spec_account"`
	SpecJSON  string `gorm:"type:text;not null"`
	CreatedAt time.Time
}

// CreateAccountSpec stores a new spec; its ID is set.
func (db *DB) CreateAccountSpec(ctx context.Context, s *AccountSpec) error {
	return db.g.WithContext(ctx).Create(s).Error
}

// SetAccountSpecJSON rewrites a spec's JSON (once its id is known).
func (db *DB) SetAccountSpecJSON(ctx context.Context, accountID, id int64, js string) error {
	return db.g.WithContext(ctx).Model(&AccountSpec{}).Where("id = ? AND account_id = ?", id, accountID).Update("spec_json", js).Error
}

// GetAccountSpec loads one of the account's specs.
func (db *DB) GetAccountSpec(ctx context.Context, accountID, id int64) (*AccountSpec, error) {
	var s AccountSpec
	if err := db.g.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Take(&s).Error; err != nil {
		return nil, notFound(err)
	}
	return &s, nil
}

// ListAccountSpecs lists the account's specs, oldest first (an account
// keeps a handful: at most MaxAccountSpecs).
func (db *DB) ListAccountSpecs(ctx context.Context, accountID int64) ([]AccountSpec, error) {
	var out []AccountSpec
	return out, db.g.WithContext(ctx).Where("account_id = ?", accountID).Order("id").Limit(MaxAccountSpecs + 1).Find(&out).Error
}

// MaxAccountSpecs bounds an account's own specs.
const MaxAccountSpecs = 200

// DeleteAccountSpec removes one of the account's specs.
func (db *DB) DeleteAccountSpec(ctx context.Context, accountID, id int64) error {
	res := db.g.WithContext(ctx).Where("id = ? AND account_id = ?", id, accountID).Delete(&AccountSpec{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}
