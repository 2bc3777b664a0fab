// Package dlibref is dlib's own face detector and 68-point shape predictor,
// for tests only: an independent measure of what the product's landmark net
// finds. The predictor (Debian libdlib-data) was trained on iBUG 300-W data
// whose terms forbid commercial use, so the product never loads it.
package dlibref

// #cgo CXXFLAGS: -std=c++17 -O2 -DNDEBUG
// #cgo LDFLAGS: -ldlib -lblas -lcblas -llapack
// #include <stdlib.h>
// #include "dlibref.h"
import "C"

import (
	"errors"
	"fmt"
	"image"
	"os"
	"unsafe"
)

// PredictorPath is where Debian's libdlib-data puts the predictor.
const PredictorPath = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"

// Face is a face dlib found, with its 68 points.
type Face struct {
	Box    image.Rectangle
	Points [68]image.Point
}

// Ref is a loaded detector and predictor (not safe for concurrent use).
type Ref struct{ p unsafe.Pointer }

// New loads the predictor; it fails when libdlib-data is not installed.
func New() (*Ref, error) {
	if _, err := os.Stat(PredictorPath); err != nil {
		return nil, fmt.Errorf("dlibref: %w (apt-get install libdlib-data)", err)
	}
	cpath := C.CString(PredictorPath)
	defer C.free(unsafe.Pointer(cpath))
	var cerr *C.char
	p := C.vd_ref_new(cpath, &cerr)
	if p == nil {
		defer C.free(unsafe.Pointer(cerr))
		return nil, fmt.Errorf("dlibref: %s", C.GoString(cerr))
	}
	return &Ref{p: p}, nil
}

// Close frees it.
func (r *Ref) Close() { C.vd_ref_free(r.p) }

// Find detects and marks the faces of img.
func (r *Ref) Find(img image.Image) ([]Face, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return nil, nil
	}
	rgb := make([]byte, 0, 3*w*h)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			rgb = append(rgb, byte(cr>>8), byte(cg>>8), byte(cb>>8))
		}
	}
	const maxFaces = 16
	boxes := make([]C.int, 4*maxFaces)
	pts := make([]C.int, 136*maxFaces)
	n := int(C.vd_ref_find(r.p, (*C.uchar)(unsafe.Pointer(&rgb[0])), C.int(w), C.int(h), &boxes[0], &pts[0], maxFaces))
	if n < 0 {
		return nil, errors.New("dlibref: detection failed")
	}
	out := make([]Face, n)
	for i := range out {
		out[i].Box = image.Rect(int(boxes[4*i]), int(boxes[4*i+1]), int(boxes[4*i+2]), int(boxes[4*i+3])).Add(b.Min)
		for j := 0; j < 68; j++ {
			out[i].Points[j] = image.Pt(int(pts[136*i+2*j]), int(pts[136*i+2*j+1])).Add(b.Min)
		}
	}
	return out, nil
}
