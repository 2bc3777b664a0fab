// Command blascore prints the OPENBLAS_CORETYPE this machine should run
// with, or nothing when OpenBLAS's own choice stands (see
// internal/platform/blascore). scripts/blas-env.sh, through which the
// Makefile runs tests and benchmarks, sets it from this; the server sets it
// itself.
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
