package blascore

import "testing"

func TestBetter(t *testing.T) {
	for _, tc := range []struct {
		core string
		f    Features
		want string
	}{
		{"Prescott", Features{AVX512: true, AVX2: true}, "SkylakeX"},
		{"PRESCOTT", Features{AVX2: true}, "Haswell"},
		{"Prescott", Features{}, ""},             // an old processor: its right kernels
		{"Haswell", Features{AVX512: true}, ""},  // a choice OpenBLAS made on purpose
		{"SkylakeX", Features{AVX512: true}, ""}, // already the best
		{"", Features{AVX512: true}, ""},         // not OpenBLAS
	} {
		if got := Better(tc.core, tc.f); got != tc.want {
			t.Errorf("Better(%q, %+v) = %q, want %q", tc.core, tc.f, got, tc.want)
		}
	}
}

// TestCoreReadsOpenBLAS: the tests' machines install OpenBLAS as the system
// BLAS (scripts/install-deps.sh), so its choice must be readable, and what
// Wanted asks for must be what the processor allows.
func TestCoreReadsOpenBLAS(t *testing.T) {
	core := Core()
	if core == "" {
		t.Fatal("OpenBLAS's kernel set not readable through libblas.so.3")
	}
	t.Logf("OpenBLAS chose %q; host %+v; forcing %q", core, Host(), Better(core, Host()))
	if w := Wanted(); w != "" && w != Better(core, Host()) {
		t.Errorf("Wanted() = %q", w)
	}
}
