package imaging

// #include <stdlib.h>
// #include "landmarks.h"
import "C"

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"
)

// LandmarkModelFile is the 68-point landmark net in the models folder: the
// face-api.js net (MIT) converted to ONNX by tools/landmarkmodel.
const LandmarkModelFile = "face_landmark_68.onnx"

// Landmarker places the 68 points of a face found by the detector. Each
// OpenCV net serves one caller at a time: a free list grows to the callers.
type Landmarker struct {
	model []byte
	mu    sync.Mutex
	free  []*C.vd_lmnet
	all   []*C.vd_lmnet
}

// NewLandmarker loads the ONNX model at path.
func NewLandmarker(path string) (*Landmarker, error) {
	model, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l := &Landmarker{model: model}
	n, err := l.get()
	if err != nil {
		return nil, err
	}
	l.put(n)
	return l, nil
}

func (l *Landmarker) get() (*C.vd_lmnet, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k := len(l.free); k > 0 {
		n := l.free[k-1]
		l.free = l.free[:k-1]
		return n, nil
	}
	n := C.vd_lm_new((*C.uchar)(unsafe.Pointer(&l.model[0])), C.size_t(len(l.model)))
	if n == nil {
		return nil, errors.New("the landmark model cannot be read by OpenCV's dnn module")
	}
	l.all = append(l.all, n)
	return n, nil
}

func (l *Landmarker) put(n *C.vd_lmnet) {
	l.mu.Lock()
	l.free = append(l.free, n)
	l.mu.Unlock()
}

// Close frees the nets.
func (l *Landmarker) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range l.all {
		C.vd_lm_free(n)
	}
	l.all, l.free = nil, nil
}

// Points returns the 68 points of the face in the square x0, y0, side of img.
func (l *Landmarker) Points(img *rgbImage, x0, y0, side float64) ([68]Point, error) {
	var pts [68]Point
	n, err := l.get()
	if err != nil {
		return pts, err
	}
	defer l.put(n)
	var out [136]C.float
	if C.vd_lm_run(n, (*C.uchar)(unsafe.Pointer(&img.Pix[0])), C.int(img.W), C.int(img.H), C.double(x0), C.double(y0), C.double(side), &out[0]) != 0 {
		return pts, fmt.Errorf("landmarks failed on a %dx%d image", img.W, img.H)
	}
	for i := range pts {
		pts[i] = Point{float64(out[2*i]), float64(out[2*i+1])}
	}
	return pts, nil
}
