package engines

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/repo"
)

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, Models[0].File), []byte("not the model"), 0o644); err != nil {
		t.Fatal(err)
	}
	list, err := Inspect(dir)
	if err != nil || len(list) != len(Models) {
		t.Fatalf("%v %v", list, err)
	}
	if m := list[0]; !m.Present || m.FileSHA == "" || m.FileSHA == m.SHA256 || m.SizeBytes != 13 {
		t.Errorf("a wrong file: %+v", m)
	}
	for _, m := range list[1:] {
		if m.Present || m.Source == "" || m.Licence == "" || m.UsedFor == "" || len(m.SHA256) != 64 {
			t.Errorf("%+v", m)
		}
	}
	if got := MissingModels(dir); len(got) != len(Models)-1 {
		t.Errorf("missing %v", got)
	}
	// The repository's models folder, when make models has filled it, holds exactly the pinned files.
	if list, err := Inspect(repo.Models()); err == nil && list[0].Present {
		for _, m := range list {
			if !m.Present || m.FileSHA != "" {
				t.Errorf("models-data: %s present %v, sha256 %s", m.File, m.Present, m.FileSHA)
			}
		}
	}
}

// models.sha256 lists exactly the files in Models: make models checks what
// the server expects, and no stale line is left behind.
func TestModelSums(t *testing.T) {
	var listed []string
	for _, line := range strings.Split(strings.TrimSpace(modelSums), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("bad line %q", line)
		}
		listed = append(listed, name)
	}
	if !slices.Equal(listed, ModelFiles) {
		t.Fatalf("models.sha256 lists %v, Models %v", listed, ModelFiles)
	}
}
