// Command blascore prints the OPENBLAS_CORETYPE this machine should run
// with, or nothing when OpenBLAS's own choice stands (see
// internal/platform/blascore). The Makefile exports it to the tests and
// benchmarks (scripts/blas-env.sh); the server sets it itself.
package main

import (
	"fmt"

	"github.com/veridoc/veridoc/internal/platform/blascore"
)

func main() {
	if w := blascore.Wanted(); w != "" {
		fmt.Println(w)
	}
}
