// Package facesearch finds the faces near a descriptor among many (1:N) in
// memory. Descriptors are turned onto their principal axes (an orthonormal
// rotation, so distances do not change); the first Head axes, which carry
// about 80 % of the variance of real faces, are kept as float32 and scanned
// with BLAS for every search, and only the few faces that this partial
// distance (a lower bound of the whole) leaves within reach are measured on
// the rest, kept as int8. A face takes about 280 bytes.
package facesearch

import (
	_ "embed"
	"encoding/binary"
	"fmt"
	"math"
)

// Dims is the length of a face descriptor.
const Dims = 128

// Head is how many principal axes every search scans.
const Head = 32

// basisFile is written by tools/facebasis from the public-domain portraits
// in ../shared/data/faces: mean, axes and variances as float32.
//
//go:embed basis.bin
var basisFile []byte

// Basis is the principal axes of face descriptors.
type Basis struct {
	mean     [Dims]float32
	axes     [Dims][Dims]float32 // rows, largest variance first
	variance [Dims]float32
}

// LoadBasis reads the embedded basis.
func LoadBasis() (*Basis, error) { return ParseBasis(basisFile) }

// ParseBasis reads a basis written by tools/facebasis and checks that its
// axes are orthonormal: were they not, the head would not bound the distance.
func ParseBasis(raw []byte) (*Basis, error) {
	want := 4 * (Dims + Dims*Dims + Dims)
	if len(raw) != want {
		return nil, fmt.Errorf("facesearch: basis of %d bytes, want %d", len(raw), want)
	}
	vals := make([]float32, want/4)
	for i := range vals {
		vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	b := &Basis{}
	copy(b.mean[:], vals[:Dims])
	for k := range Dims {
		copy(b.axes[k][:], vals[Dims+k*Dims:Dims+(k+1)*Dims])
	}
	copy(b.variance[:], vals[Dims+Dims*Dims:])
	for i := range Dims {
		for j := i; j < Dims; j++ {
			var dot float64
			for k := range Dims {
				dot += float64(b.axes[i][k]) * float64(b.axes[j][k])
			}
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(dot-want) > 1e-4 {
				return nil, fmt.Errorf("facesearch: basis axes %d and %d are not orthonormal (%.6f)", i, j, dot)
			}
		}
	}
	return b, nil
}

// Project turns a descriptor onto the axes (centred on the mean).
func (b *Basis) Project(d [Dims]float32) (p [Dims]float32) {
	var c [Dims]float32
	for i := range d {
		c[i] = d[i] - b.mean[i]
	}
	for k := range Dims {
		var s float32
		for i, x := range c {
			s += b.axes[k][i] * x
		}
		p[k] = s
	}
	return p
}

// Unproject is Project's inverse.
func (b *Basis) Unproject(p [Dims]float32) (d [Dims]float32) {
	d = b.mean
	for k := range Dims {
		for i := range d {
			d[i] += b.axes[k][i] * p[k]
		}
	}
	return d
}

// Sigma is the standard deviation of real descriptors along axis k.
func (b *Basis) Sigma(k int) float32 { return float32(math.Sqrt(float64(b.variance[k]))) }
