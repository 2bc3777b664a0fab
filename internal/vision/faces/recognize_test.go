package faces

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/testsupport/repo"
)

// TestDescriptorPoolBounds: with one net allowed, a second caller waits
// until the first puts its net back, and then gets that same net (no
// second copy is loaded).
func TestDescriptorPoolBounds(t *testing.T) {
	p := newDescriptorPool(filepath.Join(repo.Models(), DescriptorModelFile), 1)
	defer p.close()
	first, err := p.get()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	var second = make(chan any, 1)
	go func() {
		n, err := p.get()
		second <- n
		got <- err
	}()
	select {
	case <-second:
		t.Fatal("a second net was handed out while the only one was in use")
	case <-time.After(200 * time.Millisecond):
	}
	p.put(first)
	n := <-second
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if n != any(first) {
		t.Error("the waiting caller got a new copy, not the one put back")
	}
	p.put(first)
}
