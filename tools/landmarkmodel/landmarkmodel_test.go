package main

import "testing"

func TestHWIOToOIHW(t *testing.T) {
	// A 1×2 kernel from 2 inputs to 3 outputs: value = 100·x + 10·i + o.
	in := tensor{shape: []int{1, 2, 2, 3}}
	for x := 0; x < 2; x++ {
		for i := 0; i < 2; i++ {
			for o := 0; o < 3; o++ {
				in.data = append(in.data, float32(100*x+10*i+o))
			}
		}
	}
	dims, data := hwioToOIHW(in)
	if dims[0] != 3 || dims[1] != 2 || dims[2] != 1 || dims[3] != 2 {
		t.Fatalf("dims %v", dims)
	}
	for o := 0; o < 3; o++ {
		for i := 0; i < 2; i++ {
			for x := 0; x < 2; x++ {
				if got, want := data[(o*2+i)*2+x], float32(100*x+10*i+o); got != want {
					t.Errorf("[%d %d 0 %d] = %g, want %g", o, i, x, got, want)
				}
			}
		}
	}
}
