package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/repo"
)

const module = "github.com/veridoc/veridoc/"

// layers ranks the tree from the top (the command) down to the platform. A
// package imports only packages of its own rank or below; the prefixes are
// matched longest first.
var layers = []struct {
	prefix string
	rank   int
}{
	{"cmd/", 7},
	{"tools/", 7},
	{"internal/app", 6},
	{"internal/api", 5},
	{"internal/web", 5},
	{"internal/domain/", 4},
	{"internal/vision/", 3},
	{"internal/platform/", 2},
	{"client", 1}, // the Go SDK stands alone: it imports nothing of the server
}

// apart are pairs that may not import each other although their ranks allow it.
var apart = [][2]string{
	{"internal/api", "internal/web"},
	{"internal/web", "internal/api"},
}

// testOnly packages are for tests: runtime code never imports them.
var testOnly = []string{"internal/testsupport/", "internal/systemtest", "internal/archtest"}

func rankOf(pkg string) (int, bool) {
	best, rank := -1, 0
	for _, l := range layers {
		if (pkg == strings.TrimSuffix(l.prefix, "/") || strings.HasPrefix(pkg, l.prefix)) && len(l.prefix) > best {
			best, rank = len(l.prefix), l.rank
		}
	}
	return rank, best >= 0
}

func has(pkg, prefix string) bool {
	return pkg == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(pkg, strings.TrimSuffix(prefix, "/")+"/")
}

// goFiles calls fn for each Go file of the module with its package directory
// (relative, slash-separated) and whether it is a test file.
func goFiles(t *testing.T, fn func(path, pkg string, test bool)) {
	t.Helper()
	root := repo.Root()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" ||
				name == "models-data" || name == "data" || name == "test-output" || name == "bin" || name == "sdk") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		fn(path, filepath.ToSlash(rel), strings.HasSuffix(name, "_test.go"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestImportsRunDown(t *testing.T) {
	fset := token.NewFileSet()
	goFiles(t, func(path, pkg string, test bool) {
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		from, ranked := rankOf(pkg)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module) {
				continue
			}
			to := strings.TrimPrefix(p, module)
			for _, o := range testOnly {
				if has(to, o) && !test && !has(pkg, "internal/testsupport") && !has(pkg, "internal/systemtest") {
					t.Errorf("%s: runtime code imports the test package %s", rel(path), to)
				}
			}
			if test {
				continue // tests may reach up to drive a package through the stack
			}
			if !ranked {
				continue
			}
			if r, ok := rankOf(to); ok && r > from {
				t.Errorf("%s: %s imports %s, a layer above it", rel(path), pkg, to)
			}
			for _, a := range apart {
				if has(pkg, a[0]) && has(to, a[1]) {
					t.Errorf("%s: %s imports %s; the two stay apart", rel(path), pkg, to)
				}
			}
		}
	})
}

// TestEveryPackagePlaced: a new package gets a layer, or the rules above mean nothing for it.
func TestEveryPackagePlaced(t *testing.T) {
	seen := map[string]bool{}
	goFiles(t, func(path, pkg string, test bool) {
		if seen[pkg] || test {
			return
		}
		seen[pkg] = true
		if _, ok := rankOf(pkg); ok {
			return
		}
		for _, o := range testOnly {
			if has(pkg, o) {
				return
			}
		}
		t.Errorf("package %s has no layer in archtest's table", pkg)
	})
}

func rel(path string) string {
	r, err := filepath.Rel(repo.Root(), path)
	if err != nil {
		return path
	}
	return r
}
