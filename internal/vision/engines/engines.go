// Package engines is the one holder of a process's vision engines: the face
// engine with the ID-photo pipeline around it, and the document reader. Each
// loads on first use, so a process that never needs one never pays for it,
// and the photo, session and document workers share them.
package engines

import (
	"crypto/sha256"
	_ "embed" // the model checksums, shared with scripts/make-models.sh
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/veridoc/veridoc/internal/vision/docread"
	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
	"github.com/veridoc/veridoc/internal/vision/liveness"
)

// Set is the engines a worker process shares.
type Set struct {
	ModelsDir string
	// SegmentNets bounds the copies of the segmentation net (0: one per
	// photo in progress).
	SegmentNets int

	procOnce   sync.Once
	proc       *idphoto.Processor
	procErr    error
	readerOnce sync.Once
	reader     *docread.Reader
	liveOnce   sync.Once
	live       *liveness.Checker
	liveErr    error
}

// Processor is the shared ID-photo pipeline: the face engine and the
// person segmentation net.
func (e *Set) Processor() (*idphoto.Processor, error) {
	e.procOnce.Do(func() {
		engine, err := faces.NewFaceEngine(e.ModelsDir)
		if err != nil {
			e.procErr = err
			return
		}
		seg, err := faces.NewSegmenter(filepath.Join(e.ModelsDir, faces.SegmentModelFile), e.SegmentNets)
		if err != nil {
			e.procErr = fmt.Errorf("segmentation model: %w (run make models)", err)
			return
		}
		e.proc = idphoto.NewProcessor(engine)
		e.proc.Segment = seg
	})
	return e.proc, e.procErr
}

// Faces is the face engine (detection, landmarks, descriptors).
func (e *Set) Faces() (*faces.FaceEngine, error) {
	p, err := e.Processor()
	if err != nil {
		return nil, err
	}
	return p.Faces, nil
}

// Liveness is the liveness checker: the face engine and the passive
// anti-spoofing nets, one copy of each shared by the callers (a frame's
// run is 3 ms: waiting costs less than the memory of a copy per worker).
func (e *Set) Liveness() (*liveness.Checker, error) {
	e.liveOnce.Do(func() {
		f, err := e.Faces()
		if err != nil {
			e.liveErr = err
			return
		}
		spoof, err := faces.NewSpoofer(e.ModelsDir, 1)
		if err != nil {
			e.liveErr = err
			return
		}
		e.live = &liveness.Checker{Faces: f, Spoof: spoof}
	})
	return e.live, e.liveErr
}

// Reader is the shared document reader.
func (e *Set) Reader() *docread.Reader {
	e.readerOnce.Do(func() { e.reader = docread.New(docread.Options{ModelsDir: e.ModelsDir}) })
	return e.reader
}

// modelSums is models.sha256 (sha256sum's format): the one list of the model
// files' checksums, which scripts/make-models.sh checks too.
//
//go:embed models.sha256
var modelSums string

// sumOf is file's SHA-256 in modelSums; a file missing there is a bug.
func sumOf(file string) string {
	for _, line := range strings.Split(modelSums, "\n") {
		if sum, name, ok := strings.Cut(line, "  "); ok && name == file {
			return sum
		}
	}
	panic("engines: " + file + " is not in models.sha256")
}

// Model is one file a worker loads from the models folder, with where
// `make models` takes it from.
type Model struct {
	File    string `json:"file"`
	SHA256  string `json:"sha256"`
	Source  string `json:"source"`
	Licence string `json:"licence"`
	UsedFor string `json:"used_for"`
}

// Models are every model file the server loads.
var Models = []Model{
	{"mmod_human_face_detector.dat", sumOf("mmod_human_face_detector.dat"),
		"https://github.com/davisking/dlib-models/raw/master/mmod_human_face_detector.dat.bz2 (decompressed)", "CC0-1.0",
		"dlib CNN face detector: confirms faces when HOG finds several"},
	{faces.LandmarkModelFile, sumOf(faces.LandmarkModelFile),
		"npm @vladmandic/face-api@1.7.15 model/face_landmark_68_model-weights_manifest.json + .bin, converted by tools/landmarkmodel",
		"MIT", "68 face landmarks (eyes, chin) for detection and for aligning faces before the descriptor: photos, sessions, documents"},
	{"dlib_face_recognition_resnet_model_v1.dat", sumOf("dlib_face_recognition_resnet_model_v1.dat"),
		"npm @vladmandic/face-api@1.7.15 model/face_recognition_model-weights_manifest.json + .bin, converted by tools/facemodel",
		"MIT (package), CC0 (dlib's weights)", "face descriptors: selfie against document portrait"},
	{"mrz.traineddata", sumOf("mrz.traineddata"),
		"https://github.com/DoubangoTelecom/tesseractMRZ/raw/master/tessdata_best/mrz.traineddata", "BSD-3-Clause",
		"Tesseract model for the MRZ (OCR-B)"},
	{faces.SegmentModelFile, sumOf(faces.SegmentModelFile),
		"npm @mediapipe/selfie_segmentation@0.1.1675465747 selfie_segmentation.tflite (sha256 8d13b7fa…), converted by tools/segmodel",
		"Apache-2.0", "person segmentation: background replacement in ID photos"},
	{faces.SpoofModelV2, sumOf(faces.SpoofModelV2),
		"https://github.com/minivision-ai/Silent-Face-Anti-Spoofing/raw/b6d5f04ad78778917853b25c778acef6d5626d15/resources/anti_spoof_models/2.7_80x80_MiniFASNetV2.pth (sha256 a5eb02e1…), converted by tools/fasmodel",
		"Apache-2.0", "passive anti-spoofing of liveness frames (face box ×2.7)"},
	{faces.SpoofModelV1SE, sumOf(faces.SpoofModelV1SE),
		"https://github.com/minivision-ai/Silent-Face-Anti-Spoofing/raw/b6d5f04ad78778917853b25c778acef6d5626d15/resources/anti_spoof_models/4_0_0_80x80_MiniFASNetV1SE.pth (sha256 84ee1d37…), converted by tools/fasmodel",
		"Apache-2.0", "passive anti-spoofing of liveness frames (face box ×4.0)"},
}

// ModelFiles are the files a worker loads from the models folder.
var ModelFiles = func() []string {
	out := make([]string, len(Models))
	for i, m := range Models {
		out[i] = m.File
	}
	return out
}()

// Installed is a model with what the models folder holds of it.
type Installed struct {
	Model
	Present   bool   `json:"present"`
	FileSHA   string `json:"file_sha256,omitempty"` // of the file found, when it differs from the expected one
	SizeBytes int64  `json:"size_bytes"`
}

// Inspect reports every model and the file dir holds for it.
func Inspect(dir string) ([]Installed, error) {
	var out []Installed
	for _, m := range Models {
		in := Installed{Model: m}
		f, err := os.Open(filepath.Join(dir, m.File))
		if err == nil {
			h := sha256.New()
			n, err := io.Copy(h, f)
			f.Close()
			if err != nil {
				return nil, err
			}
			in.Present, in.SizeBytes = n > 0, n
			if sum := hex.EncodeToString(h.Sum(nil)); sum != m.SHA256 {
				in.FileSHA = sum
			}
		}
		out = append(out, in)
	}
	return out, nil
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
