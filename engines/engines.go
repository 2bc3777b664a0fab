// Package engines loads the face engine and the document reader once per
// process, on first use, and shares them between the session and document
// workers.
package engines

import (
	"sync"

	"github.com/veridoc/veridoc/docread"
	"github.com/veridoc/veridoc/imaging"
)

// Set is the engines a worker process shares.
type Set struct {
	ModelsDir string
	Faces     func() (*imaging.FaceEngine, error) // shared with the photo pipeline
	once      sync.Once
	reader    *docread.Reader
}

// Reader is the shared document reader.
func (e *Set) Reader() *docread.Reader {
	e.once.Do(func() { e.reader = docread.New(docread.Options{ModelsDir: e.ModelsDir}) })
	return e.reader
}
