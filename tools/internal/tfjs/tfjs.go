// Package tfjs reads TensorFlow.js weight manifests, as face-api's model
// files ship: one weight group whose tensors are float32 or uint8-quantised
// (value = byte × scale + min), stored back to back in manifest order.
package tfjs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// Tensor is one weight, dequantised to float32.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

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

// Load reads a manifest and its weight files (beside it) into tensors, in
// manifest order. The weight bytes must be exactly what the manifest describes.
func Load(manifestPath string) ([]Tensor, error) {
	raw, err := os.ReadFile(manifestPath)
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if len(m) != 1 {
		return nil, fmt.Errorf("want one weight group, got %d", len(m))
	}
	var data []byte
	for _, p := range m[0].Paths {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(manifestPath), p))
		if err != nil {
			return nil, err
		}
		data = append(data, b...)
	}
	var out []Tensor
	off := 0
	for _, wt := range m[0].Weights {
		n := 1
		for _, d := range wt.Shape {
			n *= d
		}
		t := Tensor{Name: wt.Name, Shape: wt.Shape, Data: make([]float32, n)}
		switch {
		case wt.Quantization != nil && wt.Quantization.DType == "uint8":
			if off+n > len(data) {
				return nil, fmt.Errorf("%s: weights file too short", wt.Name)
			}
			for i := range t.Data {
				t.Data[i] = float32(float64(data[off+i])*wt.Quantization.Scale + wt.Quantization.Min)
			}
			off += n
		case wt.Quantization == nil && wt.DType == "float32":
			if off+4*n > len(data) {
				return nil, fmt.Errorf("%s: weights file too short", wt.Name)
			}
			for i := range t.Data {
				t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[off+4*i:]))
			}
			off += 4 * n
		default:
			return nil, fmt.Errorf("%s: unsupported dtype %s", wt.Name, wt.DType)
		}
		out = append(out, t)
	}
	if off != len(data) {
		return nil, fmt.Errorf("weights file has %d bytes, the manifest describes %d", len(data), off)
	}
	return out, nil
}
