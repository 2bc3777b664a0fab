// Package faces holds the neural nets that look at people: the face
// detector (dlib's HOG, confirmed by its CNN), the 68 landmarks (the face-api
// net on OpenCV dnn), the descriptor that compares two faces (dlib's ResNet)
// and the person segmentation that separates someone from the background
// (MediaPipe's net). Pixels in, faces out.
package faces

import (
	"context"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Point is a position in pixels of some image.
type Point struct{ X, Y float64 }

// Face is one detected face in the coordinates of the image it was found in.
type Face struct {
	Box       image.Rectangle
	Landmarks []image.Point // dlib's 68-point layout
	// Points are the same landmarks unrounded: measures of small openings
	// (eyelids, lips) on a small copy need the fractions.
	Points     []Point
	Descriptor [128]float32 // dlib ResNet embedding, for face matching
}

// FaceEngine detects faces (dlib HOG), their 68 landmarks (the face-api
// net) and descriptors (dlib's ResNet, aligned on those landmarks). It is safe
// for concurrent use. The descriptor net and the CNN detector load on first
// use, so a photo worker that only detects never holds them.
type FaceEngine struct {
	dir    string
	finder *finder
	descr  *dlibPool
	cnn    *dlibPool
}

// Model files of the descriptor net and the CNN (MMOD) detector.
const (
	DescriptorModelFile = "dlib_face_recognition_resnet_model_v1.dat"
	CNNModelFile        = "mmod_human_face_detector.dat"
)

// ModelFiles are the files NewFaceEngine loads from its directory (make
// models): the landmark net for detection, the descriptor net and the CNN
// detector (these two on first use).
var ModelFiles = []string{LandmarkModelFile, DescriptorModelFile, CNNModelFile}

// NewFaceEngine loads the models from dir.
func NewFaceEngine(dir string) (*FaceEngine, error) {
	raster.Start() // the process's image settings, the C heap's among them
	for _, f := range ModelFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, fmt.Errorf("face models: %s missing in %s (run make models)", f, dir)
		}
	}
	marks, err := NewLandmarker(filepath.Join(dir, LandmarkModelFile))
	if err != nil {
		return nil, fmt.Errorf("face models: %w", err)
	}
	n := runtime.GOMAXPROCS(0)
	return &FaceEngine{dir: dir, finder: newNetFinder(marks, n),
		// Half as many descriptor nets as cores: a descriptor is 20 ms of a
		// job of several hundred, so callers seldom wait, and each net is
		// about 30 MB resident (make eval-liveness: two workers' peak).
		descr: newDescriptorPool(filepath.Join(dir, DescriptorModelFile), max(1, n/2)),
		cnn:   newCNNPool(filepath.Join(dir, CNNModelFile), 1)}, nil
}

// Close frees the models.
func (e *FaceEngine) Close() {
	e.finder.close()
	e.descr.close()
	e.cnn.close()
}

// Find detects faces and their landmarks in an image, without descriptors
// (keep it small: HOG time grows with area).
func (e *FaceEngine) Find(img image.Image) ([]Face, error) {
	faces, _, err := e.finder.find(img)
	return faces, err
}

// Detect finds the faces in a JPEG or PNG with their descriptors (keep it
// near 1000 px: HOG time grows with area).
func (e *FaceEngine) Detect(ctx context.Context, src []byte) ([]Face, error) {
	img, err := raster.Decode(ctx, src, 1)
	if err != nil {
		return nil, fmt.Errorf("face detection: cannot read image: %w", err)
	}
	return e.detect(img)
}

func (e *FaceEngine) detect(img *raster.Image) ([]Face, error) {
	faces, _, err := e.finder.find(img)
	if err != nil {
		return nil, err
	}
	for i := range faces {
		if err := describe(e.descr, img, &faces[i]); err != nil {
			return nil, err
		}
	}
	return faces, nil
}

// DetectCNN runs dlib's CNN (MMOD) detector: slower but far fewer false
// positives than HOG. Only for small images (its cost explodes with size).
// The faces carry boxes only.
func (e *FaceEngine) DetectCNN(ctx context.Context, src []byte) ([]Face, error) {
	img, err := raster.Decode(ctx, src, 1)
	if err != nil {
		return nil, fmt.Errorf("face detection: cannot read image: %w", err)
	}
	boxes, err := cnnFind(e.cnn, img)
	if err != nil {
		return nil, err
	}
	out := make([]Face, len(boxes))
	for i, b := range boxes {
		out[i] = Face{Box: b}
	}
	return out, nil
}

// scaled maps a face found on a resized copy back to the original's pixels.
func (f Face) Scaled(k float64) Face {
	if k == 1 {
		return f
	}
	sc := func(v int) int { return int(math.Round(float64(v) * k)) }
	out := Face{Box: image.Rect(sc(f.Box.Min.X), sc(f.Box.Min.Y), sc(f.Box.Max.X), sc(f.Box.Max.Y)), Descriptor: f.Descriptor}
	out.Landmarks = make([]image.Point, len(f.Landmarks))
	for i, p := range f.Landmarks {
		out.Landmarks[i] = image.Pt(sc(p.X), sc(p.Y))
	}
	if f.Points != nil {
		out.Points = make([]Point, len(f.Points))
		for i, p := range f.Points {
			out.Points[i] = Point{p.X * k, p.Y * k}
		}
	}
	return out
}

// FindTimed finds faces as Find does and says how long the landmarks took
// of it (the pipeline reports the two stages apart).
func (e *FaceEngine) FindTimed(img image.Image) ([]Face, time.Duration, error) {
	return e.finder.find(img)
}

// Boxes runs only the face detector (dlib's HOG) on img: callers that find
// faces on a small copy and mark them on the full image (Mark).
func (e *FaceEngine) Boxes(img *raster.Image) ([]image.Rectangle, error) {
	if img.W == 0 || img.H == 0 {
		return nil, nil
	}
	return e.finder.boxes(img.Pix, img.W, img.H)
}

// Mark places the 68 landmarks of the face in box (a detector box in img's
// pixels) on img.
func (e *FaceEngine) Mark(img *raster.Image, box image.Rectangle) (Face, error) {
	return e.finder.mark(img, box)
}

// Describe computes f's descriptor from img, the image f was found in.
func (e *FaceEngine) Describe(img *raster.Image, f *Face) error {
	return describe(e.descr, img, f)
}

// CNNBoxes runs dlib's CNN detector on img: slower than Find, and surer of
// what it finds (the pipeline confirms doubtful faces with it).
func (e *FaceEngine) CNNBoxes(img *raster.Image) ([]image.Rectangle, error) {
	return cnnFind(e.cnn, img)
}
