package main

import (
	"math"
	"testing"
)

func TestContiguous(t *testing.T) {
	cases := []struct {
		size, stride []int
		want         bool
	}{
		{[]int{32, 3, 3, 3}, []int{27, 9, 3, 1}, true},
		{[]int{128, 512}, []int{512, 1}, true},
		{[]int{128, 512}, []int{1, 128}, false}, // transposed
		{[]int{32, 1, 3, 3}, []int{9, 9, 3, 1}, true},
		{[]int{}, []int{}, true},
	}
	for _, tc := range cases {
		if got := contiguous(tc.size, tc.stride); got != tc.want {
			t.Errorf("contiguous(%v, %v) = %v, want %v", tc.size, tc.stride, got, tc.want)
		}
	}
}

// A BatchNorm folded into the weights gives what the layer followed by the
// BatchNorm gives.
func TestFoldBN(t *testing.T) {
	c := &converter{w: map[string]tensor{
		"bn.weight":       {dims: []int{2}, v: []float32{2, 0.5}},
		"bn.bias":         {dims: []int{2}, v: []float32{1, -1}},
		"bn.running_mean": {dims: []int{2}, v: []float32{3, 0}},
		"bn.running_var":  {dims: []int{2}, v: []float32{4, 0.25}},
	}}
	w := []float32{1, 2, 3, 4} // two outputs of two inputs
	x := []float64{0.5, -1}
	fw, fb := c.foldBN("bn", w, 2)
	if c.err != nil {
		t.Fatal(c.err)
	}
	for o := range 2 {
		y := float64(w[2*o])*x[0] + float64(w[2*o+1])*x[1]
		g, b := float64(c.w["bn.weight"].v[o]), float64(c.w["bn.bias"].v[o])
		m, v := float64(c.w["bn.running_mean"].v[o]), float64(c.w["bn.running_var"].v[o])
		want := (y-m)/math.Sqrt(v+1e-5)*g + b
		got := float64(fw[2*o])*x[0] + float64(fw[2*o+1])*x[1] + float64(fb[o])
		if math.Abs(got-want) > 1e-5 {
			t.Errorf("output %d: folded %g, want %g", o, got, want)
		}
	}
	if _, _ = c.foldBN("bn", w[:3], 2); c.err == nil {
		t.Error("weights that do not fit the channels: no error")
	}
}
