package faces

// #include <stdlib.h>
// #include "landmarks.h"
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// LandmarkModelFile is the 68-point landmark net in the models folder: the
// face-api.js net (MIT) converted to ONNX by tools/landmarkmodel.
const LandmarkModelFile = "face_landmark_68.onnx"

// Landmarker places the 68 points of a face found by the detector.
type Landmarker struct{ *netPool }

// NewLandmarker loads the ONNX model at path and checks that OpenCV reads it.
func NewLandmarker(path string) (*Landmarker, error) {
	p, err := newNetPool("landmark", path, 0)
	if err != nil {
		return nil, err
	}
	return &Landmarker{p}, nil
}

// Points returns the 68 points of the face in the square x0, y0, side of img.
func (l *Landmarker) Points(img *raster.Image, x0, y0, side float64) ([68]Point, error) {
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
