package rpc

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// TimeLayout is the one timestamp format of the API: UTC, seconds, no fraction.
const TimeLayout = "2006-01-02T15:04:05Z"

// Timestamp marshals as "YYYY-MM-DDTHH:MM:SSZ" and a zero value as null.
type Timestamp struct{ time.Time }

// NewTimestamp truncates t to seconds in UTC.
func NewTimestamp(t time.Time) Timestamp { return Timestamp{t.UTC().Truncate(time.Second)} }

// TimestampPtr is nil for a nil or zero time, so optional timestamps encode as null.
func TimestampPtr(t *time.Time) *Timestamp {
	if t == nil || t.IsZero() {
		return nil
	}
	ts := NewTimestamp(*t)
	return &ts
}

func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(TimeLayout) + `"`), nil
}

func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = Timestamp{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' {
		return fmt.Errorf("expected timestamp string %s", TimeLayout)
	}
	v, err := time.Parse(time.RFC3339, string(b[1:len(b)-1]))
	if err != nil {
		return fmt.Errorf("expected timestamp string %s", TimeLayout)
	}
	*t = NewTimestamp(v)
	return nil
}

// Value lets a Timestamp be used as a query argument.
func (t Timestamp) Value() (driver.Value, error) { return t.Time, nil }
