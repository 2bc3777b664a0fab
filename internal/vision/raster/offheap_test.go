package raster

import "testing"

func TestPixelPool(t *testing.T) {
	p := &Pool{limit: 3 << 20}
	frame, err := New(600, 600, p) // 1.08 MB: a US 2×2 in frame
	if err != nil {
		t.Fatal(err)
	}
	if len(frame.Pix) != 3*600*600 || len(frame.mapping)%mapGranule != 0 {
		t.Fatalf("pix %d in a mapping of %d", len(frame.Pix), len(frame.mapping))
	}
	first := &frame.mapping[0]
	frame.Free()
	frame.Free() // once only
	if len(p.idle) != 1 || p.bytes != len(p.idle[0]) {
		t.Fatalf("pool holds %d mappings, %d bytes", len(p.idle), p.bytes)
	}
	cases := []struct {
		name   string
		w, h   int
		reused bool // takes the idle frame's mapping
	}{
		{"a smaller image, not under half the mapping", 500, 500, true},
		{"a far smaller image gets its own", 100, 100, false},
		{"a larger image gets its own", 700, 700, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, err := New(c.w, c.h, p)
			if err != nil {
				t.Fatal(err)
			}
			defer img.Free()
			if got := &img.mapping[0] == first; got != c.reused {
				t.Errorf("reused %v, want %v", got, c.reused)
			}
			for i := range img.Pix { // all of it is writable
				img.Pix[i] = 1
			}
		})
	}
	// Beyond the limit and above poolMaxMapping, mappings are unmapped.
	big, err := New(1000, 1000, p) // 3 MB
	if err != nil {
		t.Fatal(err)
	}
	big.Free()
	if p.bytes > p.limit {
		t.Errorf("pool holds %d bytes over its limit %d", p.bytes, p.limit)
	}
	for _, b := range p.idle {
		if len(b) >= poolMaxMapping {
			t.Errorf("pool kept a mapping of %d bytes", len(b))
		}
	}
	// Without a pool, images live on the Go heap and free does nothing.
	heap, err := New(10, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	heap.Free()
	if heap.Pix == nil {
		t.Error("free dropped Go memory")
	}
}
