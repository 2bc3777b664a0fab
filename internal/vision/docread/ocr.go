package docread

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/otiai10/gosseract/v2"
)

// ocrPool lends Tesseract clients of one language. A client is not safe for
// concurrent use and loading a model costs tens of milliseconds, so clients
// are kept and reused.
type ocrPool struct {
	clients chan *gosseract.Client
	newOne  func() (*gosseract.Client, error)
}

func newOCRPool(size int, newOne func() (*gosseract.Client, error)) *ocrPool {
	return &ocrPool{clients: make(chan *gosseract.Client, size), newOne: newOne}
}

// text recognises the text of an encoded image (PNG).
func (p *ocrPool) text(img []byte) (string, error) {
	var out string
	err := p.with(img, func(c *gosseract.Client) (err error) {
		out, err = c.Text()
		return err
	})
	return out, err
}

// with lends a client holding img to fn.
func (p *ocrPool) with(img []byte, fn func(c *gosseract.Client) error) error {
	var c *gosseract.Client
	select {
	case c = <-p.clients:
	default:
		var err error
		if c, err = p.newOne(); err != nil {
			return err
		}
	}
	if err := c.SetImageFromBytes(img); err != nil {
		_ = c.Close()
		return fmt.Errorf("ocr: %w", err)
	}
	if err := fn(c); err != nil {
		_ = c.Close()
		return fmt.Errorf("ocr: %w", err)
	}
	select {
	case p.clients <- c:
	default:
		_ = c.Close()
	}
	return nil
}

func (p *ocrPool) close() {
	for {
		select {
		case c := <-p.clients:
			_ = c.Close()
		default:
			return
		}
	}
}

// mrzAlphabet is every character an MRZ may hold.
const mrzAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"

// newMRZClient loads the MRZ model (mrz.traineddata in dir): one block of
// text, MRZ alphabet, no dictionary.
func newMRZClient(dir string) func() (*gosseract.Client, error) {
	load := func() (*gosseract.Client, error) {
		if _, err := os.Stat(filepath.Join(dir, "mrz.traineddata")); err != nil {
			return nil, fmt.Errorf("ocr: mrz.traineddata missing in %s (run make models)", dir)
		}
		c := gosseract.NewClient()
		if err := errors.Join(c.SetTessdataPrefix(dir), c.SetLanguage("mrz")); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("ocr: %w", err)
		}
		return c, nil
	}
	return tuned(load, "6", mrzAlphabet)
}

// newMRZEngClient loads the English model (Debian's tesseract-ocr-eng, or
// eng.traineddata in dir) to read an MRZ band: one block, MRZ alphabet, no
// dictionary.
func newMRZEngClient(dir string) func() (*gosseract.Client, error) {
	return tuned(newTextClient(dir, "eng"), "6", mrzAlphabet)
}

// newZoneClient loads the English model to read a document's printed zone:
// the page as one column of text of varying sizes (PSM 4), without the
// dictionary (names and numbers are no words). Automatic page segmentation
// (PSM 3) took a gap inside a line for a column's edge and split names in
// two ("SURNAME XTLF … QIFYYW"): on 30 synthetic documents a condition, PSM
// 4 found the surname in 20 of 20 passports photographed in a hand (13
// with PSM 3) and 18 of 20 at an angle (15), as fast; a uniform block (PSM
// 6) read no more, 35 ms slower.
func newZoneClient(dir string) func() (*gosseract.Client, error) {
	return tuned(newTextClient(dir, "eng"), "4", "")
}

// tuned wraps a client loader: page segmentation mode psm (set as a
// variable: SetPageSegMode is lost on gosseract's lazy init), characters
// limited to whitelist ("" = any), no dictionary.
func tuned(load func() (*gosseract.Client, error), psm, whitelist string) func() (*gosseract.Client, error) {
	return func() (*gosseract.Client, error) {
		c, err := load()
		if err != nil {
			return nil, err
		}
		steps := []error{
			c.SetVariable("tessedit_pageseg_mode", psm),
			c.SetVariable("load_system_dawg", "0"),
			c.SetVariable("load_freq_dawg", "0"),
		}
		if whitelist != "" {
			steps = append(steps, c.SetWhitelist(whitelist))
		}
		if err := errors.Join(steps...); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("ocr: %w", err)
		}
		return c, nil
	}
}

// newTextClient loads a language model for printed text (e.g. "eng" from
// Debian's tesseract-ocr-eng), automatic page segmentation.
func newTextClient(dir, lang string) func() (*gosseract.Client, error) {
	return func() (*gosseract.Client, error) {
		c := gosseract.NewClient()
		if dir != "" {
			if err := c.SetTessdataPrefix(dir); err != nil {
				_ = c.Close()
				return nil, err
			}
		}
		if err := c.SetLanguage(lang); err != nil {
			_ = c.Close()
			return nil, err
		}
		return c, nil
	}
}
