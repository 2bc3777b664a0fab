package raster_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

func TestCheckUpload(t *testing.T) {
	jpegBytes := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	cases := []struct {
		name string
		data []byte
		want error
		says string // in the message
	}{
		{"jpeg", jpegBytes, nil, ""},
		{"text named .jpg", []byte("hello, I am a photo"), raster.ErrUnsupportedType, "JPEG or PNG"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), raster.ErrUnsupportedType, "JPEG or PNG"},
		{"pixel bomb", testenv.PNGHeader(100_000, 100_000), raster.ErrTooLarge, "megapixels"},
		{"just over 60 MP", testenv.PNGHeader(10_000, 6_001), raster.ErrTooLarge, "megapixels"},
		{"60 MP header", testenv.PNGHeader(10_000, 6_000), nil, ""},
		{"broken header", []byte("\xff\xd8\xff\xe0garbage"), raster.ErrUnreadable, "header"},
		{"over 15 MB", append(append([]byte{}, jpegBytes...), make([]byte, 15<<20)...), raster.ErrTooLarge, "15 MB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := raster.CheckUpload(tc.data)
			if !errors.Is(err, tc.want) || (err != nil && !strings.Contains(err.Error(), tc.says)) {
				t.Fatalf("got %v, want %v saying %q", err, tc.want, tc.says)
			}
		})
	}
}
