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
	rgb, w, h := pixelsOf(img)
	if w == 0 || h == 0 {
		return nil, 0, nil
	}
	boxes, err := f.boxes(rgb, w, h)
	if err != nil {
		return nil, 0, err
	}
	var marked time.Duration
	out := make([]Face, 0, len(boxes))
	for _, box := range boxes {
		t0 := time.Now()
		fc, err := f.mark(&raster.Image{Pix: rgb, W: w, H: h}, box)
		if err != nil {
			return nil, 0, err
		}
		marked += time.Since(t0)
		out = append(out, fc.offset(b.Min))
	}
	return out, marked, nil
}

// pixelsOf is img as packed RGB.
func pixelsOf(img image.Image) ([]byte, int, int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return nil, 0, 0
	}
	if m, ok := img.(*raster.Image); ok && b.Min == (image.Point{}) {
		return m.Pix, w, h
	}
	return packRGB(img), w, h
}

// boxes runs the HOG detector on packed RGB.
func (f *finder) boxes(rgb []byte, w, h int) ([]image.Rectangle, error) {
	var det unsafe.Pointer
	select {
	case det = <-f.detectors:
	default:
		if det = C.vd_detector_new(); det == nil {
			return nil, errors.New("face detector: cannot create")
		}
	}
	defer func() {
		select {
		case f.detectors <- det:
		default:
			C.vd_detector_free(det)
		}
	}()
	raw := make([]C.int, 4*maxFaces)
	n := int(C.vd_find(det, (*C.uchar)(unsafe.Pointer(&rgb[0])), C.int(w), C.int(h), &raw[0], C.int(maxFaces)))
	if n < 0 {
		return nil, errors.New("face detector failed")
	}
	out := make([]image.Rectangle, 0, min(n, maxFaces))
	for i := 0; i < min(n, maxFaces); i++ {
		out = append(out, image.Rect(int(raw[4*i]), int(raw[4*i+1]), int(raw[4*i+2]), int(raw[4*i+3])))
	}
	return distinct(out), nil
}

// distinct drops a box lying more than half inside a larger one: the
// detector's second find on the same face (its lower half, on a head
// raised or turned), not a second face; dlib's own suppression keeps it
// unless it overlaps by half the union or lies wholly inside. Another
// person's face cannot hide half behind a face and still be found.
func distinct(boxes []image.Rectangle) []image.Rectangle {
	if len(boxes) < 2 {
		return boxes
	}
	area := func(r image.Rectangle) int { return r.Dx() * r.Dy() }
	var out []image.Rectangle // in the detector's order
	for i, b := range boxes {
		inside := false
		for j, k := range boxes {
			// k outranks b: larger, or as large and found first.
			if j != i && (area(k) > area(b) || area(k) == area(b) && j < i) && 2*area(b.Intersect(k)) > area(b) {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, b)
		}
	}
	return out
}

// mark places the 68 landmarks of the face in box on img.
func (f *finder) mark(img *raster.Image, box image.Rectangle) (Face, error) {
	fc := Face{Box: box, Landmarks: make([]image.Point, LandmarkCount), Points: make([]Point, LandmarkCount)}
	side := markCrop * float64(max(box.Dx(), box.Dy()))
	cx := float64(box.Min.X+box.Max.X) / 2
	cy := float64(box.Min.Y+box.Max.Y)/2 + markShift*side
	pts, err := f.marks.Points(img, cx-side/2, cy-side/2, side)
	if err != nil {
		return fc, err
	}
	for j, p := range pts {
		fc.Landmarks[j] = image.Pt(int(math.Round(p.X)), int(math.Round(p.Y)))
		fc.Points[j] = Point{p.X, p.Y}
	}
	return fc, nil
}

// offset moves a face found in a sub-image to its parent's pixels.
func (fc Face) offset(by image.Point) Face {
	if by == (image.Point{}) {
		return fc
	}
	fc.Box = fc.Box.Add(by)
	for j := range fc.Points {
		fc.Landmarks[j] = fc.Landmarks[j].Add(by)
		fc.Points[j].X += float64(by.X)
		fc.Points[j].Y += float64(by.Y)
	}
	return fc
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
