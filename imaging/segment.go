package imaging

// #cgo LDFLAGS: -lopencv_dnn
// #include <stdlib.h>
// #include "segment.h"
import "C"

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"
)

// SegmentModelFile is the person segmentation net in the models folder:
// MediaPipe Selfie Segmentation (Apache-2.0) converted to ONNX by tools/segmodel.
const SegmentModelFile = "selfie_segmentation.onnx"

// Mask edge: probabilities below segLo are background, above segHi person;
// a smoothstep between keeps the edge anti-aliased, and a Gaussian of
// segSigma output px feathers the steps of the net's 256 px mask.
const (
	segLo, segHi = 0.4, 0.9
	segSigma     = 1.2
)

// Segmenter finds the person in a photo. Each OpenCV net serves one caller
// at a time, so it keeps a free list that grows to the number of callers.
type Segmenter struct {
	model []byte
	mu    sync.Mutex
	free  []*C.vd_segnet
	all   []*C.vd_segnet
}

// NewSegmenter loads the ONNX model at path and checks that OpenCV reads it.
func NewSegmenter(path string) (*Segmenter, error) {
	model, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := &Segmenter{model: model}
	n, err := s.get()
	if err != nil {
		return nil, err
	}
	s.put(n)
	return s, nil
}

func (s *Segmenter) get() (*C.vd_segnet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := len(s.free); k > 0 {
		n := s.free[k-1]
		s.free = s.free[:k-1]
		return n, nil
	}
	n := C.vd_seg_new((*C.uchar)(unsafe.Pointer(&s.model[0])), C.size_t(len(s.model)))
	if n == nil {
		return nil, errors.New("the segmentation model cannot be read by OpenCV's dnn module")
	}
	s.all = append(s.all, n)
	return n, nil
}

func (s *Segmenter) put(n *C.vd_segnet) {
	s.mu.Lock()
	s.free = append(s.free, n)
	s.mu.Unlock()
}

// Close frees the nets; the Segmenter must not be used after it.
func (s *Segmenter) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.all {
		C.vd_seg_free(n)
	}
	s.all, s.free = nil, nil
}

// Mask returns the person's alpha (0–255, one byte per pixel) over img.
func (s *Segmenter) Mask(img *rgbImage) ([]byte, error) {
	n, err := s.get()
	if err != nil {
		return nil, err
	}
	defer s.put(n)
	alpha := make([]byte, img.W*img.H)
	if C.vd_seg_run(n, (*C.uchar)(unsafe.Pointer(&img.Pix[0])), C.int(img.W), C.int(img.H),
		(*C.uchar)(unsafe.Pointer(&alpha[0])), segLo, segHi, segSigma) != 0 {
		return nil, fmt.Errorf("segmentation failed on a %dx%d image", img.W, img.H)
	}
	return alpha, nil
}
