package database

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/veridoc/veridoc/internal/platform/seal"
)

// Personal columns carry the tag `gorm:"serializer:sealed"`: GORM encrypts
// them on the way in and decrypts them on the way out with the column
// keyset of the DB that runs the statement (UseSealer puts it in the
// statement's context). Registering the serializer by name is GORM's only
// way; it holds no state, so every DB keeps its own keys.
func init() { schema.RegisterSerializer("sealed", sealedSerializer{}) }

type sealerKey struct{}

func sealerFrom(ctx context.Context) (*seal.Columns, error) {
	if c, ok := ctx.Value(sealerKey{}).(*seal.Columns); ok {
		return c, nil
	}
	return nil, errNoSealer
}

var errNoSealer = errors.New("models: personal columns need a column key (DB.UseSealer was not called)")

type sealedSerializer struct{}

// Scan decrypts a column value into a string or []byte field.
func (sealedSerializer) Scan(ctx context.Context, field *schema.Field, dst reflect.Value, dbValue any) error {
	if dbValue == nil {
		return nil
	}
	c, err := sealerFrom(ctx)
	if err != nil {
		return err
	}
	var raw []byte
	switch v := dbValue.(type) {
	case string:
		raw = []byte(v)
	case []byte:
		raw = v
	default:
		return fmt.Errorf("models: sealed column %s holds %T", field.DBName, dbValue)
	}
	switch field.FieldType.Kind() {
	case reflect.String:
		s, err := c.OpenString(string(raw))
		if err != nil {
			return fmt.Errorf("%s.%s: %w", field.Schema.Table, field.DBName, err)
		}
		return field.Set(ctx, dst, s)
	case reflect.Slice:
		b, err := c.OpenBytes(raw)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", field.Schema.Table, field.DBName, err)
		}
		return field.Set(ctx, dst, b)
	}
	return fmt.Errorf("models: sealed field %s is a %s", field.Name, field.FieldType)
}

// Value encrypts a string or []byte field.
func (sealedSerializer) Value(ctx context.Context, field *schema.Field, dst reflect.Value, fieldValue any) (any, error) {
	c, err := sealerFrom(ctx)
	if err != nil {
		return nil, err
	}
	return sealValue(c, fieldValue)
}

func sealValue(c *seal.Columns, v any) (any, error) {
	switch v := v.(type) {
	case string:
		return c.SealString(v)
	case *string:
		if v == nil {
			return nil, nil
		}
		return c.SealString(*v)
	case []byte:
		return c.SealBytes(v)
	}
	return v, nil // gorm.Expr and the like: SQL, not a value
}

// UseSealer makes every statement of db encrypt and decrypt its personal
// columns with cols.
func (db *DB) UseSealer(cols *seal.Columns) error {
	db.cols = cols
	inject := func(tx *gorm.DB) {
		tx.Statement.Context = context.WithValue(tx.Statement.Context, sealerKey{}, cols)
	}
	// Updates and creates given as maps bypass serializers: seal their values.
	sealMap := func(tx *gorm.DB) {
		m, ok := tx.Statement.Dest.(map[string]any)
		if !ok || tx.Statement.Schema == nil {
			return
		}
		for k, v := range m {
			f := tx.Statement.Schema.LookUpField(k)
			if f == nil {
				continue
			}
			if _, sealed := f.Serializer.(sealedSerializer); !sealed {
				continue
			}
			sv, err := sealValue(cols, v)
			if err != nil {
				_ = tx.AddError(err)
				return
			}
			m[k] = sv
		}
	}
	cb := db.g.Callback()
	for _, err := range []error{
		cb.Create().Before("*").Register("veridoc:sealer", inject),
		cb.Query().Before("*").Register("veridoc:sealer", inject),
		cb.Update().Before("*").Register("veridoc:sealer", inject),
		cb.Delete().Before("*").Register("veridoc:sealer", inject),
		cb.Row().Before("*").Register("veridoc:sealer", inject),
		cb.Raw().Before("*").Register("veridoc:sealer", inject),
		cb.Update().Before("gorm:update").Register("veridoc:seal_map", sealMap),
		cb.Create().Before("gorm:create").Register("veridoc:seal_map", sealMap),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// EncryptionKey is a data keyset wrapped by the master keyring. The keys
// themselves never leave the process in the clear.
type EncryptionKey struct {
	Name        string `gorm:"primaryKey;size:40"`
	Wrapped     []byte `gorm:"not null"`
	MasterKeyID int64  `gorm:"not null"` // the master key that wrapped it
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const columnKeyName = "columns"

// ColumnKeys loads the column keyset, making it on first start. Processes
// that start together race on the insert; the loser reads the winner's.
func (db *DB) ColumnKeys(ctx context.Context, ring *seal.Keyring) (*seal.Columns, error) {
	var row EncryptionKey
	err := db.g.WithContext(ctx).Take(&row, "name = ?", columnKeyName).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		wrapped, werr := seal.NewColumnKeyset(ring)
		if werr != nil {
			return nil, werr
		}
		row = EncryptionKey{Name: columnKeyName, Wrapped: wrapped, MasterKeyID: int64(seal.WrappedBy(wrapped))}
		if err := db.g.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return nil, err
		}
		err = db.g.WithContext(ctx).Take(&row, "name = ?", columnKeyName).Error
	}
	if err != nil {
		return nil, err
	}
	return seal.OpenColumns(row.Wrapped, ring)
}

// indexKeyPrefix names an account's blind-index keyset: "index:<account id>".
const indexKeyPrefix = "index:"

// IndexKeys loads an account's blind-index keyset, making it on first use
// (a race between processes keeps the first insert, as ColumnKeys does).
func (db *DB) IndexKeys(ctx context.Context, ring *seal.Keyring, accountID int64) (*seal.Index, error) {
	name := fmt.Sprintf("%s%d", indexKeyPrefix, accountID)
	var row EncryptionKey
	err := db.g.WithContext(ctx).Take(&row, "name = ?", name).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		wrapped, werr := seal.NewIndexKeyset(ring)
		if werr != nil {
			return nil, werr
		}
		row = EncryptionKey{Name: name, Wrapped: wrapped, MasterKeyID: int64(seal.WrappedBy(wrapped))}
		if err := db.g.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return nil, err
		}
		err = db.g.WithContext(ctx).Take(&row, "name = ?", name).Error
	}
	if err != nil {
		return nil, err
	}
	return seal.OpenIndex(row.Wrapped, ring)
}

// RewrapKeys rewraps every data keyset not wrapped by the ring's primary key;
// it returns how many it rewrapped.
func (db *DB) RewrapKeys(ctx context.Context, ring *seal.Keyring) (int, error) {
	var rows []EncryptionKey
	if err := db.g.WithContext(ctx).Find(&rows).Error; err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		if uint32(r.MasterKeyID) == ring.PrimaryID() {
			continue
		}
		rewrap := seal.RewrapColumnKeyset
		if strings.HasPrefix(r.Name, indexKeyPrefix) {
			rewrap = seal.RewrapIndexKeyset
		}
		w, err := rewrap(r.Wrapped, ring)
		if err != nil {
			return n, fmt.Errorf("rewrap %s: %w", r.Name, err)
		}
		err = db.g.WithContext(ctx).Model(&EncryptionKey{}).Where("name = ?", r.Name).
			Updates(map[string]any{"wrapped": w, "master_key_id": int64(seal.WrappedBy(w)), "updated_at": time.Now().UTC()}).Error
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// KeyUse counts what each master key still wraps in the database.
func (db *DB) KeyUse(ctx context.Context) (map[uint32]int, error) {
	var rows []EncryptionKey
	if err := db.g.WithContext(ctx).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[uint32]int{}
	for _, r := range rows {
		out[uint32(r.MasterKeyID)]++
	}
	return out, nil
}

// SealLegacyRows encrypts personal column values written before encryption
// (they read as they are until then); it returns how many rows it rewrote.
func (db *DB) SealLegacyRows(ctx context.Context) (int, error) {
	n := 0
	for _, m := range Models {
		stmt := &gorm.Statement{DB: db.g}
		if err := stmt.Parse(m); err != nil {
			return n, err
		}
		var cols []string
		for _, f := range stmt.Schema.Fields {
			if _, ok := f.Serializer.(sealedSerializer); ok {
				cols = append(cols, f.DBName)
			}
		}
		if len(cols) == 0 || stmt.Schema.PrioritizedPrimaryField == nil {
			continue
		}
		pk := stmt.Schema.PrioritizedPrimaryField.DBName
		// Read raw values (no model, so no serializer), then update through
		// the model, which seals.
		rows, err := db.g.WithContext(ctx).Table(stmt.Schema.Table).Select(append([]string{pk}, cols...)).Rows()
		if err != nil {
			return n, err
		}
		type legacy struct {
			id   any
			vals map[string]any
		}
		var todo []legacy
		for rows.Next() {
			raw := make([]any, len(cols)+1)
			ptrs := make([]any, len(raw))
			for i := range raw {
				ptrs[i] = &raw[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return n, err
			}
			vals := map[string]any{}
			for i, c := range cols {
				switch v := raw[i+1].(type) {
				case string:
					if v != "" && !seal.IsSealedString(v) {
						vals[c] = v
					}
				case []byte:
					if len(v) > 0 && !seal.IsSealedBytes(v) {
						if stmt.Schema.LookUpField(c).FieldType.Kind() == reflect.String {
							vals[c] = string(v)
						} else {
							vals[c] = append([]byte{}, v...)
						}
					}
				}
			}
			if len(vals) > 0 {
				todo = append(todo, legacy{id: raw[0], vals: vals})
			}
		}
		if err := rows.Close(); err != nil {
			return n, err
		}
		for _, l := range todo {
			if err := db.g.WithContext(ctx).Model(m).Where(pk+" = ?", l.id).UpdateColumns(l.vals).Error; err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
