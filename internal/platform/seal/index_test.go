package seal_test

import (
	"testing"

	"github.com/veridoc/veridoc/internal/platform/seal"
)

// TestIndex: one keyset gives one value for one document (case and spaces
// aside), another keyset another; after the master key rotates and the
// keyset is rewrapped, the values stay the same; a column keyset is not
// an index keyset.
func TestIndex(t *testing.T) {
	ring := newRing(t)
	wrapped, err := seal.NewIndexKeyset(ring)
	if err != nil {
		t.Fatal(err)
	}
	x, err := seal.OpenIndex(wrapped, ring)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := x.Of("UTO", "PASSPORT", "L898902C3")
	b, _ := x.Of(" uto", "passport", "l898902c3 ")
	c, _ := x.Of("UTO", "PASSPORT", "L898902C4")
	if a != b || a == c || len(a) != 32 {
		t.Fatalf("values %s %s %s", a, b, c)
	}
	other, _ := seal.NewIndexKeyset(ring)
	y, _ := seal.OpenIndex(other, ring)
	if d, _ := y.Of("UTO", "PASSPORT", "L898902C3"); d == a {
		t.Error("two accounts' keysets gave one value")
	}
	if _, err := ring.Rotate(); err != nil {
		t.Fatal(err)
	}
	re, err := seal.RewrapIndexKeyset(wrapped, ring)
	if err != nil || seal.WrappedBy(re) != ring.PrimaryID() {
		t.Fatalf("rewrap: %v", err)
	}
	z, err := seal.OpenIndex(re, ring)
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := z.Of("UTO", "PASSPORT", "L898902C3"); e != a {
		t.Error("the value changed with the rewrap")
	}
	cols, _ := seal.NewColumnKeyset(ring)
	if _, err := seal.OpenIndex(cols, ring); err == nil {
		t.Error("a column keyset opened as an index")
	}
}
