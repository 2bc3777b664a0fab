// Command facemodel turns the TF.js weights of dlib's face recognition ResNet
// (shipped in npm @vladmandic/face-api, MIT; dlib's weights are CC0) into a
// flat float32 file that convert.cc loads into dlib's network:
//
//	go run ./tools/facemodel MANIFEST.json OUT.f32
//
// Quantized tensors are dequantized (value = byte × scale + min). Output:
// uint32 tensor count, then per tensor: uint32 ndims, uint32 dims…, float32 data,
// all little-endian, in manifest order (input layer first).
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

type manifest []struct {
	Paths   []string `json:"paths"`
	Weights []struct {
		Name         string `json:"name"`
		Shape        []int  `json:"shape"`
		DType        string `json:"dtype"`
		Quantization *struct {
			DType string  `json:"dtype"`
			Scale float64 `json:"scale"`
			Min   float64 `json:"min"`
		} `json:"quantization"`
	} `json:"weights"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: facemodel MANIFEST.json OUT.f32")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "facemodel:", err)
		os.Exit(1)
	}
}

func run(manifestPath, outPath string) error {
	raw, err := os.ReadFile(manifestPath)
	if err != nil {
		return err
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	if len(m) != 1 {
		return fmt.Errorf("want one weight group, got %d", len(m))
	}
	var data []byte
	for _, p := range m[0].Paths {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(manifestPath), p))
		if err != nil {
			return err
		}
		data = append(data, b...)
	}
	f, err := os.Create(outPath)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	put := func(v any) { _ = binary.Write(w, binary.LittleEndian, v) }
	put(uint32(len(m[0].Weights)))
	off := 0
	for _, t := range m[0].Weights {
		n := 1
		for _, d := range t.Shape {
			n *= d
		}
		put(uint32(len(t.Shape)))
		for _, d := range t.Shape {
			put(uint32(d))
		}
		vals := make([]float32, n)
		switch {
		case t.Quantization != nil && t.Quantization.DType == "uint8":
			if off+n > len(data) {
				return fmt.Errorf("%s: weights file too short", t.Name)
			}
			for i := range vals {
				vals[i] = float32(float64(data[off+i])*t.Quantization.Scale + t.Quantization.Min)
			}
			off += n
		case t.Quantization == nil && t.DType == "float32":
			if off+4*n > len(data) {
				return fmt.Errorf("%s: weights file too short", t.Name)
			}
			for i := range vals {
				vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[off+4*i:]))
			}
			off += 4 * n
		default:
			return fmt.Errorf("%s: unsupported encoding", t.Name)
		}
		put(vals)
	}
	if off != len(data) {
		return fmt.Errorf("used %d of %d weight bytes", off, len(data))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
