package idphoto_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Specs of the catalogue with other background colours: Finland's grey and
// Kuwait's blue (its head fills 70–80 % of the frame's height).
var (
	fiPassport = idphoto.Spec{WidthMm: 36, HeightMm: 47, DPI: 300, WidthPx: 425, HeightPx: 555,
		HeadMinMm: 32.9, HeadMaxMm: 37.6, EyeMinMm: 23.5, EyeMaxMm: 30.6, BackgroundHex: "#d0d0d0", SmileAllowed: true}
	kwCivilID = idphoto.Spec{WidthMm: 40, HeightMm: 60, DPI: 300, WidthPx: 472, HeightPx: 709,
		HeadMinMm: 42, HeadMaxMm: 48, EyeMinMm: 30, EyeMaxMm: 39, BackgroundHex: "#309eff", SmileAllowed: true}
)

// portrait reads one of the public-domain portraits in testdata/portraits.
func portrait(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "portraits", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// transformed applies fn to an encoded photo with libvips and encodes it again.
func transformed(t testing.TB, src []byte, fn func(img *vips.ImageRef) error) []byte {
	t.Helper()
	raster.Start()
	img, err := vips.NewImageFromBuffer(src)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if err := fn(img); err != nil {
		t.Fatal(err)
	}
	out, _, err := img.ExportJpeg(&vips.JpegExportParams{Quality: 92})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// cutTop removes the top rows of a photo.
func cutTop(rows int) func(img *vips.ImageRef) error {
	return func(img *vips.ImageRef) error { return img.ExtractArea(0, rows, img.Width(), img.Height()-rows) }
}

func TestProcessReplacesBackground(t *testing.T) {
	p := processor(t)
	cases := []struct {
		name string
		src  func(t *testing.T) []byte
		spec idphoto.Spec
	}{
		{"flags and curtains, US white", func(t *testing.T) []byte { return portrait(t, "obama.jpg") }, usPassport},
		{"flags and curtains, UK off-white", func(t *testing.T) []byte { return portrait(t, "obama.jpg") }, ukPassport},
		{"painting behind, FI grey", func(t *testing.T) []byte { return portrait(t, "biden-tight.jpg") }, fiPassport},
		{"painting behind, KW blue", func(t *testing.T) []byte { return portrait(t, "biden-tight.jpg") }, kwCivilID},
		// 10 px above the hair: the canvas is extended upwards.
		{"head near the top edge", func(t *testing.T) []byte { return transformed(t, portrait(t, "obama.jpg"), cutTop(20)) }, usPassport},
		{"small head in a tall full-length photo", func(t *testing.T) []byte { return portrait(t, "biden-full.jpg") }, usPassport},
		{"dark background", func(t *testing.T) []byte { return testenv.ReadPhoto(t, testenv.PhotoGraceHopper) }, qualitySpec}, // she wears glasses
		{"tilted 8 degrees", func(t *testing.T) []byte {
			return transformed(t, portrait(t, "biden-tight.jpg"), func(img *vips.ImageRef) error {
				return img.Similarity(1, 8, &vips.ColorRGBA{R: 90, G: 70, B: 60, A: 255}, 0, 0, 0, 0)
			})
		}, usPassport},
		// A PNG is decoded whole: its head, over twice the 150 DPI spec's
		// largest, is averaged down once before the renders.
		{"large PNG, head far larger than the spec needs", func(t *testing.T) []byte {
			img, err := vips.NewImageFromBuffer(portrait(t, "obama.jpg"))
			if err != nil {
				t.Fatal(err)
			}
			defer img.Close()
			if err := img.Resize(1.3, vips.KernelLanczos3); err != nil {
				t.Fatal(err)
			}
			out, _, err := img.ExportPng(vips.NewPngExportParams())
			if err != nil {
				t.Fatal(err)
			}
			return out
		}, idphoto.Spec{WidthMm: 35, HeightMm: 45, DPI: 150, WidthPx: 207, HeightPx: 266,
			HeadMinMm: 32, HeadMaxMm: 36, EyeMinMm: 22, EyeMaxMm: 32, BackgroundHex: "#ffffff", SmileAllowed: true}},
		{"off-centre", func(t *testing.T) []byte {
			return transformed(t, portrait(t, "biden-tight.jpg"), func(img *vips.ImageRef) error {
				return img.ExtractArea(0, 0, 1050, 1200) // the face moves right of the middle
			})
		}, usPassport},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := p.Process(context.Background(), tc.src(t), tc.spec, idphoto.Options{})
			checkPixelsBack(t, p)
			if err != nil {
				t.Fatalf("rejected: %v %+v", err, err)
			}
			if d := os.Getenv("VERIDOC_TEST_ARTIFACTS"); d != "" {
				_ = os.WriteFile(filepath.Join(d, "replaced-"+filepath.Base(t.Name())+".jpg"), res.Photo, 0o644)
			}
			checkOutput(t, p, res.Photo, tc.spec)
			if !contains(res.Warnings, idphoto.WarnBackgroundReplaced) {
				t.Errorf("warnings %v lack %s", res.Warnings, idphoto.WarnBackgroundReplaced)
			}
			for _, w := range []string{idphoto.WarnBackgroundUneven, idphoto.WarnBackgroundDark, idphoto.WarnBackgroundColor, idphoto.WarnBackgroundCleaned} {
				if contains(res.Warnings, w) {
					t.Errorf("warnings %v: %s after replacing the background", res.Warnings, w)
				}
			}
			checkReplaced(t, res, tc.spec)
		})
	}
}

// TestProcessTurnedHead: a face turned a little shows one ear far wider of
// the eyes than the other, and on a 35×45 mm spec that ear reaches the
// frame's side. The pipeline measured it as background (BACKGROUND_UNEVEN,
// spread 25); the background itself, beside the other side of the head, is
// the spec's colour.
func TestProcessTurnedHead(t *testing.T) {
	p := processor(t)
	res, err := p.Process(context.Background(), portrait(t, "obama-press.jpg"), ukPassport, idphoto.Options{})
	if err != nil {
		t.Fatalf("rejected: %v", err)
	}
	checkOutput(t, p, res.Photo, ukPassport)
	for _, w := range []string{idphoto.WarnBackgroundUneven, idphoto.WarnBackgroundDark, idphoto.WarnBackgroundColor} {
		if contains(res.Warnings, w) {
			t.Errorf("warnings %v: %s", res.Warnings, w)
		}
	}
	if res.Background.Pixels < 10 || res.Background.Spread > 20 {
		t.Errorf("background measured %+v", res.Background)
	}
	img, err := jpeg.Decode(bytes.NewReader(res.Photo))
	if err != nil {
		t.Fatal(err)
	}
	want := hexColor(t, ukPassport.BackgroundHex)
	pxmm := float64(ukPassport.DPI) / 25.4
	eyeY := float64(ukPassport.HeightPx) - res.EyeLineMm*pxmm
	headPx := res.HeadHeightMm * pxmm
	w := ukPassport.WidthPx
	bad, n := 0, 0
	for y := int(eyeY - 0.5*headPx); y < int(eyeY); y++ {
		for x := int(float64(w)/2 + 0.4*headPx); x < w; x++ {
			n++
			if colourDistance(img.At(x, y), want) > 30 {
				bad++
			}
		}
	}
	if n < 1000 || float64(bad) > 0.03*float64(n) {
		t.Errorf("right of the head %d of %d px are not the background colour", bad, n)
	}
}

// checkReplaced measures the background of a finished photo without the
// pipeline's code: the corners (where a levelling turn would leave wedges)
// and the top strip are the spec's colour, and so is the band beside the head
// between crown and eyes, with nothing of the old background left there.
func checkReplaced(t *testing.T, res *idphoto.Result, spec idphoto.Spec) {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(res.Photo))
	if err != nil {
		t.Fatal(err)
	}
	// A head and shoulders fill a fair share of an ID photo, never all of it.
	if res.PersonCoverage < 0.2 || res.PersonCoverage > 0.85 {
		t.Errorf("the person covers %.2f of the frame", res.PersonCoverage)
	}
	want := hexColor(t, spec.BackgroundHex)
	w, h := spec.WidthPx, spec.HeightPx
	pxmm := float64(spec.DPI) / 25.4
	eyeY := float64(h) - res.EyeLineMm*pxmm
	headPx := res.HeadHeightMm * pxmm
	far := func(x, y int) float64 { return colourDistance(img.At(x, y), want) }
	regions := map[string]image.Rectangle{
		"top-left corner":  image.Rect(0, 0, 12, 12),
		"top-right corner": image.Rect(w-12, 0, w, 12),
		"top strip":        image.Rect(w/4, 0, 3*w/4, 6),
	}
	for name, r := range regions {
		var sum float64
		n := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				sum += far(x, y)
				n++
			}
		}
		if mean := sum / float64(n); mean > 8 {
			t.Errorf("%s: mean distance %.1f from %s", name, mean, spec.BackgroundHex)
		}
	}
	// Beside the head: from the edges to 0.46 head heights off the middle (a
	// head with its ears is about 0.8 head heights wide). Specs whose head
	// fills the width leave no such band.
	off, bad, n := 0, 0, 0
	for y := int(eyeY - 0.5*headPx); y < int(eyeY); y++ {
		if y < 0 {
			continue
		}
		for x := 0; x < w; x++ {
			if math.Abs(float64(x)-float64(w)/2) < 0.46*headPx {
				continue
			}
			n++
			if far(x, y) > 30 {
				bad++
				if far(x, y) > 90 {
					off++
				}
			}
		}
	}
	if n == 0 {
		t.Logf("no band beside the head: the head fills the width")
	}
	// A thin fringe where hair meets a background of like colour is allowed
	// (the net's mask is 256 px); a patch of the old background is not.
	if n > 0 && (float64(bad) > 0.03*float64(n) || float64(off) > 0.01*float64(n)) {
		t.Errorf("beside the head %d of %d px are not the background colour (%d far from it)", bad, n, off)
	}
}

func hexColor(t testing.TB, s string) color.RGBA {
	var c color.RGBA
	if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &c.R, &c.G, &c.B); err != nil {
		t.Fatal(err)
	}
	c.A = 255
	return c
}

func TestProcessReplaceRejects(t *testing.T) {
	p := processor(t)
	cases := []struct {
		name string
		src  func(t *testing.T) []byte
		opt  idphoto.Options
		code string
	}{
		{"two people", func(t *testing.T) []byte { return portrait(t, "two-people.jpg") }, idphoto.Options{}, idphoto.MultipleFaces},
		// 30 px of hair cut off: the head itself would be cut.
		{"head cut by the top edge", func(t *testing.T) []byte { return transformed(t, portrait(t, "obama.jpg"), cutTop(60)) }, idphoto.Options{}, idphoto.HeadSizeInvalid},
		{"head cut by the top edge, keep", func(t *testing.T) []byte { return transformed(t, portrait(t, "obama.jpg"), cutTop(60)) },
			idphoto.Options{Background: idphoto.BackgroundKeep}, idphoto.EyePositionInvalid},
		// The frame would need more below the chest than the photo has.
		{"press-room backdrop, chest cut by the bottom edge", func(t *testing.T) []byte { return portrait(t, "obama-press.jpg") }, idphoto.Options{}, idphoto.EyePositionInvalid},
		{"chin at the bottom edge", func(t *testing.T) []byte {
			return transformed(t, portrait(t, "biden-tight.jpg"), func(img *vips.ImageRef) error { return img.ExtractArea(0, 0, 1200, 760) })
		}, idphoto.Options{}, idphoto.EyePositionInvalid},
		{"small portrait", func(t *testing.T) []byte {
			return transformed(t, portrait(t, "obama.jpg"), func(img *vips.ImageRef) error { return img.Resize(0.16, vips.KernelLanczos3) })
		}, idphoto.Options{}, idphoto.LowResolution},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Process(context.Background(), tc.src(t), usPassport, tc.opt)
			checkPixelsBack(t, p)
			var f *idphoto.Failure
			if !errors.As(err, &f) || f.Code() != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if f.Code() == idphoto.LowResolution && !regexpNumbers.MatchString(f.Reasons[0].Message) {
				t.Errorf("LOW_RESOLUTION without the measured and needed sizes: %q", f.Reasons[0].Message)
			}
		})
	}
}

// TestProcessKeepsBackground: with "keep" the photo's own background stays
// and the warnings describe it.
func TestProcessKeepsBackground(t *testing.T) {
	p := processor(t)
	res, err := p.Process(context.Background(), portrait(t, "obama.jpg"), usPassport, idphoto.Options{Background: idphoto.BackgroundKeep})
	if err != nil {
		t.Fatalf("rejected: %v", err)
	}
	checkOutput(t, p, res.Photo, usPassport)
	if contains(res.Warnings, idphoto.WarnBackgroundReplaced) {
		t.Errorf("warnings %v: replaced although asked to keep", res.Warnings)
	}
	// Red curtains and flags: far from white, and uneven.
	if !contains(res.Warnings, idphoto.WarnBackgroundColor) || !contains(res.Warnings, idphoto.WarnBackgroundUneven) {
		t.Errorf("warnings %v: the kept background is neither white nor plain", res.Warnings)
	}
	if d := colourDistance(res.Background.Mean, color.RGBA{255, 255, 255, 255}); d < 60 {
		t.Errorf("kept background measures %s, close to white", idphoto.Hex(res.Background.Mean))
	}
}

// regexpNumbers matches a message with two sizes in px ("is 120 px … about 354 px").
var regexpNumbers = regexp.MustCompile(`\d+ px.*\d+ px`)
