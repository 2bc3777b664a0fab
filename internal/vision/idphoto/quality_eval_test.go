package idphoto_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
	"github.com/veridoc/veridoc/internal/vision/quality"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// qualitySpec is the US passport's frame with glasses allowed, so that each
// portrait's own glasses do not hide what a degradation does.
var qualitySpec = func() idphoto.Spec { s := usPassport; s.NoGlasses = false; return s }()

// TestEvalQuality (make eval-photos): every generated degradation of every
// base portrait through the US spec, with what each measure read.
func TestEvalQuality(t *testing.T) {
	if os.Getenv("VERIDOC_EVAL") == "" {
		t.Skip("the quality evaluation runs with VERIDOC_EVAL=1 (make eval-photos)")
	}
	p := processor(t)
	bases := []struct {
		name string
		src  []byte
	}{
		{"obama", portrait(t, "obama.jpg")},
		{"biden-tight", portrait(t, "biden-tight.jpg")},
		{"grace-hopper", testenv.ScaledPhoto(t, testenv.PhotoGraceHopper, 1.5)},
		{"astronaut", testenv.ScaledPhoto(t, testenv.PhotoAstronaut, 4)},
	}
	var total, right int
	fmt.Printf("%-14s %-30s %-22s %-22s %s\n", "portrait", "degradation", "result", "expected", "measures")
	for _, b := range bases {
		rows := append([]struct {
			d    degradation
			want string
		}{{degradation{name: "none", fn: nil}, ""}}, degradations()...)
		for _, r := range rows {
			src := b.src
			if r.d.fn != nil {
				src = degrade(t, p.Faces, b.src, r.d)
			}
			res, err := p.Process(context.Background(), src, qualitySpec, idphoto.Options{})
			var f *idphoto.Failure
			result, q := "OK", ""
			switch {
			case errors.As(err, &f):
				result = f.Code()
				for _, rs := range f.Reasons[1:] {
					result += "+" + rs.Code
				}
				if f.Quality != nil {
					q = fmt.Sprintf("%+v", *f.Quality)
				}
			case err != nil:
				t.Fatal(err)
			default:
				q = fmt.Sprintf("%+v %v", res.Quality, res.Warnings)
			}
			total++
			mark := ""
			if (r.want == "" && result == "OK") || (f != nil && f.Code() == r.want) {
				right++
			} else {
				mark = "  UNEXPECTED"
			}
			fmt.Printf("%-14s %-30s %-22s %-22s %s%s\n", b.name, r.d.name, result, orOK(r.want), q, mark)
		}
	}
	fmt.Printf("quality cases answered as expected: %d of %d\n", right, total)
}

// TestEvalFlatCover (make eval-photos): the smooth-cover measure on the
// Congress portraits (real, greyscale, many beards; too small for the
// specs, so measured on the portrait itself), as they are, with a shaded
// dark object over the chin, and with generated hairs there.
func TestEvalFlatCover(t *testing.T) {
	if os.Getenv("VERIDOC_EVAL") == "" {
		t.Skip("the quality evaluation runs with VERIDOC_EVAL=1 (make eval-photos)")
	}
	files, _ := filepath.Glob(filepath.Join(repo.Shared(), "data", "faces", "congress", "*.jpg"))
	if len(files) == 0 {
		t.Skip("no Congress portraits in ../shared")
	}
	p := processor(t)
	const limit = 0.15 // idphoto's maxFlatCover
	sets := []struct {
		name string
		fn   func(*image.RGBA, []faces.Point)
	}{{"as they are", nil}, {"shaded dark object over the chin", nil}, {"dark beard of hairs", nil}}
	values := make([][]float64, len(sets))
	for i, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		found, err := p.Faces.Find(decodeRGBA(t, src))
		if err != nil || len(found) == 0 {
			continue
		}
		lm := found[0].Points
		for k := range sets {
			img := decodeRGBA(t, src)
			switch k {
			case 1:
				shadedOccluder(uint64(i))(img, lm)
			case 2:
				beard(uint64(i), color.RGBA{60, 42, 32, 255})(img, lm)
			}
			values[k] = append(values[k], quality.Assess(rasterOf(img), lm).FlatCover)
		}
	}
	for k, s := range sets {
		v := values[k]
		slices.Sort(v)
		over := len(v) - sort.SearchFloat64s(v, math.Nextafter(limit, 1))
		fmt.Printf("flat cover, %d Congress portraits %-34s p50 %.3f p95 %.3f max %.3f; over %.2f: %d\n",
			len(v), s.name, v[len(v)/2], v[len(v)*95/100], v[len(v)-1], limit, over)
	}
}

// rasterOf is img as packed RGB.
func rasterOf(img *image.RGBA) *raster.Image {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := &raster.Image{W: w, H: h, Pix: make([]byte, 3*w*h)}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := img.RGBAAt(x, y)
			copy(out.Pix[3*(y*w+x):], []byte{c.R, c.G, c.B})
		}
	}
	return out
}
