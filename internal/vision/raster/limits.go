package raster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"
)

// MaxJPEGScans bounds a JPEG's scans. A progressive JPEG's decoder goes over
// the whole image once per scan: camera and editor files have at most about
// 20, so a file with thousands is an attack (a "scan bomb", docs/security.md).
// libjpeg-turbo's own tools stop at 500.
const MaxJPEGScans = 100

// MaxDecodeTime bounds one decode, whatever its context allows: a 60 MP
// baseline JPEG decodes in well under a second.
const MaxDecodeTime = 10 * time.Second

// ErrStopped is a decode stopped before its end: the file has more scans
// than MaxJPEGScans, or the decode ran out of time (its job's, or
// MaxDecodeTime). Nothing else may try to decode the file after it.
var ErrStopped = errors.New("raster: the decode was stopped: too many scans, or out of time")

// budgetOf is the time a decode may take, in milliseconds: what is left of
// ctx, at most MaxDecodeTime. A context already done gives its error.
func budgetOf(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrStopped, err)
	}
	d := MaxDecodeTime
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(dl))
	}
	return max(d.Milliseconds(), 1), nil
}

// stopped is the error of a decode the C side stopped.
func stopped(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrStopped, err)
	}
	return ErrStopped
}

// JPEGScans counts the scans (SOS segments) of a JPEG by walking its markers,
// without decoding anything; ok is false when the marker structure is broken.
func JPEGScans(b []byte) (scans int, ok bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 0, false
	}
	i := 2
	for i+1 < len(b) {
		if b[i] != 0xFF {
			return scans, false
		}
		m := b[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0xD9: // EOI
			return scans, true
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7): // TEM, RSTn: no length
			i += 2
			continue
		}
		if i+3 >= len(b) {
			return scans, false
		}
		end := i + 2 + (int(b[i+2])<<8 | int(b[i+3]))
		if end > len(b) || end < i+4 {
			return scans, false
		}
		i = end
		if m != 0xDA { // SOS: entropy-coded data follows up to the next marker
			continue
		}
		scans++
		if i = nextMarker(b, i); i < 0 {
			return scans, false
		}
	}
	return scans, false
}

// nextMarker finds the marker after entropy-coded data at b[i:]: an 0xFF
// that is neither a stuffed 0x00 nor a restart marker.
func nextMarker(b []byte, i int) int {
	for {
		j := bytes.IndexByte(b[i:], 0xFF)
		if j < 0 || i+j+1 >= len(b) {
			return -1
		}
		i += j
		if n := b[i+1]; n != 0x00 && (n < 0xD0 || n > 0xD7) {
			return i
		}
		i += 2
	}
}

// CheckScans refuses a JPEG with more scans than MaxJPEGScans (the upload
// check; decodes check again, in C and before libvips).
func CheckScans(b []byte) error {
	if n, _ := JPEGScans(b); n > MaxJPEGScans {
		return ErrUnreadable.New("the photo has %d progressive scans; a camera or editor writes at most about 20, and %d are accepted", n, MaxJPEGScans)
	}
	return nil
}
