package sdkgen_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/repo"
	"github.com/veridoc/veridoc/tools/sdkgen"
)

var update = flag.Bool("update", false, "rewrite the generated SDK files from the registry")

// The TypeScript and Python SDKs are generated from the server's registry;
// the committed files must be what the registry gives today.
func TestSDKsAreCurrent(t *testing.T) {
	reg, err := sdkgen.Registry()
	if err != nil {
		t.Fatal(err)
	}
	m, err := sdkgen.Build(reg)
	if err != nil {
		t.Fatal(err)
	}
	for path, src := range map[string][]byte{
		"sdk/typescript/src/api.gen.ts": sdkgen.TypeScript(m),
		"sdk/python/veridoc/_api.py":    sdkgen.Python(m),
	} {
		full := filepath.Join(repo.Root(), path)
		if *update {
			if err := os.WriteFile(full, src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		have, err := os.ReadFile(full)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(have, src) {
			t.Errorf("%s is stale: run go test ./tools/sdkgen -update", path)
		}
	}
}
