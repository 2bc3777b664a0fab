package faces

// #cgo CXXFLAGS: -std=c++17 -O3 -DNDEBUG -march=native
// #cgo LDFLAGS: -ldlib -lblas -lcblas -llapack
// #include <stdlib.h>
// #include "recognize.h"
import "C"

import (
	"errors"
	"fmt"
	"image"
	"sync"
	"unsafe"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// dlibPool keeps loaded copies of one dlib network, one per concurrent caller
// (a dlib net is not safe for concurrent use); they load on first need.
// limit bounds the idle copies kept; slots, when set, the copies that may
// exist at once (callers beyond wait for one).
type dlibPool struct {
	path  string
	load  func(path *C.char, err **C.char) unsafe.Pointer
	free  func(unsafe.Pointer)
	mu    sync.Mutex
	idle  []unsafe.Pointer
	nets  int
	limit int
	slots chan struct{}
}

func (p *dlibPool) get() (unsafe.Pointer, error) {
	if p.slots != nil {
		p.slots <- struct{}{}
	}
	net, err := p.take()
	if err != nil && p.slots != nil {
		<-p.slots
	}
	return net, err
}

func (p *dlibPool) take() (unsafe.Pointer, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		net := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return net, nil
	}
	p.mu.Unlock()
	cpath := C.CString(p.path)
	defer C.free(unsafe.Pointer(cpath))
	var cerr *C.char
	net := p.load(cpath, &cerr)
	if net == nil {
		msg := C.GoString(cerr)
		C.free(unsafe.Pointer(cerr))
		return nil, fmt.Errorf("face models: %s: %s", p.path, msg)
	}
	return net, nil
}

func (p *dlibPool) put(net unsafe.Pointer) {
	p.mu.Lock()
	if len(p.idle) < p.limit {
		p.idle = append(p.idle, net)
	} else {
		p.free(net)
	}
	p.mu.Unlock()
	if p.slots != nil {
		<-p.slots
	}
}

func (p *dlibPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range p.idle {
		p.free(n)
	}
	p.idle = nil
}

// newDescriptorPool is the descriptor ResNet's pool: at most nets copies
// (each about 30 MB resident), as many kept idle.
func newDescriptorPool(path string, nets int) *dlibPool {
	return &dlibPool{path: path, limit: nets, slots: make(chan struct{}, nets),
		load: func(p *C.char, e **C.char) unsafe.Pointer { return C.vd_descr_new(p, e) },
		free: func(n unsafe.Pointer) { C.vd_descr_free(n) }}
}

func newCNNPool(path string, limit int) *dlibPool {
	return &dlibPool{path: path, limit: limit,
		load: func(p *C.char, e **C.char) unsafe.Pointer { return C.vd_cnn_new(p, e) },
		free: func(n unsafe.Pointer) { C.vd_cnn_free(n) }}
}

// describe computes the descriptor of a face found in img (its landmarks in
// img's pixels).
func describe(pool *dlibPool, img *raster.Image, f *Face) error {
	if len(f.Landmarks) != LandmarkCount {
		return errors.New("face descriptor: want 68 landmarks")
	}
	net, err := pool.get()
	if err != nil {
		return err
	}
	defer pool.put(net)
	box := [4]C.int{C.int(f.Box.Min.X), C.int(f.Box.Min.Y), C.int(f.Box.Max.X - 1), C.int(f.Box.Max.Y - 1)}
	pts := make([]C.int, 2*LandmarkCount)
	for i, p := range f.Landmarks {
		pts[2*i], pts[2*i+1] = C.int(p.X), C.int(p.Y)
	}
	var out [128]C.float
	if C.vd_descriptor(net, (*C.uchar)(unsafe.Pointer(&img.Pix[0])), C.int(img.W), C.int(img.H), &box[0], &pts[0], &out[0]) != 0 {
		return errors.New("face descriptor failed")
	}
	for i := range out {
		f.Descriptor[i] = float32(out[i])
	}
	return nil
}

// cnnFind runs the MMOD detector on img.
func cnnFind(pool *dlibPool, img *raster.Image) ([]image.Rectangle, error) {
	net, err := pool.get()
	if err != nil {
		return nil, err
	}
	defer pool.put(net)
	boxes := make([]C.int, 4*maxFaces)
	n := int(C.vd_cnn_find(net, (*C.uchar)(unsafe.Pointer(&img.Pix[0])), C.int(img.W), C.int(img.H), &boxes[0], C.int(maxFaces)))
	if n < 0 {
		return nil, errors.New("CNN face detector failed")
	}
	out := make([]image.Rectangle, 0, min(n, maxFaces))
	for i := 0; i < min(n, maxFaces); i++ {
		out = append(out, image.Rect(int(boxes[4*i]), int(boxes[4*i+1]), int(boxes[4*i+2])+1, int(boxes[4*i+3])+1))
	}
	return out, nil
}
