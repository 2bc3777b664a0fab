package api_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/engines"
)

// TestImageIntegrity: a greyscale copy of a passport, a passport photo
// re-saved by an editor, one with another face pasted over its portrait and
// one photographed off a screen go to a person by default (REVIEW with their
// check); an account that declines them declines.
func TestImageIntegrity(t *testing.T) {
	t.Parallel() // a server of its own, and minutes of jobs: overlaps the others
	doc := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: testenv.ReadPhoto(t, testenv.PhotoGraceHopper), RotateDeg: -2})
	img, _, err := image.Decode(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	grey := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := uint8(0.299*float64(r>>8) + 0.587*float64(g>>8) + 0.114*float64(bl>>8))
			grey.SetRGBA(x, y, color.RGBA{l, l, l, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, grey, &jpeg.Options{Quality: 88}); err != nil {
		t.Fatal(err)
	}
	packet := "http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF><rdf:Description xmp:CreatorTool=\"Adobe Photoshop 25.1 (Windows)\"/></rdf:RDF></x:xmpmeta>"
	n := len(packet) + 2
	edited := append(append(append([]byte{}, doc[:2]...), append([]byte{0xFF, 0xE1, byte(n >> 8), byte(n)}, packet...)...), doc[2:]...)

	s := apitest.WorkerServer(t, testenv.SQLiteURL(t))
	c, _, _, _ := apitest.Account(t, s, "integrity")
	if r := waitSettled(t, c, apitest.SubmitSession(t, c, nil, buf.Bytes())); r.Str("state") != "REVIEW" || !checksAre(r.Body["checks"], "PHOTOCOPY_SUSPECTED") ||
		!strings.HasPrefix(fmt.Sprint(r.Body["evidence"].(map[string]any)["PHOTOCOPY_SUSPECTED"]), "colour spread ") {
		t.Errorf("greyscale copy: %s", r.Raw)
	}
	if r := waitSettled(t, c, apitest.SubmitSession(t, c, nil, edited)); r.Str("state") != "REVIEW" || !checksAre(r.Body["checks"], "EDITED_IMAGE_SUSPECTED") {
		t.Errorf("edited: %s", r.Raw)
	}
	// Another face pasted over the portrait (from a JPEG on its own grid),
	// the page saved again with finer steps than its first save.
	fe, err := (&engines.Set{ModelsDir: testenv.ModelsDir(t)}).Faces()
	if err != nil {
		t.Fatal(err)
	}
	shot, err := fe.MainFace(t.Context(), doc)
	if err != nil {
		t.Fatal(err)
	}
	pasted := testdocs.PastePortrait(t, doc, shot.Box, testenv.ReadPhoto(t, testenv.PhotoGrace512), 70, 95)
	if r := waitSettled(t, c, apitest.SubmitSession(t, c, nil, pasted)); r.Str("state") != "REVIEW" || !checksAre(r.Body["checks"], "EDITED_IMAGE_SUSPECTED") ||
		!strings.HasPrefix(fmt.Sprint(r.Body["evidence"].(map[string]any)["EDITED_IMAGE_SUSPECTED"]), "portrait not saved with the page: ") {
		t.Errorf("a face pasted over the portrait: %s", r.Raw)
	}
	// The same page only saved again: nothing to see.
	if r := waitSettled(t, c, apitest.SubmitSession(t, c, nil, testdocs.Resave(t, doc, 95))); r.Str("state") != "APPROVED" {
		t.Errorf("saved again: %s", r.Raw)
	}
	if r := waitSettled(t, c, apitest.SubmitSession(t, c, nil, testdocs.OnScreen(t, doc, 3))); r.Str("state") != "REVIEW" || !checksAre(r.Body["checks"], "SCREEN_CAPTURE_SUSPECTED") ||
		!strings.HasPrefix(fmt.Sprint(r.Body["evidence"].(map[string]any)["SCREEN_CAPTURE_SUSPECTED"]), "spectrum peaks ") {
		t.Errorf("photographed off a screen: %s", r.Raw)
	}
	if r := c.Call("account.update", map[string]any{"policy": map[string]any{"EDITED_IMAGE_SUSPECTED": "decline"}}); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	if r := waitSettled(t, c, apitest.SubmitSession(t, c, nil, edited)); r.Str("state") != "DECLINED" {
		t.Errorf("edited, declined by policy: %s", r.Raw)
	}
	if r := waitSettled(t, c, apitest.SubmitSession(t, c, nil, doc)); r.Str("state") != "APPROVED" {
		t.Errorf("the plain photo: %s", r.Raw)
	}
}
