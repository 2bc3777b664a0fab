// Package blascore picks the kernels OpenBLAS runs with where its own
// choice is a fallback. dlib's face descriptor network multiplies its
// matrices with OpenBLAS, which picks its kernels by the processor's model
// number; a model newer than the library (Debian 12's OpenBLAS 0.3.21 on a
// fifth-generation Xeon, model 207) gets the Pentium 4's SSE3 kernels,
// "Prescott". There a descriptor took 38–44 ms, and 23 ms with the AVX-512
// kernels the processor has.
//
// OpenBLAS reads OPENBLAS_CORETYPE once, when it loads: the server sets it
// and starts itself again (cmd/veridoc); the Makefile runs tests and
// benchmarks through scripts/blas-env.sh, which asks tools/blascore.
package blascore

// #cgo LDFLAGS: -ldl
// #include <dlfcn.h>
// #include <stddef.h>
// static const char* vd_openblas_core(void) {
//     // The BLAS dlib is linked with; already loaded in the server.
//     void* lib = dlopen("libblas.so.3", RTLD_LAZY | RTLD_LOCAL);
//     if (lib == NULL) return NULL;
//     char* (*name)(void) = (char* (*)(void))dlsym(lib, "openblas_get_corename");
//     return name == NULL ? NULL : name();
// }
import "C"

import (
	"os"
	"strings"

	"golang.org/x/sys/cpu"
)

// Variable is the environment variable OpenBLAS reads its kernels' name from.
const Variable = "OPENBLAS_CORETYPE"

// Core is the kernel set OpenBLAS chose when it loaded, "" when the BLAS
// in use is not OpenBLAS.
func Core() string {
	return C.GoString(C.vd_openblas_core())
}

// Features are the processor's vector instructions that decide the kernels.
type Features struct {
	AVX512 bool // AVX-512 F, CD, BW, DQ and VL: what the SkylakeX kernels use
	AVX2   bool // AVX2 and FMA: the Haswell kernels
}

// Host reads the running processor's features.
func Host() Features {
	x := cpu.X86
	return Features{
		AVX512: x.HasAVX512F && x.HasAVX512CD && x.HasAVX512BW && x.HasAVX512DQ && x.HasAVX512VL,
		AVX2:   x.HasAVX2 && x.HasFMA,
	}
}

// Better is the kernel set to force for core, OpenBLAS's own choice, on a
// processor with features f; "" leaves the choice alone. Only the fallback
// is replaced: a processor OpenBLAS knows keeps the kernels made for it.
func Better(core string, f Features) string {
	if !strings.EqualFold(core, "Prescott") {
		return ""
	}
	switch {
	case f.AVX512:
		return "SkylakeX"
	case f.AVX2:
		return "Haswell"
	}
	return "" // an SSE3 processor: Prescott is right
}

// Wanted is the value OPENBLAS_CORETYPE should have in this process's
// environment, "" when it is set already or nothing needs forcing.
func Wanted() string {
	if os.Getenv(Variable) != "" {
		return ""
	}
	return Better(Core(), Host())
}
