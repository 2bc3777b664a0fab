package faces

// #cgo CXXFLAGS: -std=c++17 -O3 -DNDEBUG -march=native
// #cgo LDFLAGS: -ldlib -lblas -lcblas -llapack
// #include <stdlib.h>
// #include "hog.h"
import "C"

import (
	"errors"
	"image"
	"image/draw"
	"math"
	"time"
	"unsafe"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// finder is dlib's HOG detector, called directly (no face-recognition
// network), with the 68 landmarks from the face-api net (marks). Each
// concurrent caller gets its own detector.
type finder struct {
	marks     *Landmarker
	detectors chan unsafe.Pointer
}

// The landmark net's crop around a HOG box: a square 1.3 times the box,
// centred 0.10 of its side below the box's centre: calibrated against dlib's
// own predictor on the Congress portraits (TestEvalLandmarks; docs/models.md).
const (
	markCrop  = 1.3
	markShift = 0.10
)

func newNetFinder(marks *Landmarker, concurrency int) *finder {
	return &finder{marks: marks, detectors: make(chan unsafe.Pointer, concurrency)}
}

const maxFaces, LandmarkCount = 16, 68

// find returns the faces in img with their 68 landmarks (no descriptors),
// and how long the landmarks took.
func (f *finder) find(img image.Image) ([]Face, time.Duration, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return nil, 0, nil
	}
	var rgb []byte
	if m, ok := img.(*raster.Image); ok && b.Min == (image.Point{}) {
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
	n := int(C.vd_find(det, (*C.uchar)(unsafe.Pointer(&rgb[0])), C.int(w), C.int(h), &boxes[0], C.int(maxFaces)))
	if n < 0 {
		return nil, 0, errors.New("face detector failed")
	}
	var marked time.Duration
	out := make([]Face, 0, min(n, maxFaces))
	for i := 0; i < min(n, maxFaces); i++ {
		box := image.Rect(int(boxes[4*i]), int(boxes[4*i+1]), int(boxes[4*i+2]), int(boxes[4*i+3]))
		fc := Face{Box: box.Add(b.Min), Landmarks: make([]image.Point, LandmarkCount), Points: make([]Point, LandmarkCount)}
		t0 := time.Now()
		side := markCrop * float64(max(box.Dx(), box.Dy()))
		cx := float64(box.Min.X+box.Max.X) / 2
		cy := float64(box.Min.Y+box.Max.Y)/2 + markShift*side
		pts, err := f.marks.Points(&raster.Image{Pix: rgb, W: w, H: h}, cx-side/2, cy-side/2, side)
		if err != nil {
			return nil, 0, err
		}
		for j, p := range pts {
			fc.Landmarks[j] = image.Pt(int(math.Round(p.X)), int(math.Round(p.Y))).Add(b.Min)
			fc.Points[j] = Point{p.X + float64(b.Min.X), p.Y + float64(b.Min.Y)}
		}
		marked += time.Since(t0)
		out = append(out, fc)
	}
	return out, marked, nil
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
			return
		}
	}
}
