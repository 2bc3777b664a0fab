package archtest

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Limits on hand-written code (tests and generated files aside): a file a
// reader takes in at once, and a function short enough to read at a glance.
const (
	maxFileLines = 500
	maxFuncLines = 80
)

func generated(f *ast.File) bool {
	for _, c := range f.Comments {
		if strings.HasPrefix(c.Text(), "Code generated") {
			return true
		}
	}
	return false
}

func TestSizes(t *testing.T) {
	fset := token.NewFileSet()
	goFiles(t, func(path, pkg string, test bool) {
		if test {
			return
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if generated(f) {
			return
		}
		if n := fset.Position(f.End()).Line; n > maxFileLines {
			t.Errorf("%s: %d lines (at most %d)", rel(path), n, maxFileLines)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			fn, ok := n.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				return true
			}
			if l := fset.Position(fn.Body.Rbrace).Line - fset.Position(fn.Body.Lbrace).Line + 1; l > maxFuncLines {
				t.Errorf("%s: %s is %d lines (at most %d)", rel(path), fn.Name.Name, l, maxFuncLines)
			}
			return true
		})
	})
}

// Comments state their rules: they do not send the reader to documents that
// are not in the repository (the product briefs, issues, the workplace's notes).
var outside = regexp.MustCompile(`\b00[0-2]_\*|\b[Ii]ssue \d|\b[Tt]he seed|seed's|\b(STACK|MODELS|STYLE)\.md`)

func TestCommentsStandAlone(t *testing.T) {
	goFiles(t, func(path, pkg string, test bool) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for n := 1; sc.Scan(); n++ {
			if line := sc.Text(); strings.Contains(line, "//") && outside.MatchString(line) {
				t.Errorf("%s:%d points outside the repository: %s", rel(path), n, strings.TrimSpace(line))
			}
		}
	})
}
