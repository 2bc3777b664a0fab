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
	"fmt"
	"os"

	"github.com/veridoc/veridoc/tools/internal/tfjs"
)

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
	tensors, err := tfjs.Load(manifestPath)
	if err != nil {
		return err
	}
	f, err := os.Create(outPath)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	put := func(v any) { _ = binary.Write(w, binary.LittleEndian, v) }
	put(uint32(len(tensors)))
	for _, t := range tensors {
		put(uint32(len(t.Shape)))
		for _, d := range t.Shape {
			put(uint32(d))
		}
		put(t.Data)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
