package integrity_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	_ "image/png"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/integrity"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

var anna = testdocs.Person{Code: "P<", Issuer: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Number: "L898902C3",
	Nationality: "UTO", Birth: "740812", Sex: "F", Expiry: "340415", Optional: "ZE184226B"}

func inspect(t testing.TB, src []byte) integrity.Findings {
	t.Helper()
	raster.Start()
	img, err := raster.Decode(context.Background(), src, 1)
	if err != nil {
		t.Fatal(err)
	}
	small, err := img.Resized(600)
	if err != nil {
		t.Fatal(err)
	}
	return integrity.Inspect(src, small, grayOf(t, src))
}

// grayOf is the upload's brightness at full size, as the worker reads it.
func grayOf(t testing.TB, src []byte) *image.Gray {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Rect, img, img.Bounds().Min, draw.Src)
	return g
}

// greyCopy is a document as a photocopy gives it: its luma only, under a
// light that tints it (warm: tint > 1 on red), saved as JPEG.
func greyCopy(t testing.TB, src []byte, tint float64) []byte {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	out := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := 0.299*float64(r>>8) + 0.587*float64(g>>8) + 0.114*float64(bl>>8)
			out.SetRGBA(x, y, color.RGBA{uint8(min(255, l*tint)), uint8(l), uint8(l / tint), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 88}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// edited is a JPEG as an editor saves it: an XMP packet naming the tool
// after the start of image (Photoshop, GIMP and others write one).
func edited(src []byte, tool string) []byte {
	packet := "http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF><rdf:Description xmp:CreatorTool=\"" + tool + "\"/></rdf:RDF></x:xmpmeta>"
	n := len(packet) + 2
	seg := append([]byte{0xFF, 0xE1, byte(n >> 8), byte(n)}, packet...)
	return append(append(append([]byte{}, src[:2]...), seg...), src[2:]...)
}

// captioned is a JPEG with an IPTC caption in an APP13 "Photoshop 3.0"
// segment, as a photo manager or exiftool writes one: no editor's save.
func captioned(src []byte) []byte {
	caption := "Passport, taken at the counter"
	iim := append([]byte{0x1C, 0x02, 0x78, 0x00, byte(len(caption))}, caption...)
	res := append([]byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00"), 0, 0, 0, byte(len(iim)))
	res = append(res, iim...)
	if len(iim)%2 == 1 {
		res = append(res, 0)
	}
	n := len(res) + 2
	seg := append([]byte{0xFF, 0xED, byte(n >> 8), byte(n)}, res...)
	return append(append(append([]byte{}, src[:2]...), seg...), src[2:]...)
}

// TestInspect: a colour document passes; its greyscale copy (plain or
// under a warm light), an editor's re-save and a photo of it on a screen
// are found.
func TestInspect(t *testing.T) {
	doc := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: testenv.ReadPhoto(t, testenv.PhotoGraceHopper), RotateDeg: -2})
	cases := []struct {
		name                 string
		src                  []byte
		editor, grey, screen bool
	}{
		{"colour photo", doc, false, false, false},
		{"colour photo with an IPTC caption", captioned(doc), false, false, false},
		{"greyscale copy", greyCopy(t, doc, 1), false, true, false},
		{"greyscale copy under warm light", greyCopy(t, doc, 1.15), false, true, false},
		{"re-saved by Photoshop", edited(doc, "Adobe Photoshop 25.1 (Windows)"), true, false, false},
		{"re-saved by GIMP", edited(doc, "GIMP 2.10.34"), true, false, false},
		{"on a screen", testdocs.OnScreen(t, doc, 1), false, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := inspect(t, c.src)
			if (f.Editor != "") != c.editor || (f.Colour < integrity.GreyscaleColour) != c.grey || (f.Screen > integrity.ScreenLimit) != c.screen {
				t.Errorf("editor %q, colour %.1f, screen %.2f", f.Editor, f.Colour, f.Screen)
			}
		})
	}
}

// TestEvalIntegrity (VERIDOC_EVAL=1): false positives on synthetic
// documents under every photo condition and on the held-out real ones;
// detection on the attacks made from both.
func TestEvalIntegrity(t *testing.T) {
	if os.Getenv("VERIDOC_EVAL") == "" {
		t.Skip("VERIDOC_EVAL=1")
	}
	grace := testenv.ReadPhoto(t, testenv.PhotoGraceHopper)
	conds := map[string]testdocs.Conditions{"plain": {}, "low light": {Light: 0.3, Noise: 10}, "glare": {Glare: 2},
		"hologram": {Hologram: true}, "window": {Window: true}, "in hand": {Hand: true}, "small": {Width: 520}}
	var synth [][]byte
	for _, name := range slices.Sorted(maps.Keys(conds)) { // in one order: the attacks' seeds follow it
		c := conds[name]
		for i := range 10 {
			synth = append(synth, testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: grace, RotateDeg: float64(i%5) - 2,
				Seed: uint64(100 + i), Conditions: c}))
		}
	}
	files, _ := filepath.Glob(filepath.Join(repo.Shared(), "data", "holdout", "realdocs", "mrz", "*.*"))
	var held [][]byte
	var heldNames []string
	for _, f := range files {
		if strings.HasSuffix(f, ".json") {
			continue
		}
		b, _ := os.ReadFile(f)
		held, heldNames = append(held, b), append(heldNames, filepath.Base(f))
	}
	// Each image is inspected once; the counts and spans read the findings.
	inspectAll := func(set [][]byte) []integrity.Findings {
		out := make([]integrity.Findings, len(set))
		for i, b := range set {
			out[i] = inspect(t, b)
		}
		return out
	}
	count := func(fs []integrity.Findings, fn func(integrity.Findings) bool) (n int) {
		for _, f := range fs {
			if fn(f) {
				n++
			}
		}
		return n
	}
	span := func(fs []integrity.Findings, value func(integrity.Findings) float64) (lo, hi float64) {
		lo, hi = 1e9, -1
		for _, f := range fs {
			lo, hi = min(lo, value(f)), max(hi, value(f))
		}
		return lo, hi
	}
	colour := func(f integrity.Findings) float64 { return f.Colour }
	screen := func(f integrity.Findings) float64 { return f.Screen }
	isGrey := func(f integrity.Findings) bool { return f.Colour < integrity.GreyscaleColour }
	isEdited := func(f integrity.Findings) bool { return f.Editor != "" }
	isScreen := func(f integrity.Findings) bool { return f.Screen > integrity.ScreenLimit }
	var greySet, editSet, screenSet [][]byte
	for i, b := range synth {
		greySet = append(greySet, greyCopy(t, b, 1+0.05*float64(i%4)))
		editSet = append(editSet, edited(b, "Adobe Photoshop 25.1 (Windows)"))
		screenSet = append(screenSet, testdocs.OnScreen(t, b, uint64(i)))
	}
	synthF, greyF, editF, screenF := inspectAll(synth), inspectAll(greySet), inspectAll(editSet), inspectAll(screenSet)
	sl, sh := span(synthF, colour)
	gl, gh := span(greyF, colour)
	fmt.Printf("colour spread: synthetic documents %.1f–%.1f, their greyscale copies %.1f–%.1f (limit %.1f)\n", sl, sh, gl, gh, integrity.GreyscaleColour)
	sl, sh = span(synthF, screen)
	rl, rh := span(screenF, screen)
	fmt.Printf("screen peaks: synthetic documents %.2f–%.2f, their screen recaptures %.2f–%.2f (limit %.2f)\n", sl, sh, rl, rh, integrity.ScreenLimit)
	fmt.Printf("synthetic documents (%d, %d conditions): PHOTOCOPY_SUSPECTED %d, EDITED_IMAGE_SUSPECTED %d, SCREEN_CAPTURE_SUSPECTED %d\n",
		len(synth), len(conds), count(synthF, isGrey), count(synthF, isEdited), count(synthF, isScreen))
	fmt.Printf("their screen recaptures: found %d of %d\n", count(screenF, isScreen), len(screenF))
	fmt.Printf("their greyscale copies (plain and tinted): found %d of %d\n", count(greyF, isGrey), len(greyF))
	fmt.Printf("their editor re-saves: found %d of %d\n", count(editF, isEdited), len(editF))
	heldF := inspectAll(held)
	for i, f := range heldF {
		fmt.Printf("  holdout %-38s editor %-16q colour %5.1f screen %.2f\n", heldNames[i], f.Editor, f.Colour, f.Screen)
	}
	var greyHeld, screenHeld [][]byte
	for i, b := range held {
		greyHeld = append(greyHeld, greyCopy(t, b, 1.1))
		screenHeld = append(screenHeld, testdocs.OnScreen(t, b, uint64(1000+i)))
	}
	greyHeldF, screenHeldF := inspectAll(greyHeld), inspectAll(screenHeld)
	fmt.Printf("held-out real documents (%d): PHOTOCOPY_SUSPECTED %d, EDITED_IMAGE_SUSPECTED %d, SCREEN_CAPTURE_SUSPECTED %d; their greyscale copies found %d of %d, their screen recaptures %d of %d\n",
		len(held), count(heldF, isGrey), count(heldF, isEdited), count(heldF, isScreen), count(greyHeldF, isGrey), len(greyHeld), count(screenHeldF, isScreen), len(screenHeld))
	evalPaste(t, synth, held)
}

// evalPaste prints what PastedPortrait finds: on the synthetic documents
// (first saved at 85), those saved again at 85–95, and the same with
// another face pasted over the portrait first (from a JPEG at 60–80 or a
// PNG); on the held-out documents as they are.
func evalPaste(t *testing.T, synth, held [][]byte) {
	fe := faceEngine(t)
	other := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	type tally struct {
		n, shows, found int
		lo, hi          float64
	}
	sets := map[string]*tally{}
	add := func(set string, src []byte) {
		p, ok := pasteOf(t, fe, src)
		if !ok {
			return
		}
		tl := sets[set]
		if tl == nil {
			tl = &tally{lo: 9}
			sets[set] = tl
		}
		tl.n++
		if p.Frequencies > 0 {
			tl.shows++
			tl.lo, tl.hi = min(tl.lo, p.Inside), max(tl.hi, p.Inside)
		}
		if p.Suspected() {
			tl.found++
		}
	}
	for i, b := range synth {
		shot, err := fe.MainFace(context.Background(), b)
		if err != nil {
			continue
		}
		q2 := 85 + i%11
		add("synthetic documents", b)
		add("saved again at 85-95", testdocs.Resave(t, b, q2))
		add("a face pasted, saved at 85-95", testdocs.PastePortrait(t, b, shot.Box, other, []int{0, 60, 70, 80}[i%4], q2))
	}
	for _, b := range held {
		add("held-out real documents", b)
	}
	for _, name := range []string{"synthetic documents", "saved again at 85-95", "a face pasted, saved at 85-95", "held-out real documents"} {
		if tl := sets[name]; tl != nil {
			fill := "-"
			if tl.shows > 0 {
				fill = fmt.Sprintf("%.2f-%.2f", tl.lo, tl.hi)
			}
			fmt.Printf("pasted portrait, %s: %d with a portrait, %d whose page shows an earlier save (portrait fill %s), EDITED_IMAGE_SUSPECTED %d (limit %.2f)\n",
				name, tl.n, tl.shows, fill, tl.found, integrity.PasteLimit)
		}
	}
}

// BenchmarkScreenPeak is the spectrum of one document photo (about
// 1450×1100), the brightness already decoded at full size.
func BenchmarkScreenPeak(b *testing.B) {
	doc := testdocs.Render(b, testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: testenv.ReadPhoto(b, testenv.PhotoGraceHopper), RotateDeg: -2})
	g := grayOf(b, doc)
	for b.Loop() {
		integrity.ScreenPeak(g)
	}
}
