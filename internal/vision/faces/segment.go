package faces

// #include <stdlib.h>
// #include "segment.h"
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/veridoc/veridoc/internal/vision/raster"
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

// Segmenter finds the person in a photo.
type Segmenter struct{ *netPool }

// NewSegmenter loads the ONNX model at path and checks that OpenCV reads it.
// nets > 0 bounds how many copies of the net may run at once: each keeps
// megabytes of layer buffers, and a run is a small part of a photo's time,
// so two workers sharing one wait little (make bench; docs/performance.md).
func NewSegmenter(path string, nets int) (*Segmenter, error) {
	p, err := newNetPool("segmentation", path, nets)
	if err != nil {
		return nil, err
	}
	return &Segmenter{p}, nil
}

// Mask returns the person's alpha (0–255, one byte per pixel) over img.
func (s *Segmenter) Mask(img *raster.Image) ([]byte, error) {
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
