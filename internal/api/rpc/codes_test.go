package rpc_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"testing"

	"github.com/veridoc/veridoc/internal/api/rpc"
)

// Every code declared in codes.go is in Catalogue, once, with a real error status.
func TestCatalogue(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.CompositeLit); ok {
			if id, ok := lit.Type.(*ast.Ident); ok && id.Name == "Code" && len(lit.Elts) == 2 {
				if s, ok := lit.Elts[0].(*ast.BasicLit); ok {
					declared[s.Value[1:len(s.Value)-1]] = true
				}
			}
		}
		return true
	})
	listed := map[string]bool{}
	for _, c := range rpc.Catalogue() {
		if listed[c.Name()] {
			t.Errorf("%s listed twice", c.Name())
		}
		listed[c.Name()] = true
		if !declared[c.Name()] {
			t.Errorf("%s is listed but not declared in codes.go", c.Name())
		}
		if c.Status() < 400 || c.Status() > 599 || http.StatusText(c.Status()) == "" {
			t.Errorf("%s: status %d", c.Name(), c.Status())
		}
		if e := c.New("x"); e.Name != c.Name() || e.Status != c.Status() || !c.Is(e) {
			t.Errorf("%s: New gives %+v", c.Name(), e)
		}
	}
	for name := range declared {
		if !listed[name] {
			t.Errorf("%s is declared but missing from Catalogue()", name)
		}
	}
	if len(declared) < 40 {
		t.Fatalf("parsed only %d codes from codes.go", len(declared))
	}
	if rpc.Known("SomethingMadeUp") || !rpc.Known("SessionNotFound") {
		t.Error("Known")
	}
}
