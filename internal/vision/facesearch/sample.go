package facesearch

import (
	"math"
	"math/rand/v2"
)

// Sample draws a synthetic descriptor: normal along each axis with the
// variance real faces have there. tools/seed fills large accounts with
// these; they are not faces, but they spread as faces do, which is
// what the search's speed depends on.
func Sample(b *Basis, r *rand.Rand) [Dims]float32 {
	var p [Dims]float32
	for k := range p {
		p[k] = float32(r.NormFloat64()) * b.Sigma(k)
	}
	return b.Unproject(p)
}

// Near is d moved by distance in a random direction: the same face seen
// again.
func Near(d [Dims]float32, distance float32, r *rand.Rand) [Dims]float32 {
	var dir [Dims]float64
	var n float64
	for i := range dir {
		dir[i] = r.NormFloat64()
		n += dir[i] * dir[i]
	}
	n = math.Sqrt(n)
	for i := range d {
		d[i] += float32(dir[i] / n * float64(distance))
	}
	return d
}
