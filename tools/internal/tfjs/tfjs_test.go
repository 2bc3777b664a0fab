package tfjs_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/veridoc/veridoc/tools/internal/tfjs"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "w.bin"), []byte{0, 2, 4, 6, 0, 0, 128, 63}, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		manifest string
		ok       bool
	}{
		"quantised then float": {`[{"paths":["w.bin"],"weights":[{"name":"q","shape":[2,2],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1}},{"name":"f","shape":[1],"dtype":"float32"}]}]`, true},
		"two groups":           {`[{"paths":[],"weights":[]},{"paths":[],"weights":[]}]`, false},
		"short":                {`[{"paths":["w.bin"],"weights":[{"name":"a","shape":[16],"dtype":"float32","quantization":{"dtype":"uint8","scale":1,"min":0}}]}]`, false},
		"long":                 {`[{"paths":["w.bin"],"weights":[{"name":"a","shape":[2],"dtype":"float32","quantization":{"dtype":"uint8","scale":1,"min":0}}]}]`, false},
		"unknown dtype":        {`[{"paths":["w.bin"],"weights":[{"name":"a","shape":[8],"dtype":"int8"}]}]`, false},
	}
	for name, tc := range cases {
		p := filepath.Join(dir, "m.json")
		if err := os.WriteFile(p, []byte(tc.manifest), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := tfjs.Load(p)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err=%v", name, err)
			continue
		}
		if tc.ok {
			q, f := got[0], got[1]
			if q.Name != "q" || q.Data[0] != -1 || q.Data[3] != 2 || f.Data[0] != 1 {
				t.Errorf("%s: %+v", name, got)
			}
		}
	}
}
