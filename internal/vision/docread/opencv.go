package docread

// #cgo CXXFLAGS: -I/usr/include/opencv4
// #cgo LDFLAGS: -lopencv_imgproc -lopencv_core
// #include "opencv.h"
import "C"

import (
	"image"
	"math"
	"unsafe"
)

// quad is a document's outline: its corners clockwise from the top left.
type quad [4][2]float64

// findQuad finds the outline of the document in g, if its edges show one.
func findQuad(g *image.Gray) (quad, bool) {
	var q [8]C.double
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w < 16 || h < 16 || C.vd_find_quad((*C.uchar)(unsafe.Pointer(&g.Pix[0])), C.int(w), C.int(h), C.int(g.Stride), &q[0]) == 0 {
		return quad{}, false
	}
	var out quad
	for i := range out {
		out[i] = [2]float64{float64(q[2*i]), float64(q[2*i+1])}
	}
	return out, true
}

func (q quad) side(i int) float64 {
	a, b := q[i], q[(i+1)%4]
	return math.Hypot(b[0]-a[0], b[1]-a[1])
}

// foreshortened tells whether the outline is a perspective's and not just
// a turned rectangle's: opposite sides differ in length by more than 4 %.
func (q quad) foreshortened() bool {
	ratio := func(a, b float64) float64 { return max(a, b) / max(1e-9, min(a, b)) }
	return ratio(q.side(0), q.side(2)) > 1.04 || ratio(q.side(1), q.side(3)) > 1.04
}

// scaled is the outline in an image f times larger.
func (q quad) scaled(f float64) quad {
	for i := range q {
		q[i] = [2]float64{(q[i][0]+0.5)*f - 0.5, (q[i][1]+0.5)*f - 0.5}
	}
	return q
}

// unwarp flattens the outlined document of g into an image as wide as its
// longer horizontal side and as tall as its longer vertical side.
func unwarp(g *image.Gray, q quad) *image.Gray {
	dw := int(math.Round(max(q.side(0), q.side(2))))
	dh := int(math.Round(max(q.side(1), q.side(3))))
	out := image.NewGray(image.Rect(0, 0, max(dw, 1), max(dh, 1)))
	var c [8]C.double
	for i := range q {
		c[2*i], c[2*i+1] = C.double(q[i][0]), C.double(q[i][1])
	}
	C.vd_unwarp((*C.uchar)(unsafe.Pointer(&g.Pix[0])), C.int(g.Rect.Dx()), C.int(g.Rect.Dy()), C.int(g.Stride), &c[0],
		(*C.uchar)(unsafe.Pointer(&out.Pix[0])), C.int(out.Rect.Dx()), C.int(out.Rect.Dy()))
	return out
}

// equalized is a copy of g with its contrast equalised in tiles about as
// wide as they are tall (CLAHE, clip limit 3).
func equalized(g *image.Gray) *image.Gray {
	out := image.NewGray(g.Rect)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w == 0 || h == 0 {
		return out
	}
	for y := 0; y < h; y++ {
		copy(out.Pix[y*w:(y+1)*w], g.Pix[y*g.Stride:y*g.Stride+w])
	}
	C.vd_clahe((*C.uchar)(unsafe.Pointer(&out.Pix[0])), C.int(w), C.int(h), C.int(max(1, w/max(1, h))), 3)
	return out
}
