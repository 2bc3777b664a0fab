// Package raster is where an image file becomes pixels: the upload checks
// (type by content, size, pixel count, read from the header before any
// decoding), decoding (libjpeg-turbo at any eighth of the size; libvips for
// PNG, CMYK and colour profiles; PDF pages through poppler), the packed RGB
// image and its pool of mappings, resampling (OpenCV) and JPEG encoding.
// Bytes in, pixels out: no database, no HTTP.
package raster

import (
	"bytes"
	"image"
	_ "image/jpeg" // DecodeConfig for JPEG headers
	_ "image/png"  // DecodeConfig for PNG headers
	"log/slog"
	"sync"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/veridoc/veridoc/internal/platform/fault"
)

var startOnce sync.Once

// Start initialises libvips once per process; later calls do nothing.
func Start() {
	startOnce.Do(func() {
		tuneMalloc()
		vips.LoggingSettings(func(domain string, level vips.LogLevel, msg string) {
			if level <= vips.LogLevelWarning {
				slog.Debug("vips", "domain", domain, "msg", msg)
			}
		}, vips.LogLevelError)
		withoutModules(func() {
			vips.Startup(&vips.Config{ConcurrencyLevel: 1, MaxCacheFiles: 0, MaxCacheMem: 0, MaxCacheSize: 0})
		})
	})
}

// Upload limits.
const (
	MaxUploadBytes  = 15 << 20
	MaxUploadPixels = 60_000_000
)

// Intake rules: an upload they refuse is never queued.
var (
	ErrUnsupportedType = fault.Declare("UnsupportedImageType", fault.UnsupportedMedia)
	ErrTooLarge        = fault.Declare("PhotoTooLarge", fault.TooLarge) // bytes or pixels
	ErrUnreadable      = fault.Declare("InvalidImage", fault.Invalid)
)

// Header is what intake learns without decoding pixels.
type Header struct {
	Format        string // "jpeg" or "png"
	Width, Height int
}

// Sniff identifies JPEG and PNG by their first bytes, never by name or Content-Type.
func Sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	}
	return ""
}

// CheckUpload validates an upload from its bytes and header only: type by
// content, size, pixel count and, for a JPEG, its number of scans (so
// neither a decompression bomb nor a scan bomb is ever decoded).
func CheckUpload(b []byte) (Header, error) {
	if len(b) > MaxUploadBytes {
		return Header{}, ErrTooLarge.New("the photo must be at most %d MB", MaxUploadBytes>>20)
	}
	format := Sniff(b)
	if format == "" {
		return Header{}, ErrUnsupportedType.New("the photo must be a JPEG or PNG image")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return Header{}, ErrUnreadable.New("the photo's header cannot be read")
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxUploadPixels {
		return Header{}, ErrTooLarge.New("the photo must have at most %d megapixels", MaxUploadPixels/1_000_000)
	}
	if format == "jpeg" {
		if err := CheckScans(b); err != nil {
			return Header{}, err
		}
	}
	return Header{Format: format, Width: cfg.Width, Height: cfg.Height}, nil
}
