package faces

// #cgo CXXFLAGS: -I/usr/include/opencv4
// #cgo LDFLAGS: -lopencv_dnn -lopencv_core
// #include <stdlib.h>
// #include "dnnnet.h"
import "C"

import (
	"fmt"
	"os"
	"sync"
	"unsafe"
)

// netPool holds copies of one ONNX model in OpenCV's dnn module. A net
// serves one caller at a time, so the pool keeps a free list that grows to
// the number of callers, or to limit when that is set (callers then wait
// for a net: a net keeps its layers' buffers between runs, megabytes for
// the segmentation net).
type netPool struct {
	name  string // for errors
	model []byte
	slots chan struct{} // one per net that may exist; nil: no limit
	mu    sync.Mutex
	free  []*C.vd_net
	all   []*C.vd_net
}

// newNetPool reads the model at path and checks that OpenCV reads it;
// limit > 0 bounds the number of nets.
func newNetPool(name, path string, limit int) (*netPool, error) {
	model, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p := &netPool{name: name, model: model}
	if limit > 0 {
		p.slots = make(chan struct{}, limit)
	}
	n, err := p.get()
	if err != nil {
		return nil, err
	}
	p.put(n)
	return p, nil
}

func (p *netPool) get() (*C.vd_net, error) {
	if p.slots != nil {
		p.slots <- struct{}{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if k := len(p.free); k > 0 {
		n := p.free[k-1]
		p.free = p.free[:k-1]
		return n, nil
	}
	n := C.vd_net_new((*C.uchar)(unsafe.Pointer(&p.model[0])), C.size_t(len(p.model)))
	if n == nil {
		if p.slots != nil {
			<-p.slots
		}
		return nil, fmt.Errorf("the %s model cannot be read by OpenCV's dnn module", p.name)
	}
	p.all = append(p.all, n)
	return n, nil
}

func (p *netPool) put(n *C.vd_net) {
	p.mu.Lock()
	p.free = append(p.free, n)
	p.mu.Unlock()
	if p.slots != nil {
		<-p.slots
	}
}

// Close frees the nets; the pool must not be used after it.
func (p *netPool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range p.all {
		C.vd_net_free(n)
	}
	p.all, p.free = nil, nil
}
