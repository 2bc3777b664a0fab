package imaging

// #cgo CXXFLAGS: -std=c++17 -O3 -DNDEBUG -march=native
// #cgo LDFLAGS: -ldlib -lblas -lcblas -llapack
// #include <stdlib.h>
// #include "hog.h"
import "C"

import (
	"errors"
	"fmt"
	"image"
	"image/draw"
	"time"
	"unsafe"
)

// finder is dlib's HOG detector plus the 68-point shape predictor, called
// directly (no face-recognition network). The shape predictor is shared
// (its use is read-only); each concurrent caller gets its own detector.
type finder struct {
	shapes    unsafe.Pointer
	detectors chan unsafe.Pointer
}

const maxFaces, landmarkCount = 16, 68

func newFinder(shapePredictor string, concurrency int) (*finder, error) {
	cpath := C.CString(shapePredictor)
	defer C.free(unsafe.Pointer(cpath))
	errBuf := make([]byte, 256)
	sp := C.vd_shapes_load(cpath, (*C.char)(unsafe.Pointer(&errBuf[0])), C.int(len(errBuf)))
	if sp == nil {
		return nil, fmt.Errorf("landmark model %s: %s", shapePredictor, C.GoString((*C.char)(unsafe.Pointer(&errBuf[0]))))
	}
	return &finder{shapes: sp, detectors: make(chan unsafe.Pointer, concurrency)}, nil
}

// find returns the faces in img with their 68 landmarks (no descriptors),
// and how long the landmarks took.
func (f *finder) find(img image.Image) ([]Face, time.Duration, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return nil, 0, nil
	}
	var rgb []byte
	if m, ok := img.(*rgbImage); ok && b.Min == (image.Point{}) {
		rgb = m.Pix
	} else {
		rgb = packRGB(img)
	}
	var det unsafe.Pointer
	select {
	case det = <-f.detectors:
	default:
		if det = C.vd_detector_new(); det == nil {
			return nil, 0, errors.New("face detector: cannot create")
		}
	}
	defer func() {
		select {
		case f.detectors <- det:
		default:
			C.vd_detector_free(det)
		}
	}()
	boxes := make([]C.int, 4*maxFaces)
	points := make([]C.int, 2*maxFaces*landmarkCount)
	var landmarkNs C.longlong
	n := int(C.vd_find(det, f.shapes, (*C.uchar)(unsafe.Pointer(&rgb[0])), C.int(w), C.int(h),
		&boxes[0], &points[0], C.int(maxFaces), C.int(landmarkCount), &landmarkNs))
	if n < 0 {
		return nil, 0, errors.New("face detector failed")
	}
	out := make([]Face, 0, min(n, maxFaces))
	for i := 0; i < min(n, maxFaces); i++ {
		fc := Face{Box: image.Rect(int(boxes[4*i]), int(boxes[4*i+1]), int(boxes[4*i+2]), int(boxes[4*i+3])).Add(b.Min)}
		fc.Landmarks = make([]image.Point, landmarkCount)
		for j := range fc.Landmarks {
			k := 2 * (i*landmarkCount + j)
			fc.Landmarks[j] = image.Pt(int(points[k]), int(points[k+1])).Add(b.Min)
		}
		out = append(out, fc)
	}
	return out, time.Duration(landmarkNs), nil
}

// packRGB lays an image out as tightly packed 8-bit RGB.
func packRGB(img image.Image) []byte {
	b := img.Bounds()
	rgba, ok := img.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(b)
		draw.Draw(rgba, b, img, b.Min, draw.Src)
	}
	w, h := b.Dx(), b.Dy()
	out := make([]byte, 3*w*h)
	for y := 0; y < h; y++ {
		row := rgba.Pix[y*rgba.Stride : y*rgba.Stride+4*w]
		o := out[3*w*y:]
		for x := 0; x < w; x++ {
			o[3*x], o[3*x+1], o[3*x+2] = row[4*x], row[4*x+1], row[4*x+2]
		}
	}
	return out
}

func (f *finder) close() {
	for {
		select {
		case d := <-f.detectors:
			C.vd_detector_free(d)
		default:
			C.vd_shapes_free(f.shapes)
			return
		}
	}
}
