package quality

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"testing"

	"github.com/veridoc/veridoc/internal/vision/faces"
)

// TestHeadPose: the mean face turned by known angles and projected must
// give the angles back (less the level offset the landmark net needs).
func TestHeadPose(t *testing.T) {
	for _, c := range []struct{ yaw, pitch float64 }{{0, 0}, {20, 0}, {-20, 0}, {0, 15}, {0, -15}, {25, 10}} {
		y, p := c.yaw*math.Pi/180, c.pitch*math.Pi/180
		pts := make([]faces.Point, faces.LandmarkCount)
		for _, m := range meanFace {
			// Pitch about x, then yaw about y; then the image's y points down.
			x, yy, z := m.x, m.y*math.Cos(p)+m.z*math.Sin(p), -m.y*math.Sin(p)+m.z*math.Cos(p)
			x = x*math.Cos(y) + z*math.Sin(y) // z is not seen under weak perspective
			pts[m.mark] = faces.Point{X: 300 + 0.5*x, Y: 300 - 0.5*yy}
		}
		yaw, pitch, roll := headPose(pts)
		if math.Abs(yaw-c.yaw) > 1.5 || math.Abs(pitch-pitchOffset-c.pitch) > 1.5 || math.Abs(roll) > 1.5 {
			t.Errorf("turned %+v: read yaw %.1f, pitch %.1f (+offset), roll %.1f", c, yaw, pitch-pitchOffset, roll)
		}
	}
}

// TestJPEGQuality: what the encoder was told comes back within a few.
func TestJPEGQuality(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 32, 32))
	for _, q := range []int{10, 30, 50, 75, 92} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			t.Fatal(err)
		}
		if got := JPEGQuality(buf.Bytes()); math.Abs(float64(got-q)) > 2 {
			t.Errorf("saved at %d, read %d", q, got)
		}
	}
	if got := JPEGQuality([]byte("\x89PNG")); got != 0 {
		t.Errorf("a PNG read %d", got)
	}
}

// TestHueSat: HSV hue and saturation of known colours, and hue distances
// across red.
func TestHueSat(t *testing.T) {
	for _, c := range []struct {
		r, g, b  float64
		hue, sat float64
	}{
		{255, 0, 0, 0, 1}, {0, 255, 0, 120, 1}, {0, 0, 255, 240, 1}, {255, 255, 0, 60, 1},
		{255, 0, 255, 300, 1}, {128, 128, 128, 0, 0}, {200, 150, 100, 30, 0.5}, {0, 0, 0, 0, 0},
	} {
		h, s := hueSat(c.r, c.g, c.b)
		if math.Abs(h-c.hue) > 0.5 || math.Abs(s-c.sat) > 0.01 {
			t.Errorf("%v,%v,%v: hue %.1f sat %.2f, want %.0f %.2f", c.r, c.g, c.b, h, s, c.hue, c.sat)
		}
	}
	for _, c := range []struct{ a, b, want float64 }{{10, 350, 20}, {350, 10, 20}, {0, 180, 180}, {30, 240, 150}} {
		if got := hueApart(c.a, c.b); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("hueApart(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
