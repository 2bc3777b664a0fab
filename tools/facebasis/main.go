// Command facebasis regenerates internal/vision/facesearch/basis.bin, the
// principal axes of face descriptors that the 1:N search filters on:
//
//	go run ./tools/facebasis [-models models-data] ../shared/data/faces/congress internal/vision/facesearch/basis.bin
//
// It describes every portrait in the folder with the product's face engine
// (models from `make models`) and writes, as little-endian float32, the mean
// descriptor (128), the 128 axes (one row each, largest variance first) and
// their variances (128). The portraits are public domain (the folder's
// README); the file holds only these statistics.
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"

	"github.com/veridoc/veridoc/internal/vision/faces"
)

func main() {
	models := flag.String("models", "models-data", "the model files (make models)")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: facebasis [-models dir] <folder of portraits> <basis.bin>")
		os.Exit(2)
	}
	if err := run(*models, flag.Arg(0), flag.Arg(1)); err != nil {
		fmt.Fprintln(os.Stderr, "facebasis:", err)
		os.Exit(1)
	}
}

func run(models, dir, out string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil || len(files) < 200 {
		return fmt.Errorf("%s: want at least 200 portraits, found %d", dir, len(files))
	}
	e, err := faces.NewFaceEngine(models)
	if err != nil {
		return err
	}
	defer e.Close()
	var ds [][128]float32
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if shot, err := e.MainFace(context.Background(), b); err == nil {
			ds = append(ds, shot.Descriptor)
		}
	}
	mean, axes, variances := principal(ds)
	var vals []float32
	vals = append(vals, mean...)
	vals = append(vals, axes...)
	vals = append(vals, variances...)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := binary.Write(f, binary.LittleEndian, vals); err != nil {
		f.Close()
		return err
	}
	fmt.Printf("facebasis: %d descriptors from %d portraits -> %s\n", len(ds), len(files), out)
	return f.Close()
}

// principal is the mean, the eigenvectors of the covariance as rows
// (largest eigenvalue first) and the eigenvalues.
func principal(ds [][128]float32) (mean, axes, variances []float32) {
	const n = 128
	mu := make([]float64, n)
	for _, d := range ds {
		for j, x := range d {
			mu[j] += float64(x) / float64(len(ds))
		}
	}
	cov := mat.NewSymDense(n, nil)
	for a := 0; a < n; a++ {
		for b := a; b < n; b++ {
			var s float64
			for _, d := range ds {
				s += (float64(d[a]) - mu[a]) * (float64(d[b]) - mu[b])
			}
			cov.SetSym(a, b, s/float64(len(ds)-1))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(cov, true) {
		panic("facebasis: the covariance does not factorise")
	}
	w := eig.Values(nil) // ascending
	var v mat.Dense
	eig.VectorsTo(&v)
	for _, m := range mu {
		mean = append(mean, float32(m))
	}
	for k := n - 1; k >= 0; k-- {
		for j := 0; j < n; j++ {
			axes = append(axes, float32(v.At(j, k)))
		}
		variances = append(variances, float32(max(w[k], 0)))
	}
	return mean, axes, variances
}
