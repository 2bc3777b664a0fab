package facesearch

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

const (
	tailDims = Dims - Head
	// tailRange is the largest value the int8 tail holds, on every axis:
	// real descriptors stay within ±0.53 on every axis, and a face's own
	// variation (light, pose, age) need not follow the axes on which faces
	// differ, so each axis gets the same range, not its share of variance.
	tailRange = 0.64
	tailStep  = tailRange / 127
	// block is how many heads one BLAS call scores: small enough for the
	// scores to stay in the cache.
	block = 4096
)

// Hit is a face found near the one searched.
type Hit struct {
	ID int64 // the caller's id of the face
	// Distance is the Euclidean distance, exact on the head; the int8
	// tail's rounding moves its square by about 0.002 (one standard
	// deviation near 0.6): callers that decide on it measure the hit again.
	Distance float32
}

// Gallery holds one population of faces (an account's). It is safe for
// concurrent use: searches share a read lock, changes take the write lock.
type Gallery struct {
	basis *Basis

	mu    sync.RWMutex
	head  []float32 // len(entries) × Head
	norms []float32 // squared length of each head
	tail  []int8    // len(entries) × tailDims
	ids   []int64
	pos   map[int64]int // id → row
}

// NewGallery makes an empty gallery with room for capacity faces.
func NewGallery(b *Basis, capacity int) *Gallery {
	g := &Gallery{basis: b, pos: make(map[int64]int, capacity),
		head: make([]float32, 0, capacity*Head), norms: make([]float32, 0, capacity),
		tail: make([]int8, 0, capacity*tailDims), ids: make([]int64, 0, capacity)}
	return g
}

// Len is the number of faces.
func (g *Gallery) Len() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.ids)
}

// Bytes is the memory the faces take (slices at their length, and the id
// map at about 40 bytes a face).
func (g *Gallery) Bytes() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n := len(g.ids)
	return n * (4*Head + 4 + tailDims + 8 + 40)
}

// Add puts a face in the gallery under the caller's id, replacing any
// with the same id.
func (g *Gallery) Add(id int64, d [Dims]float32) {
	p := g.basis.Project(d)
	var t [tailDims]int8
	for k := range tailDims {
		q := math.Round(float64(p[Head+k] / tailStep))
		t[k] = int8(max(-127, min(127, q)))
	}
	var norm float32
	for _, x := range p[:Head] {
		norm += x * x
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if i, ok := g.pos[id]; ok {
		copy(g.head[i*Head:], p[:Head])
		copy(g.tail[i*tailDims:], t[:])
		g.norms[i] = norm
		return
	}
	g.pos[id] = len(g.ids)
	g.head = append(g.head, p[:Head]...)
	g.tail = append(g.tail, t[:]...)
	g.norms = append(g.norms, norm)
	g.ids = append(g.ids, id)
}

// Remove takes a face out; it tells whether it was there. The last face
// moves into its row, so rows are not stable between changes.
func (g *Gallery) Remove(id int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	i, ok := g.pos[id]
	if !ok {
		return false
	}
	last := len(g.ids) - 1
	if i != last {
		copy(g.head[i*Head:(i+1)*Head], g.head[last*Head:])
		copy(g.tail[i*tailDims:(i+1)*tailDims], g.tail[last*tailDims:])
		g.norms[i], g.ids[i] = g.norms[last], g.ids[last]
		g.pos[g.ids[i]] = i
	}
	g.head, g.tail = g.head[:last*Head], g.tail[:last*tailDims]
	g.norms, g.ids = g.norms[:last], g.ids[:last]
	delete(g.pos, id)
	return true
}

// Has tells whether a face is in the gallery.
func (g *Gallery) Has(id int64) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	_, ok := g.pos[id]
	return ok
}

// Search lists the faces within distance of d, nearest first.
func (g *Gallery) Search(d [Dims]float32, within float32) []Hit {
	p := g.basis.Project(d)
	var qnorm float32
	for _, x := range p[:Head] {
		qnorm += x * x
	}
	limit := within * within
	q := blas32.Vector{N: Head, Inc: 1, Data: p[:Head]}
	scores := make([]float32, block)
	var hits []Hit
	g.mu.RLock()
	defer g.mu.RUnlock()
	n := len(g.ids)
	for start := 0; start < n; start += block {
		rows := min(block, n-start)
		a := blas32.General{Rows: rows, Cols: Head, Stride: Head, Data: g.head[start*Head : (start+rows)*Head]}
		blas32.Gemv(blas.NoTrans, 1, a, q, 0, blas32.Vector{N: rows, Inc: 1, Data: scores[:rows]})
		for r, dot := range scores[:rows] {
			i := start + r
			// |q-x|² = |q|² + |x|² − 2 q·x, on the head alone: a lower bound.
			s := qnorm + g.norms[i] - 2*dot
			if s >= limit {
				continue
			}
			if s = g.withTail(s, &p, i); s < limit {
				hits = append(hits, Hit{ID: g.ids[i], Distance: float32(math.Sqrt(float64(max(s, 0))))})
			}
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int { return cmp.Compare(a.Distance, b.Distance) })
	return hits
}

// withTail adds the tail's squared distance of row i to the head's s.
func (g *Gallery) withTail(s float32, p *[Dims]float32, i int) float32 {
	t := g.tail[i*tailDims : (i+1)*tailDims]
	for k, v := range t {
		diff := p[Head+k] - float32(v)*tailStep
		s += diff * diff
	}
	return s
}
