package idphoto_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/veridoc/veridoc/internal/testsupport/dlibref"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

var (
	procOnce sync.Once
	proc     *idphoto.Processor
	procErr  error
)

func processor(t testing.TB) *idphoto.Processor {
	dir := testenv.ModelsDir(t)
	procOnce.Do(func() {
		var e *faces.FaceEngine
		e, procErr = faces.NewFaceEngine(dir)
		if procErr != nil {
			return
		}
		proc = idphoto.NewProcessor(e)
		// One net, as the app gives two workers.
		proc.Segment, procErr = faces.NewSegmenter(filepath.Join(dir, faces.SegmentModelFile), 1)
	})
	if procErr != nil {
		t.Fatal(procErr)
	}
	return proc
}

// The US takes a natural smile and no glasses; the UK a neutral expression.
var usPassport = idphoto.Spec{WidthMm: 51, HeightMm: 51, DPI: 300, WidthPx: 600, HeightPx: 600,
	HeadMinMm: 25, HeadMaxMm: 35, EyeMinMm: 28, EyeMaxMm: 35, BackgroundHex: "#ffffff", SmileAllowed: true, NoGlasses: true}

// The UK asks for a neutral expression; the test portraits smile, and these
// tests are about frame and background, so their UK spec lets a smile pass
// (TestQualityRules checks the rule itself).
var ukPassport = idphoto.Spec{WidthMm: 35, HeightMm: 45, DPI: 300, WidthPx: 413, HeightPx: 531,
	HeadMinMm: 29, HeadMaxMm: 34, EyeMinMm: 22.5, EyeMaxMm: 29.2, BackgroundHex: "#f0ede8", MaxKB: 60, SmileAllowed: true}

// compose loads a photo and transforms it with libvips, returning encoded bytes.
func compose(t testing.TB, photo testenv.Photo, fn func(img *vips.ImageRef) error, png bool) []byte {
	t.Helper()
	raster.Start()
	img, err := vips.NewImageFromBuffer(testenv.ReadPhoto(t, photo))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if fn != nil {
		if err := fn(img); err != nil {
			t.Fatal(err)
		}
	}
	var out []byte
	if png {
		out, _, err = img.ExportPng(vips.NewPngExportParams())
	} else {
		out, _, err = img.ExportJpeg(&vips.JpegExportParams{Quality: 90})
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func scale(f float64) func(*vips.ImageRef) error {
	return func(img *vips.ImageRef) error { return img.Resize(f, vips.KernelLanczos3) }
}

func TestProcessAccepts(t *testing.T) {
	p := processor(t)
	cases := []struct {
		name     string
		src      func(t *testing.T) []byte
		spec     idphoto.Spec
		warnings []string // must be among the warnings
	}{
		{"astronaut 2048 px, US", func(t *testing.T) []byte { return compose(t, testenv.PhotoAstronaut, scale(4), false) }, usPassport, nil},
		{"astronaut 3072 px, UK with max_kb", func(t *testing.T) []byte { return compose(t, testenv.PhotoAstronaut, scale(6), false) }, ukPassport, nil},
		{"EXIF orientation 6", func(t *testing.T) []byte {
			return compose(t, testenv.PhotoAstronaut, func(img *vips.ImageRef) error {
				if err := img.Resize(4, vips.KernelLanczos3); err != nil {
					return err
				}
				// Stored turned a quarter anticlockwise; the tag tells viewers to turn it back.
				if err := img.Rotate(vips.Angle270); err != nil {
					return err
				}
				return img.SetOrientation(6)
			}, false)
		}, usPassport, nil},
		{"tilted 8 degrees", func(t *testing.T) []byte {
			return compose(t, testenv.PhotoAstronaut, func(img *vips.ImageRef) error {
				if err := img.Resize(4, vips.KernelLanczos3); err != nil {
					return err
				}
				return img.Similarity(1, 8, &vips.ColorRGBA{R: 200, G: 200, B: 200, A: 255}, 0, 0, 0, 0)
			}, false)
		}, usPassport, []string{idphoto.WarnHeadTilted}},
		{"greyscale", func(t *testing.T) []byte {
			return compose(t, testenv.PhotoAstronaut, func(img *vips.ImageRef) error {
				if err := img.ToColorSpace(vips.InterpretationBW); err != nil {
					return err
				}
				return img.Resize(4, vips.KernelLanczos3)
			}, false)
		}, usPassport, nil},
		{"PNG with alpha", func(t *testing.T) []byte {
			return compose(t, testenv.PhotoAstronaut, func(img *vips.ImageRef) error {
				if err := img.Resize(4, vips.KernelLanczos3); err != nil {
					return err
				}
				return img.BandJoinConst([]float64{255})
			}, true)
		}, usPassport, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := p.Process(context.Background(), tc.src(t), tc.spec, idphoto.Options{})
			checkPixelsBack(t, p)
			if err != nil {
				t.Fatalf("rejected: %v %+v", err, err)
			}
			checkOutput(t, p, res.Photo, tc.spec)
			if res.HeadHeightMm < tc.spec.HeadMinMm || res.HeadHeightMm > tc.spec.HeadMaxMm ||
				res.EyeLineMm < tc.spec.EyeMinMm || res.EyeLineMm > tc.spec.EyeMaxMm {
				t.Errorf("reported head %.1f mm, eyes %.1f mm: outside the spec", res.HeadHeightMm, res.EyeLineMm)
			}
			if tc.spec.MaxKB > 0 && len(res.Photo) > tc.spec.MaxKB*1024 {
				t.Errorf("%d bytes, over max_kb %d", len(res.Photo), tc.spec.MaxKB)
			}
			for _, w := range tc.warnings {
				if !contains(res.Warnings, w) {
					t.Errorf("warnings %v lack %s", res.Warnings, w)
				}
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(res.Sheet))
			if err != nil || cfg.Width != 1200 || cfg.Height != 1800 {
				t.Errorf("4x6 sheet %dx%d %v", cfg.Width, cfg.Height, err)
			}
			if dpi := jfifDPI(res.Sheet); dpi != 300 {
				t.Errorf("sheet DPI %d", dpi)
			}
			checkA4(t, res.SheetA4, res.Photo)
		})
	}
}

// checkOutput measures the photo itself: pixel size, DPI in the file, colour,
// no metadata, and head and eye bands found again by detection.
// checkPixelsBack: a Process call that returned, accepted or refused, has
// given every pooled image back (they are mappings the collector never frees).
func checkPixelsBack(t *testing.T, p *idphoto.Processor) {
	t.Helper()
	if n := idphoto.PixelsOut(p); n != 0 {
		t.Errorf("%d pooled images not freed", n)
	}
}

func checkOutput(t *testing.T, p *idphoto.Processor, photo []byte, spec idphoto.Spec) {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(photo))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != spec.WidthPx || b.Dy() != spec.HeightPx {
		t.Errorf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), spec.WidthPx, spec.HeightPx)
	}
	if _, ok := img.(*image.YCbCr); !ok {
		t.Errorf("not a colour JPEG: %T", img)
	}
	if dpi := jfifDPI(photo); dpi != spec.DPI {
		t.Errorf("DPI in the file %d, want %d", dpi, spec.DPI)
	}
	if bytes.Contains(photo, []byte("Exif\x00\x00")) {
		t.Error("EXIF metadata kept")
	}
	m, err := p.Measure(context.Background(), photo, spec)
	if err != nil {
		t.Fatalf("measure: %v", err)
	}
	if m.HeadHeightMm < spec.HeadMinMm || m.HeadHeightMm > spec.HeadMaxMm {
		t.Errorf("head measures %.1f mm, band %g–%g", m.HeadHeightMm, spec.HeadMinMm, spec.HeadMaxMm)
	}
	if m.EyeLineMm < spec.EyeMinMm || m.EyeLineMm > spec.EyeMaxMm {
		t.Errorf("eye line measures %.1f mm, band %g–%g", m.EyeLineMm, spec.EyeMinMm, spec.EyeMaxMm)
	}
	checkIndependently(t, p, photo, img, spec)
}

// dlibRef is dlib's own detector and 68-point predictor, loaded once for
// every test that measures independently.
var dlibRef = sync.OnceValues(dlibref.New)

// checkIndependently measures the photo without the model under test: eyes
// and chin from dlib's 68-point predictor (internal/dlibref), and, on a plain
// background, the crown as the first row from the top whose middle differs
// from the background. Its own error allows 1 mm on the head and 0.5 mm on
// the eye line beyond the bands.
func checkIndependently(t *testing.T, p *idphoto.Processor, photo []byte, img image.Image, spec idphoto.Spec) {
	t.Helper()
	ref, err := dlibRef()
	if err != nil {
		t.Fatal(err)
	}
	found, err := ref.Find(img)
	if err != nil {
		t.Fatalf("dlib on the output: %v", err)
	}
	if len(found) == 0 {
		t.Errorf("dlib finds no face on the output")
		return
	}
	f := found[0]
	mean := func(idx ...int) (float64, float64) {
		var x, y float64
		for _, i := range idx {
			x += float64(f.Points[i].X)
			y += float64(f.Points[i].Y)
		}
		return x / float64(len(idx)), y / float64(len(idx))
	}
	eyeX, eyeY := mean(36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47)
	_, chinY := mean(8)
	pxmm := float64(spec.DPI) / 25.4
	h := float64(img.Bounds().Dy())
	if eye := (h - eyeY) / pxmm; eye < spec.EyeMinMm-0.5 || eye > spec.EyeMaxMm+0.5 {
		t.Errorf("dlib's eye line: %.1f mm, band %g–%g", eye, spec.EyeMinMm, spec.EyeMaxMm)
	}
	// The background's colour from the top corners; a busy one gives no crown.
	bg, spread := cornerColour(img)
	if spread > 6 {
		return
	}
	w := img.Bounds().Dx()
	x0, x1 := max(0, int(eyeX)-w/10), min(w, int(eyeX)+w/10)
	for y := 0; y < int(eyeY); y++ {
		off := 0
		for x := x0; x < x1; x++ {
			if colourDistance(img.At(x, y), bg) > 40 {
				off++
			}
		}
		if off*5 >= x1-x0 {
			if head := (chinY - float64(y)) / pxmm; head < spec.HeadMinMm-1 || head > spec.HeadMaxMm+1 {
				t.Errorf("head by dlib's chin and the background edge: %.1f mm, band %g–%g", head, spec.HeadMinMm, spec.HeadMaxMm)
			}
			return
		}
	}
}

// cornerColour is the mean colour of the two top corners (10×10 px) and its
// largest channel spread.
func cornerColour(img image.Image) (color.RGBA, float64) {
	b := img.Bounds()
	var sum, sq [3]float64
	n := 0.0
	for _, x0 := range []int{b.Min.X, b.Max.X - 10} {
		for y := b.Min.Y; y < b.Min.Y+10; y++ {
			for x := x0; x < x0+10; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				for i, v := range []float64{float64(r >> 8), float64(g >> 8), float64(bl >> 8)} {
					sum[i] += v
					sq[i] += v * v
				}
				n++
			}
		}
	}
	spread := 0.0
	for i := range sum {
		m := sum[i] / n
		spread = math.Max(spread, math.Sqrt(math.Max(0, sq[i]/n-m*m)))
	}
	return color.RGBA{uint8(sum[0] / n), uint8(sum[1] / n), uint8(sum[2] / n), 255}, spread
}

// jfifDPI reads the density of a JFIF APP0 segment (0 when absent or not in DPI).
func jfifDPI(b []byte) int {
	i := bytes.Index(b, []byte("JFIF\x00"))
	if i < 0 || i+12 > len(b) {
		return 0
	}
	units, x := b[i+7], int(binary.BigEndian.Uint16(b[i+8:]))
	switch units {
	case 1:
		return x
	case 2: // dots per cm
		return int(math.Round(float64(x) * 2.54))
	}
	return 0
}

func TestProcessRejects(t *testing.T) {
	p := processor(t)
	big := compose(t, testenv.PhotoAstronaut, scale(4), false)
	cases := []struct {
		name string
		src  func(t *testing.T) []byte
		code string
	}{
		{"no face", func(t *testing.T) []byte { return compose(t, testenv.PhotoNoFace, scale(2), false) }, idphoto.NoFaceDetected},
		{"two faces", func(t *testing.T) []byte {
			return compose(t, testenv.PhotoAstronaut, func(img *vips.ImageRef) error {
				if err := img.Resize(2, vips.KernelLanczos3); err != nil {
					return err
				}
				twin, err := img.Copy()
				if err != nil {
					return err
				}
				defer twin.Close()
				return img.ArrayJoin([]*vips.ImageRef{twin}, 2)
			}, false)
		}, idphoto.MultipleFaces},
		{"too small", func(t *testing.T) []byte { return testenv.ReadPhoto(t, testenv.PhotoGrace512) }, idphoto.LowResolution},
		// A small portrait (about 150 px wide, the face about 50 px): the face is
		// found on an enlarged copy, and the answer is the resolution, not "no face".
		{"small portrait", func(t *testing.T) []byte { return compose(t, testenv.PhotoAstronaut, scale(0.3), false) }, idphoto.LowResolution},
		{"head cut by the top edge", func(t *testing.T) []byte {
			return compose(t, testenv.PhotoAstronaut, func(img *vips.ImageRef) error {
				if err := img.Resize(4, vips.KernelLanczos3); err != nil {
					return err
				}
				return img.ExtractArea(0, 300, 2048, 1748) // cuts through the hair
			}, false)
		}, idphoto.HeadSizeInvalid},
		{"truncated JPEG", func(t *testing.T) []byte { return big[:len(big)*6/10] }, idphoto.ProcessingFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Process(context.Background(), tc.src(t), usPassport, idphoto.Options{})
			checkPixelsBack(t, p)
			var f *idphoto.Failure
			if !errors.As(err, &f) || f.Code() != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if f.Reasons[0].Message == "" || f.Reasons[0].Suggestion == "" {
				t.Errorf("reason without message or suggestion: %+v", f.Reasons[0])
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// checkA4 opens the A4 sheet with poppler: one A4 page, and the photo found
// in it at its own pixel size (embedded unchanged).
func checkA4(t *testing.T, pdf, photo []byte) {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("A4 sheet is not a PDF")
	}
	path := filepath.Join(t.TempDir(), "a4.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil || !strings.Contains(string(info), "(A4)") || !regexp.MustCompile(`Pages:\s+1\n`).Match(info) {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	imgs, err := exec.Command("pdfimages", "-list", path).CombinedOutput()
	cfg, _ := jpeg.DecodeConfig(bytes.NewReader(photo))
	if err != nil || !regexp.MustCompile(fmt.Sprintf(`image\s+%d\s+%d\s+rgb\s+3\s+8\s+jpeg`, cfg.Width, cfg.Height)).Match(imgs) {
		t.Errorf("pdfimages (photo %dx%d): %v\n%s", cfg.Width, cfg.Height, err, imgs)
	}
}
