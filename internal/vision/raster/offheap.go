package raster

import (
	"errors"
	"sync"

	"golang.org/x/sys/unix"
)

// Pool holds the pixels of a photo job's images outside the Go heap:
// the decoded upload (5 MB for a 12 MP photo read at 3/8), its copies and the frames
// rendered from it (a megabyte each). On the Go heap each one turned into
// garbage that the collector let pile up to twice the live heap; here an
// image is given back by free the moment it is done with.
//
// Freed mappings under poolMaxMapping are kept (up to limit bytes) for the
// next images, because fresh memory is dear to touch: the page faults of a
// first write cost more than the work done in most of these images
// (docs/performance.md). Larger mappings (the decoded upload) are given back
// at once, or the pool would hold a worker's largest image for good; they ask
// for transparent huge pages instead, which fault far less often.
type Pool struct {
	mu    sync.Mutex
	idle  [][]byte // whole mappings, ready for reuse
	bytes int      // in idle
	limit int
	out   int // mappings given out and not yet back: a leak shows here
}

// poolLimit bounds the mappings a pool keeps unused: a few frames and
// copies (a US 2×2 in frame is 1.1 MB).
const poolLimit = 6 << 20

// poolMaxMapping: larger mappings are not kept (and get huge pages).
const poolMaxMapping = 2 << 20

func NewPool() *Pool { return &Pool{limit: poolLimit} }

// mapGranule rounds mappings up so that sizes a little apart share them.
const mapGranule = 64 << 10

// get returns a mapping of at least n bytes: an idle one no more than twice
// as large, or a new one. Its contents are whatever was there: every image
// made from it writes all its pixels.
func (p *Pool) get(n int) ([]byte, error) {
	p.mu.Lock()
	p.out++
	best := -1
	for i, b := range p.idle {
		if len(b) >= n && len(b) <= 2*n+mapGranule && (best < 0 || len(b) < len(p.idle[best])) {
			best = i
		}
	}
	if best >= 0 {
		b := p.idle[best]
		p.idle[best] = p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		p.bytes -= len(b)
		p.mu.Unlock()
		return b, nil
	}
	p.mu.Unlock()
	size := (n + mapGranule - 1) / mapGranule * mapGranule
	b, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		p.mu.Lock()
		p.out--
		p.mu.Unlock()
		return nil, err
	}
	if size >= poolMaxMapping {
		_ = unix.Madvise(b, unix.MADV_HUGEPAGE) // a hint: without it, small pages
	}
	return b, nil
}

// put keeps a mapping for reuse, or unmaps it when the pool is full.
func (p *Pool) put(b []byte) {
	p.mu.Lock()
	p.out--
	if len(b) < poolMaxMapping && p.bytes+len(b) <= p.limit {
		p.idle = append(p.idle, b)
		p.bytes += len(b)
		b = nil
	}
	p.mu.Unlock()
	if b != nil {
		_ = unix.Munmap(b)
	}
}

// New makes a w×h image: in pool's mappings, which the caller gives back
// with free, or on the Go heap when pool is nil.
func New(w, h int, pool *Pool) (*Image, error) {
	n := 3 * w * h
	if n <= 0 {
		return nil, errors.New("pixels: empty image")
	}
	if pool == nil {
		return &Image{Pix: make([]byte, n), W: w, H: h}, nil
	}
	b, err := pool.get(n)
	if err != nil {
		return nil, err
	}
	return &Image{Pix: b[:n:n], W: w, H: h, pool: pool, mapping: b}, nil
}

// free gives pooled pixels back; for Go memory it does nothing. It may be
// called more than once; the image must not be used after it.
func (m *Image) Free() {
	if m != nil && m.pool != nil {
		m.pool.put(m.mapping)
		m.Pix, m.mapping, m.pool = nil, nil, nil
	}
}

// Out is how many mappings are given out and not yet back (tests check that a
// pipeline run frees all it took).
func (p *Pool) Out() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out
}
