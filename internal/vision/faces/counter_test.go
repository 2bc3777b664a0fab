package faces_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/draw"
	"image/jpeg"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/faces"
)

// frame re-encodes img as a camera frame would come: a JPEG, scaled by
// brightness (1: as it is).
func frame(t *testing.T, img image.Image, brightness float64) []byte {
	t.Helper()
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	for i := range out.Pix {
		if i%4 != 3 {
			out.Pix[i] = byte(float64(out.Pix[i]) * brightness)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decoded(t *testing.T, b []byte) image.Image {
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// sideBySide puts two images next to each other (two people in a frame).
func sideBySide(a, b image.Image) image.Image {
	out := image.NewRGBA(image.Rect(0, 0, a.Bounds().Dx()+b.Bounds().Dx(), max(a.Bounds().Dy(), b.Bounds().Dy())))
	draw.Draw(out, a.Bounds().Sub(a.Bounds().Min), a, a.Bounds().Min, draw.Src)
	draw.Draw(out, b.Bounds().Sub(b.Bounds().Min).Add(image.Pt(a.Bounds().Dx(), 0)), b, b.Bounds().Min, draw.Src)
	return out
}

// TestCounter: the capture page's check of one camera frame, with the HOG
// detector alone (no model files).
func TestCounter(t *testing.T) {
	c := faces.NewCounter(1)
	defer c.Close()
	grace := decoded(t, testenv.ReadPhoto(t, testenv.PhotoGrace512))
	ice := decoded(t, testenv.ReadPhoto(t, testenv.PhotoNoFace))
	cases := []struct {
		name   string
		frame  []byte
		faces  int
		darker bool // brightness under 40
		err    error
	}{
		{"one face", frame(t, grace, 1), 1, false, nil},
		{"no face", frame(t, ice, 1), 0, false, nil},
		{"two faces", frame(t, sideBySide(grace, grace), 1), 2, false, nil},
		{"too dark", frame(t, grace, 0.1), -1, true, nil},
		{"not a JPEG", []byte("GIF89a not a frame"), 0, false, faces.ErrNotJPEG},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Count(context.Background(), tc.frame)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if tc.faces >= 0 && got.Faces != tc.faces {
				t.Errorf("%d faces, want %d", got.Faces, tc.faces)
			}
			if (got.Brightness < 40) != tc.darker {
				t.Errorf("brightness %.0f", got.Brightness)
			}
		})
	}
}

// BenchmarkCounter checks one 640×480 camera frame, as the capture page
// sends it, beside the floor of decoding it.
func BenchmarkCounter(b *testing.B) {
	c := faces.NewCounter(1)
	defer c.Close()
	grace := testenv.ReadPhoto(b, testenv.PhotoGraceHopper)
	img, err := jpeg.Decode(bytes.NewReader(grace))
	if err != nil {
		b.Fatal(err)
	}
	cam := image.NewRGBA(image.Rect(0, 0, 640, 480))
	draw.Draw(cam, cam.Bounds(), img, img.Bounds().Min, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, cam, &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	frame := buf.Bytes()
	if _, err := c.Count(context.Background(), frame); err != nil { // the detector is made on first use
		b.Fatal(err)
	}
	b.Run("floor_decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(frame)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("count", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Count(context.Background(), frame); err != nil {
				b.Fatal(err)
			}
		}
	})
}
