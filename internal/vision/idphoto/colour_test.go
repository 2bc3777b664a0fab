package idphoto_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
)

// wallPortrait is a head cut out of the astronaut photo onto a uniform
// light-grey wall, scaled up so the head has the pixels a 2×2 in photo needs.
func wallPortrait(t *testing.T, p *idphoto.Processor) []byte {
	t.Helper()
	src, err := png.Decode(bytes.NewReader(testenv.ReadPhoto(t, testenv.PhotoAstronaut)))
	if err != nil {
		t.Fatal(err)
	}
	found, err := p.Faces.Find(src)
	if err != nil || len(found) == 0 {
		t.Fatalf("no face in the astronaut photo: %v", err)
	}
	box := found[0].Box
	const k = 4 // scaled up so the head has the pixels a 2×2 in photo needs
	wall := color.RGBA{224, 221, 214, 255}
	canvas := image.NewRGBA(image.Rect(0, 0, 512*k, 560*k))
	draw.Draw(canvas, canvas.Bounds(), &image.Uniform{wall}, image.Point{}, draw.Src)
	cx, cy := float64(box.Min.X+box.Max.X)/2, float64(box.Min.Y+box.Max.Y)/2-0.2*float64(box.Dy())
	rx, ry := 0.8*float64(box.Dx()), 1.15*float64(box.Dy())
	for y := 0; y < canvas.Bounds().Dy(); y++ {
		for x := 0; x < canvas.Bounds().Dx(); x++ {
			sx, sy := float64(x)/k, float64(y)/k
			dx, dy := (sx-cx)/rx, (sy-cy)/ry
			// The head ellipse, and the neck and shoulders straight below it.
			if dx*dx+dy*dy <= 1 || (sy > cy && sy < 512 && math.Abs(sx-cx) < rx*(0.55+(sy-cy)/ry)) {
				canvas.Set(x, y, src.At(int(sx), int(sy)))
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, canvas, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestProcessCleansBackground: the wall portrait comes out on the spec's
// white, the face untouched.
func TestProcessCleansBackground(t *testing.T) {
	p := processor(t)
	src := wallPortrait(t, p)
	res, err := p.Process(context.Background(), src, usPassport, idphoto.Options{Background: idphoto.BackgroundKeep})
	if err != nil {
		t.Fatalf("rejected: %v", err)
	}
	if d := os.Getenv("VERIDOC_TEST_ARTIFACTS"); d != "" {
		_ = os.WriteFile(filepath.Join(d, "cleaned-in.jpg"), src, 0o644)
		_ = os.WriteFile(filepath.Join(d, "cleaned-out.jpg"), res.Photo, 0o644)
	}
	if !contains(res.Warnings, idphoto.WarnBackgroundCleaned) {
		t.Fatalf("warnings %v: the background was not adjusted", res.Warnings)
	}
	out, err := jpeg.Decode(bytes.NewReader(res.Photo))
	if err != nil {
		t.Fatal(err)
	}
	for _, pt := range []image.Point{{8, 8}, {590, 8}, {8, 300}} {
		r, g, b, _ := out.At(pt.X, pt.Y).RGBA()
		if r>>8 < 246 || g>>8 < 246 || b>>8 < 246 {
			t.Errorf("background at %v is %d,%d,%d, want near white", pt, r>>8, g>>8, b>>8)
		}
	}
	checkOutput(t, p, res.Photo, usPassport)
}

// TestProcessWithoutEdits: for a spec whose office refuses edited photos,
// every background mode keeps the wall as it is (not replaced, not moved to
// white), and asking for another says BACKGROUND_EDIT_NOT_ALLOWED.
func TestProcessWithoutEdits(t *testing.T) {
	p := processor(t)
	src := wallPortrait(t, p)
	spec := usPassport
	spec.NoEdits = true
	for _, tc := range []struct {
		asked   string
		refused bool
	}{{"", true}, {idphoto.BackgroundReplace, true}, {idphoto.BackgroundTransparent, true}, {idphoto.BackgroundKeep, false}} {
		res, err := p.Process(context.Background(), src, spec, idphoto.Options{Background: tc.asked})
		if err != nil {
			t.Fatalf("%q: rejected: %v", tc.asked, err)
		}
		if d := os.Getenv("VERIDOC_TEST_ARTIFACTS"); d != "" {
			_ = os.WriteFile(filepath.Join(d, "no-edits-"+tc.asked+".jpg"), res.Photo, 0o644)
		}
		if res.Mode != idphoto.BackgroundKeep || contains(res.Warnings, idphoto.WarnEditNotAllowed) != tc.refused || res.PNG != nil ||
			contains(res.Warnings, idphoto.WarnBackgroundCleaned) || contains(res.Warnings, idphoto.WarnBackgroundReplaced) {
			t.Errorf("%q: mode %q, warnings %v, png %v", tc.asked, res.Mode, res.Warnings, res.PNG != nil)
		}
		out, err := jpeg.Decode(bytes.NewReader(res.Photo))
		if err != nil {
			t.Fatal(err)
		}
		r, g, b, _ := out.At(8, 8).RGBA()
		if d := math.Abs(float64(r>>8)-224) + math.Abs(float64(g>>8)-221) + math.Abs(float64(b>>8)-214); d > 15 {
			t.Errorf("%q: the corner is %d,%d,%d, want the wall's 224,221,214", tc.asked, r>>8, g>>8, b>>8)
		}
	}
}

// TestProcessConvertsColourProfile: a photo with an embedded colour profile
// other than sRGB (here Adobe RGB, as phones embed Display P3) is converted,
// so the output, which carries no profile, shows the same colours as the same
// photo saved in sRGB.
func TestProcessConvertsColourProfile(t *testing.T) {
	p := processor(t)
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/davidbyttow/govips/v2").Output()
	if err != nil {
		t.Fatalf("govips module folder: %v", err)
	}
	adobe := filepath.Join(strings.TrimSpace(string(out)), "resources", "adobe-rgb.icc")
	if _, err := os.Stat(adobe); err != nil {
		t.Fatal(err)
	}
	plain := compose(t, testenv.PhotoAstronaut, scale(4), false)
	tagged := compose(t, testenv.PhotoAstronaut, func(img *vips.ImageRef) error {
		if err := img.Resize(4, vips.KernelLanczos3); err != nil {
			return err
		}
		return img.TransformICCProfile(adobe) // converts the pixels and embeds the profile
	}, false)
	decode := func(b []byte) image.Image {
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	if d := meanDiff(decode(plain), decode(tagged)); d < 5 {
		t.Fatalf("the Adobe RGB pixels' mean colour differs from sRGB by only %.1f levels: the test proves nothing", d)
	}
	// The photo's own background: a replaced one would weigh the comparison
	// with the two masks' differences.
	keep := idphoto.Options{Background: idphoto.BackgroundKeep}
	a, err := p.Process(context.Background(), plain, usPassport, keep)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Process(context.Background(), tagged, usPassport, keep)
	if err != nil {
		t.Fatal(err)
	}
	if d := meanDiff(decode(a.Photo), decode(b.Photo)); d > 1.5 {
		t.Errorf("the outputs' mean colours differ by %.1f levels: the profile was not converted", d)
	}
}

// meanDiff is the largest difference of the two images' mean channel values
// (means, not pixels: two crops may differ by a pixel's shift).
func meanDiff(a, b image.Image) float64 {
	means := func(img image.Image) (m [3]float64) {
		r := img.Bounds()
		n := 0.0
		for y := r.Min.Y; y < r.Max.Y; y += 2 {
			for x := r.Min.X; x < r.Max.X; x += 2 {
				cr, cg, cb, _ := img.At(x, y).RGBA()
				m[0], m[1], m[2] = m[0]+float64(cr>>8), m[1]+float64(cg>>8), m[2]+float64(cb>>8)
				n++
			}
		}
		return [3]float64{m[0] / n, m[1] / n, m[2] / n}
	}
	ma, mb := means(a), means(b)
	return max(math.Abs(ma[0]-mb[0]), math.Abs(ma[1]-mb[1]), math.Abs(ma[2]-mb[2]))
}
