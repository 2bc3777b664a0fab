// Package engines loads the face engine and the document reader once per
// process, on first use, and shares them between the session and document
// workers.
package engines

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/veridoc/veridoc/docread"
	"github.com/veridoc/veridoc/imaging"
)

// Set is the engines a worker process shares.
type Set struct {
	ModelsDir string
	Faces     func() (*imaging.FaceEngine, error) // shared with the photo pipeline
	once      sync.Once
	reader    *docread.Reader
}

// Reader is the shared document reader.
func (e *Set) Reader() *docread.Reader {
	e.once.Do(func() { e.reader = docread.New(docread.Options{ModelsDir: e.ModelsDir}) })
	return e.reader
}

// ModelFiles are the files a worker loads from the models folder (make models
// puts them there): the face detector, the landmark predictor, the face
// descriptor network, the MRZ OCR model and the person segmentation net.
var ModelFiles = []string{
	"mmod_human_face_detector.dat",
	"shape_predictor_5_face_landmarks.dat",
	"dlib_face_recognition_resnet_model_v1.dat",
	"mrz.traineddata",
	imaging.SegmentModelFile,
}

// MissingModels lists the model files dir lacks (empty files count as missing).
func MissingModels(dir string) []string {
	var missing []string
	for _, f := range ModelFiles {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			missing = append(missing, f)
		}
	}
	return missing
}
