package faces

// #include <stdlib.h>
// #include "antispoof.h"
import "C"

import (
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"unsafe"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// The two MiniFASNet nets (minivision-ai Silent-Face-Anti-Spoofing,
// Apache-2.0) converted to ONNX by tools/fasmodel, each with the scale of
// the face box it was trained on.
const (
	SpoofModelV2   = "minifasnet_v2_2.7_80x80.onnx"
	SpoofModelV1SE = "minifasnet_v1se_4.0_80x80.onnx"
)

// SpoofModelFiles are the files NewSpoofer loads.
var SpoofModelFiles = []string{SpoofModelV2, SpoofModelV1SE}

// Spoofer scores how likely a face is a live person rather than a print or
// a screen, from one frame (passive anti-spoofing).
type Spoofer struct {
	nets   [2]*netPool
	scales [2]float32
}

// NewSpoofer loads both nets from dir; nets > 0 bounds the copies of each.
func NewSpoofer(dir string, nets int) (*Spoofer, error) {
	s := &Spoofer{scales: [2]float32{2.7, 4.0}}
	for i, f := range SpoofModelFiles {
		p, err := newNetPool("anti-spoofing", filepath.Join(dir, f), nets)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("anti-spoofing model %s: %w (run make models)", f, err)
		}
		s.nets[i] = p
	}
	return s, nil
}

// Close frees the nets.
func (s *Spoofer) Close() {
	for _, p := range s.nets {
		if p != nil {
			p.Close()
		}
	}
}

// SpoofScores are the nets' three class probabilities, averaged over both
// nets as the reference implementation fuses them (it sums the softmax
// outputs and halves). Class 1 is a live face; 0 and 2 are attacks.
type SpoofScores [3]float64

// Live is the probability of a live face.
func (p SpoofScores) Live() float64 { return p[1] }

// Score runs both nets on the face in box.
func (s *Spoofer) Score(img *raster.Image, box image.Rectangle) (SpoofScores, error) {
	var sum SpoofScores
	if img.W < 2 || img.H < 2 || box.Empty() {
		return sum, errors.New("anti-spoofing: no face box")
	}
	for i, p := range s.nets {
		probs, err := s.run(p, img, box, s.scales[i])
		if err != nil {
			return sum, err
		}
		for c := range sum {
			sum[c] += float64(probs[c]) / 2
		}
	}
	return sum, nil
}

func (s *Spoofer) run(p *netPool, img *raster.Image, box image.Rectangle, scale float32) ([3]float32, error) {
	var probs [3]float32
	n, err := p.get()
	if err != nil {
		return probs, err
	}
	defer p.put(n)
	if C.vd_fas_run(n, (*C.uchar)(unsafe.Pointer(&img.Pix[0])), C.int(img.W), C.int(img.H),
		C.int(box.Min.X), C.int(box.Min.Y), C.int(box.Dx()), C.int(box.Dy()), C.float(scale),
		(*C.float)(unsafe.Pointer(&probs[0]))) != 0 {
		return probs, fmt.Errorf("anti-spoofing failed on a %dx%d image", img.W, img.H)
	}
	return probs, nil
}
