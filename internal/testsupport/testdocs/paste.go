package testdocs

import (
	"image"
	"image/draw"
	"testing"

	xdraw "golang.org/x/image/draw"
)

// PastePortrait forges a document photo as an editor would: another face
// (src, any image) scaled over the portrait found at box, grown by a third
// each way, saved as JPEG at quality q1 first when q1 > 0 (a face taken
// from a photo) or pasted as it is (q1 0: from a PNG), and the page saved
// again at quality q2. The pasted face's grid falls where box puts it,
// seldom on the page's 8×8 one.
func PastePortrait(t testing.TB, doc []byte, box image.Rectangle, src []byte, q1, q2 int) []byte {
	t.Helper()
	page := decodeRGBA(t, doc)
	g := box.Dx() / 3
	r := image.Rect(box.Min.X-g, box.Min.Y-g, box.Max.X+g, box.Max.Y+g).Intersect(page.Rect)
	face := decodeRGBA(t, src)
	scaled := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	xdraw.CatmullRom.Scale(scaled, scaled.Rect, face, face.Rect, xdraw.Src, nil)
	if q1 > 0 {
		scaled = decodeRGBA(t, encodeJPEG(t, scaled, q1))
	}
	draw.Draw(page, r, scaled, image.Point{}, draw.Src)
	return encodeJPEG(t, page, q2)
}

// Resave is the page decoded and saved again at quality q, as an honest
// editor or uploader leaves it.
func Resave(t testing.TB, doc []byte, q int) []byte {
	t.Helper()
	return encodeJPEG(t, decodeRGBA(t, doc), q)
}
