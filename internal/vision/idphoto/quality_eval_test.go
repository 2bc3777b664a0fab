package idphoto_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
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
