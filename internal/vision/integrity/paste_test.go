package integrity_test

import (
	"context"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/engines"
	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/integrity"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

func faceEngine(t testing.TB) *faces.FaceEngine {
	t.Helper()
	fe, err := (&engines.Set{ModelsDir: testenv.ModelsDir(t)}).Faces()
	if err != nil {
		t.Fatal(err)
	}
	return fe
}

// pasteOf measures a document photo as the worker does: the portrait's box
// from the face engine, the coefficients from the file; ok is false when
// no face is found or the file is no JPEG libjpeg reads cleanly.
func pasteOf(t testing.TB, fe *faces.FaceEngine, src []byte) (integrity.Paste, bool) {
	t.Helper()
	shot, err := fe.MainFace(context.Background(), src)
	if err != nil {
		return integrity.Paste{}, false
	}
	if raster.Sniff(src) != "jpeg" {
		return integrity.Paste{}, false // a PNG has no coefficients to read
	}
	c, ok, err := raster.LumaCoefficients(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return integrity.Paste{}, false // libjpeg warned: as the worker, leave it
	}
	return integrity.PastedPortrait(c, shot.Box), true
}

// TestPastedPortrait: a document photo saved once, or saved again with
// finer steps, keeps one history under its portrait and around it; another
// face pasted over the portrait (from a JPEG on its own grid, or from a PNG)
// and the page saved again does not.
func TestPastedPortrait(t *testing.T) {
	fe := faceEngine(t)
	doc := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: testenv.ReadPhoto(t, testenv.PhotoGraceHopper), RotateDeg: -2})
	shot, err := fe.MainFace(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	other := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	cases := []struct {
		name      string
		src       []byte
		suspected bool
	}{
		{"saved once", doc, false},
		{"saved again at 95", testdocs.Resave(t, doc, 95), false},
		{"saved again at 92", testdocs.Resave(t, doc, 92), false},
		{"a JPEG face pasted, saved at 95", testdocs.PastePortrait(t, doc, shot.Box, other, 70, 95), true},
		{"a JPEG face pasted, saved at 92", testdocs.PastePortrait(t, doc, shot.Box, other, 75, 92), true},
		{"a PNG face pasted, saved at 95", testdocs.PastePortrait(t, doc, shot.Box, other, 0, 95), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, ok := pasteOf(t, fe, c.src)
			if !ok {
				t.Fatal("no face")
			}
			if p.Suspected() != c.suspected {
				t.Fatalf("suspected %v, want %v: %+v", p.Suspected(), c.suspected, p)
			}
		})
	}
}

// BenchmarkPastedPortrait reads a document photo's coefficients (about
// 1450×1100, saved twice) and measures its portrait, as the worker does
// after finding the face; decoding the same file's luma is the floor.
func BenchmarkPastedPortrait(b *testing.B) {
	fe := faceEngine(b)
	doc := testdocs.Resave(b, testdocs.Render(b, testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: testenv.ReadPhoto(b, testenv.PhotoGraceHopper), RotateDeg: -2}), 95)
	shot, err := fe.MainFace(context.Background(), doc)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("floor_decode_luma", func(b *testing.B) {
		for b.Loop() {
			if _, ok, err := raster.DecodeJPEGGray(context.Background(), doc, 8); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("paste", func(b *testing.B) {
		for b.Loop() {
			c, ok, err := raster.LumaCoefficients(context.Background(), doc)
			if err != nil || !ok {
				b.Fatal(ok, err)
			}
			integrity.PastedPortrait(c, shot.Box)
		}
	})
}
