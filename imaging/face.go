package imaging

import (
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	face "github.com/Kagami/go-face"
)

// Face is one detected face in the coordinates of the image it was found in.
type Face struct {
	Box        image.Rectangle
	Landmarks  []image.Point // dlib's 68-point layout
	Descriptor [128]float32  // dlib ResNet embedding, for face matching
}

// FaceEngine detects faces (dlib HOG), their 68 landmarks and descriptors.
// It is safe for concurrent use. Boxes and landmarks come from a direct dlib
// bridge (Find); descriptors and the CNN detector from go-face, loaded on
// first use, so a photo worker never holds the recognition network.
type FaceEngine struct {
	dir     string
	finder  *finder
	recOnce sync.Once
	rec     *face.Recognizer
	recErr  error
}

// ModelFiles are the files NewFaceEngine loads from its directory (make
// models): the landmark net for detection, and go-face's three files for
// descriptors and the CNN detector (loaded on first use).
var ModelFiles = []string{LandmarkModelFile, "shape_predictor_5_face_landmarks.dat", "dlib_face_recognition_resnet_model_v1.dat", "mmod_human_face_detector.dat"}

// NewFaceEngine loads the models from dir. Detection takes its landmarks
// from the face-api net, so a process that only detects never loads dlib's
// 100 MB predictor.
func NewFaceEngine(dir string) (*FaceEngine, error) {
	for _, f := range ModelFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, fmt.Errorf("face models: %s missing in %s (run make models)", f, dir)
		}
	}
	marks, err := NewLandmarker(filepath.Join(dir, LandmarkModelFile))
	if err != nil {
		return nil, fmt.Errorf("face models: %w", err)
	}
	return &FaceEngine{dir: dir, finder: newNetFinder(marks, runtime.GOMAXPROCS(0))}, nil
}

// recognizer loads go-face (landmarks again, the ResNet and the CNN detector) once.
func (e *FaceEngine) recognizer() (*face.Recognizer, error) {
	e.recOnce.Do(func() {
		if e.rec, e.recErr = face.NewRecognizer(e.dir); e.recErr != nil {
			e.recErr = fmt.Errorf("face models: %w", e.recErr)
		}
	})
	return e.rec, e.recErr
}

// Close frees the models.
func (e *FaceEngine) Close() {
	e.finder.close()
	if e.rec != nil {
		e.rec.Close()
	}
}

// Find detects faces and their landmarks in an image, without descriptors
// (keep it small: HOG time grows with area).
func (e *FaceEngine) Find(img image.Image) ([]Face, error) {
	faces, _, err := e.finder.find(img)
	return faces, err
}

// Detect finds the faces in a JPEG with their descriptors (keep it near 1000
// px: HOG time grows with area).
func (e *FaceEngine) Detect(jpeg []byte) ([]Face, error) {
	rec, err := e.recognizer()
	if err != nil {
		return nil, err
	}
	faces, err := rec.Recognize(jpeg)
	if err != nil {
		var imgErr face.ImageLoadError
		if errors.As(err, &imgErr) {
			return nil, fmt.Errorf("face detection: cannot read image: %w", err)
		}
		return nil, err
	}
	out := make([]Face, len(faces))
	for i, f := range faces {
		out[i] = Face{Box: f.Rectangle, Landmarks: f.Shapes, Descriptor: f.Descriptor}
	}
	return out, nil
}

// DetectCNN runs dlib's CNN (MMOD) detector: slower but far fewer false
// positives than HOG. Only for small images (its cost explodes with size).
func (e *FaceEngine) DetectCNN(jpeg []byte) ([]Face, error) {
	rec, err := e.recognizer()
	if err != nil {
		return nil, err
	}
	faces, err := rec.RecognizeCNN(jpeg)
	if err != nil {
		return nil, err
	}
	out := make([]Face, len(faces))
	for i, f := range faces {
		out[i] = Face{Box: f.Rectangle, Landmarks: f.Shapes, Descriptor: f.Descriptor}
	}
	return out, nil
}

// scaled maps a face found on a resized copy back to the original's pixels.
func (f Face) scaled(k float64) Face {
	if k == 1 {
		return f
	}
	sc := func(v int) int { return int(math.Round(float64(v) * k)) }
	out := Face{Box: image.Rect(sc(f.Box.Min.X), sc(f.Box.Min.Y), sc(f.Box.Max.X), sc(f.Box.Max.Y)), Descriptor: f.Descriptor}
	out.Landmarks = make([]image.Point, len(f.Landmarks))
	for i, p := range f.Landmarks {
		out.Landmarks[i] = image.Pt(sc(p.X), sc(p.Y))
	}
	return out
}
