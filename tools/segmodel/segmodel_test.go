package main

import (
	"math"
	"testing"
)

func TestHalfToFloat(t *testing.T) {
	cases := []struct {
		bits uint16
		want float32
	}{
		{0x0000, 0},
		{0x3c00, 1},
		{0xc000, -2},
		{0x3555, 0.33325195},
		{0x7bff, 65504},          // largest normal
		{0x0001, 5.9604645e-08},  // smallest subnormal
		{0x8400, -6.1035156e-05}, // smallest normal, negative
		{0x7c00, float32(math.Inf(1))},
	}
	for _, tc := range cases {
		if got := halfToFloat(tc.bits); got != tc.want {
			t.Errorf("halfToFloat(%#04x) = %g, want %g", tc.bits, got, tc.want)
		}
	}
}

// TensorFlow's SAME padding: the output is ceil(in/stride), the odd pixel after.
func TestSamePads(t *testing.T) {
	cases := []struct {
		in, k, stride, dilation int
		before, after           int
	}{
		{256, 3, 2, 1, 0, 1},
		{128, 3, 1, 1, 1, 1},
		{16, 5, 1, 1, 2, 2},
		{32, 5, 2, 1, 1, 2},
		{64, 1, 1, 1, 0, 0},
		{10, 3, 1, 2, 2, 2},
	}
	for _, tc := range cases {
		b, a := samePads(tc.in, tc.k, tc.stride, tc.dilation)
		if b != tc.before || a != tc.after {
			t.Errorf("samePads(%d, %d, %d, %d) = %d, %d; want %d, %d", tc.in, tc.k, tc.stride, tc.dilation, b, a, tc.before, tc.after)
		}
	}
}

func TestReadTFLiteRejects(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("12345678"), []byte("\x10\x00\x00\x00TFL3\x00\x00")} {
		if _, err := readTFLite(b); err == nil {
			t.Errorf("readTFLite(%q): no error", b)
		}
	}
}
