package client_test

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/veridoc/veridoc/tools/sdkgen"
)

var update = flag.Bool("update", false, "rewrite api_gen.go from the registry")

// The SDK is generated from the server's registry; it must match it.
func TestGenerated(t *testing.T) {
	reg, err := sdkgen.Registry()
	if err != nil {
		t.Fatal(err)
	}
	src, err := sdkgen.Generate(reg)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("api_gen.go", src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile("api_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, src) {
		t.Fatal("client/api_gen.go is stale: run go test ./client -run TestGenerated -update")
	}
}
