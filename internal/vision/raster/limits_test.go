package raster_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

func TestJPEGScans(t *testing.T) {
	raster.Start()
	progressive := testenv.ReadPhoto(t, testenv.PhotoGrace512) // Debian's copy is progressive: 10 scans
	baseline := testenv.ScaledPhoto(t, testenv.PhotoGrace512, 1)
	bomb := testenv.ScanBomb(t, 600, 400)
	cases := []struct {
		name  string
		src   []byte
		scans int
		ok    bool
	}{
		{"baseline", baseline, 1, true},
		{"progressive", progressive, 10, true},
		{"scan bomb", bomb, 400, true},
		{"truncated", baseline[:len(baseline)/2], 1, false},
		{"not a JPEG", []byte("hello"), 0, false},
		{"a marker past the end", append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x40, 0x00}, make([]byte, 10)...), 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, ok := raster.JPEGScans(tc.src)
			if n != tc.scans || ok != tc.ok {
				t.Fatalf("%d scans (ok %v), want %d (ok %v)", n, ok, tc.scans, tc.ok)
			}
		})
	}
}

// A scan bomb is refused at the upload check, and every decode stops it at
// its first scan too many even when the check was skipped.
func TestScanBombStopped(t *testing.T) {
	raster.Start()
	bomb := testenv.ScanBomb(t, 1500, 3000)
	if _, err := raster.CheckUpload(bomb); !errors.Is(err, raster.ErrUnreadable) || !strings.Contains(err.Error(), "3000 progressive scans") {
		t.Errorf("upload check: %v", err)
	}
	ctx := context.Background()
	if _, err := raster.DecodeTo(ctx, bomb, 8, nil); !errors.Is(err, raster.ErrStopped) {
		t.Errorf("DecodeTo: %v", err)
	}
	if _, _, err := raster.DecodeGray(ctx, bomb, 500); !errors.Is(err, raster.ErrStopped) {
		t.Errorf("DecodeGray: %v", err)
	}
	// libjpeg itself, past the Go check: the progress monitor stops it.
	if img, ok, err := raster.DecodeJPEG(ctx, bomb, 8, nil); !errors.Is(err, raster.ErrStopped) || ok || img != nil {
		t.Errorf("DecodeJPEG: ok %v, %v", ok, err)
	}
	if _, ok, err := raster.DecodeJPEGGray(ctx, bomb, 8); !errors.Is(err, raster.ErrStopped) || ok {
		t.Errorf("DecodeJPEGGray: ok %v, %v", ok, err)
	}
	if _, ok, err := raster.LumaCoefficients(ctx, bomb); !errors.Is(err, raster.ErrStopped) || ok {
		t.Errorf("LumaCoefficients: ok %v, %v", ok, err)
	}
	// At the limit a file is decoded (and this one refused for its bogus
	// progression, as any corrupt file): the limit is the number it says.
	at := testenv.ScanBomb(t, 300, raster.MaxJPEGScans)
	if _, err := raster.DecodeTo(ctx, at, 8, nil); errors.Is(err, raster.ErrStopped) {
		t.Errorf("%d scans stopped: %v", raster.MaxJPEGScans, err)
	}
}

// A decode ends with its job: a context that is done stops it.
func TestDecodeEndsWithItsContext(t *testing.T) {
	raster.Start()
	big := bytes.Clone(testenv.ScanBomb(t, 4000, 1)) // 16 MP, one scan: a legitimate photo's work
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := raster.DecodeTo(done, big, 8, nil); !errors.Is(err, raster.ErrStopped) || !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context: %v", err)
	}
	// A deadline far shorter than the decode (hundreds of ms here) stops it inside libjpeg.
	short, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if _, _, err := raster.DecodeJPEG(short, big, 8, nil); !errors.Is(err, raster.ErrStopped) {
		t.Errorf("a deadline: %v", err)
	}
	if img, err := raster.DecodeTo(context.Background(), big, 8, nil); err != nil || img.W != 4000 {
		t.Errorf("without a deadline: %v", err)
	}
}
