package facesearch

import (
	"math"
	"math/rand/v2"
	"testing"
)

func basis(t testing.TB) *Basis {
	t.Helper()
	b, err := LoadBasis()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func exact(a, b [Dims]float32) float32 {
	var s float64
	for i := range a {
		d := float64(a[i] - b[i])
		s += d * d
	}
	return float32(math.Sqrt(s))
}

func TestParseBasisRefuses(t *testing.T) {
	skewed := append([]byte(nil), basisFile...)
	copy(skewed[4*Dims:], []byte{0, 0, 0, 0x40}) // the first axis's first value: 2
	for _, tc := range []struct {
		name string
		raw  []byte
	}{
		{"empty", nil},
		{"short", basisFile[:100]},
		{"axes not orthonormal", skewed},
	} {
		if _, err := ParseBasis(tc.raw); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

func TestProjectKeepsDistances(t *testing.T) {
	b := basis(t)
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		x, y := Sample(b, r), Sample(b, r)
		px, py := b.Project(x), b.Project(y)
		if d, e := exact(x, y), exact(px, py); math.Abs(float64(d-e)) > 1e-4 {
			t.Fatalf("distance %.5f becomes %.5f on the axes", d, e)
		}
		back := b.Unproject(px)
		if e := exact(x, back); e > 1e-4 {
			t.Fatalf("Unproject(Project(x)) is %.5f away from x", e)
		}
	}
}

// TestSearchFindsWhatBruteForceFinds compares every search with the exact
// distances: nothing within reach is missed, nothing beyond is found, and
// the squared distances given are within 0.006 of the exact ones (the
// int8 tail's rounding: three standard deviations at distance 0.6).
func TestSearchFindsWhatBruteForceFinds(t *testing.T) {
	b := basis(t)
	r := rand.New(rand.NewPCG(3, 4))
	const n = 3000
	g := NewGallery(b, 0)
	faces := make([][Dims]float32, n)
	for i := range faces {
		if i%10 == 1 {
			faces[i] = Near(faces[i-1], 0.05+0.5*r.Float32(), r) // near someone already there
		} else {
			faces[i] = Sample(b, r)
		}
		g.Add(int64(i+1), faces[i])
	}
	for _, within := range []float32{0.3, 0.45, 0.6} {
		for q := 0; q < 200; q++ {
			query := faces[q]
			if q%2 == 0 {
				query = Near(query, 0.2, r)
			}
			hits := g.Search(query, within)
			found := map[int64]float32{}
			for _, h := range hits {
				found[h.ID] = h.Distance
			}
			for i, f := range faces {
				d := exact(query, f)
				got, ok := found[int64(i+1)]
				switch {
				case ok && math.Abs(float64(got*got-d*d)) > 0.006:
					t.Fatalf("face %d: distance %.4f, exact %.4f", i+1, got, d)
				case !ok && d < within-0.008:
					t.Fatalf("within %.2f: face %d at %.4f missed", within, i+1, d)
				case ok && d > within+0.008:
					t.Fatalf("within %.2f: face %d at %.4f found", within, i+1, d)
				}
			}
			for k := 1; k < len(hits); k++ {
				if hits[k].Distance < hits[k-1].Distance {
					t.Fatal("hits not nearest first")
				}
			}
		}
	}
}

func TestAddReplacesAndRemoveMoves(t *testing.T) {
	b := basis(t)
	r := rand.New(rand.NewPCG(5, 6))
	g := NewGallery(b, 4)
	x, y, z := Sample(b, r), Sample(b, r), Sample(b, r)
	g.Add(1, y)
	g.Add(2, y)
	g.Add(3, z)
	g.Add(1, x) // the same id again: replaced, not doubled
	if g.Len() != 3 {
		t.Fatalf("Len %d, want 3", g.Len())
	}
	if h := g.Search(x, 0.05); len(h) != 1 || h[0].ID != 1 {
		t.Fatalf("search for face 1: %+v", h)
	}
	if !g.Remove(1) || g.Remove(1) || g.Has(1) {
		t.Fatal("Remove(1) twice")
	}
	// Face 3 moved into face 1's row: still found as itself.
	if h := g.Search(z, 0.05); len(h) != 1 || h[0].ID != 3 {
		t.Fatalf("search for face 3 after the move: %+v", h)
	}
	if h := g.Search(x, 0.05); len(h) != 0 {
		t.Fatalf("removed face found: %+v", h)
	}
}
