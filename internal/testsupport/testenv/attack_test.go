package testenv_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/testenv"
)

// TestWriteAttackFiles writes the files scripts/measure-limits.sh sends to a
// server, when VERIDOC_ATTACK_DIR names a folder: a 4000×4000 JPEG with 3000
// scans and PDFs whose page is 6000 and 100000 points square.
func TestWriteAttackFiles(t *testing.T) {
	dir := os.Getenv("VERIDOC_ATTACK_DIR")
	if dir == "" {
		t.Skip("writes files only for scripts/measure-limits.sh")
	}
	files := map[string][]byte{
		"bomb.jpg":       testenv.ScanBomb(t, 4000, 3000),
		"page6000.pdf":   testenv.BlankPDF(6000, 6000),
		"page100000.pdf": testenv.BlankPDF(100000, 100000),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
