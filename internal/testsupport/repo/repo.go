// Package repo finds the repository's own folders from a test, wherever the
// test's package sits in the tree: the root (where go.mod is), models-data and
// the shared data beside the checkout.
package repo

import (
	"os"
	"path/filepath"
)

// Root is the folder holding go.mod, found upwards from the working directory
// ("" when there is none).
func Root() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Path joins elements onto the root.
func Path(elem ...string) string { return filepath.Join(append([]string{Root()}, elem...)...) }

// Models is models-data, where make models puts the model files.
func Models() string { return Path("models-data") }

// Shared is the shared data folder: VERIDOC_SHARED_DIR, else ../shared beside the checkout.
func Shared() string {
	if dir := os.Getenv("VERIDOC_SHARED_DIR"); dir != "" {
		return dir
	}
	return filepath.Join(filepath.Dir(Root()), "shared")
}
