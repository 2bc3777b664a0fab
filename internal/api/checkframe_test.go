package api_test

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// cameraFrame is a JPEG of imgs side by side, each pixel scaled by light.
func cameraFrame(t *testing.T, light float64, imgs ...[]byte) string {
	t.Helper()
	var parts []image.Image
	w, h := 0, 0
	for _, b := range imgs {
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, img)
		w, h = w+img.Bounds().Dx(), max(h, img.Bounds().Dy())
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	x := 0
	for _, p := range parts {
		draw.Draw(out, p.Bounds().Sub(p.Bounds().Min).Add(image.Pt(x, 0)), p, p.Bounds().Min, draw.Src)
		x += p.Bounds().Dx()
	}
	for i := range out.Pix {
		if i%4 != 3 {
			out.Pix[i] = byte(float64(out.Pix[i]) * light)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return apitest.B64(buf.Bytes())
}

// blank is a grey JPEG of w×h pixels: small on the wire, large decoded.
func blank(t *testing.T, w, h int) []byte {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSessionCheckFrame: an API process with no workers and no models
// tells the capture page whether a camera frame shows one face in enough
// light; only for an open session that asks for liveness, and only for a
// frame a camera makes (no larger, no scan bomb).
func TestSessionCheckFrame(t *testing.T) {
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.Workers = 0 }))
	c, _, _, _ := apitest.Account(t, s, "checkframe")
	grace := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	ice := testenv.ReadPhoto(t, testenv.PhotoNoFace)
	cr := c.Call("session.create", map[string]any{"liveness": "active"})
	dev := apitest.Device(c, cr.Str("token"))
	cases := []struct {
		name    string
		image   string
		status  int
		problem any // the problem's name, or nil
		faces   int64
	}{
		{"one face", cameraFrame(t, 1, grace), 200, nil, 1},
		{"no face", cameraFrame(t, 1, ice), 200, "NO_FACE", 0},
		{"two people", cameraFrame(t, 1, grace, grace), 200, "SEVERAL_FACES", 2},
		{"too dark", cameraFrame(t, 0.1, grace), 200, "TOO_DARK", -1},
		{"not a JPEG", apitest.B64(testenv.PNGHeader(64, 64)), 400, nil, -1},
		{"not base64", "%%%", 400, nil, -1},
		{"over 256 KB", apitest.B64(bytes.Repeat([]byte{0xff}, 300<<10)), 413, nil, -1},
		{"larger than a camera frame", apitest.B64(blank(t, 2000, 2000)), 400, nil, -1},
		{"a scan bomb", apitest.B64(testenv.ScanBomb(t, 320, 400)), 400, nil, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := dev.Call("session.check_frame", map[string]any{"image": tc.image})
			if r.Status != tc.status {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			if r.Status != 200 {
				return
			}
			if r.Body["problem"] != tc.problem || r.Body["ok"] != (tc.problem == nil) || (tc.faces >= 0 && r.Num("faces") != tc.faces) {
				t.Errorf("got %s", r.Raw)
			}
		})
	}
	// Without liveness, or with another's key instead of the token: refused.
	plain := apitest.Device(c, c.Call("session.create", nil).Str("token"))
	if r := plain.Call("session.check_frame", map[string]any{"image": cameraFrame(t, 1, grace)}); r.Status != 409 || r.Str("error_name") != "LivenessNotRequested" {
		t.Errorf("without liveness: %s", r.Raw)
	}
	if r := c.Call("session.check_frame", map[string]any{"image": cameraFrame(t, 1, grace)}); r.Status != 401 && r.Status != 403 {
		t.Errorf("with an API key: %s", r.Raw)
	}
	if r := dev.Call("session.check_frame", nil); r.Status != 400 || !strings.Contains(r.Str("error_message"), "image") {
		t.Errorf("no image: %s", r.Raw)
	}
}
