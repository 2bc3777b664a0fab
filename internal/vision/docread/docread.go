// Package docread reads identity documents from photos: it finds and deskews
// the machine-readable zone, recognises it with Tesseract and the MRZ model,
// and parses it with package mrz; it also recognises plain printed text (proof
// of address). The parsing rules live in mrz; this package only sees pixels.
package docread

import (
	"context"
	"errors"
	"image"
	"time"

	"github.com/veridoc/veridoc/internal/vision/mrz"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// ErrNoMRZ means no machine-readable zone could be read in the image.
var ErrNoMRZ = errors.New("no machine-readable zone found")

// ErrUnsupported means the image has an MRZ in a layout this reader does not
// know (not ICAO TD1, TD2, TD3 or a visa, nor the French card of 1988–2021):
// it is refused rather than parsed as something it is not.
var ErrUnsupported = errors.New("an MRZ in an unsupported layout")

// Reader reads documents. It is safe for concurrent use.
type Reader struct {
	mrzOCR  *ocrPool // the MRZ model
	mrzEng  *ocrPool // English, MRZ alphabet only: a second opinion
	textOCR *ocrPool
	vizOCR  *ocrPool // English, one column of text: a page's printed zone
	now     func() time.Time
}

// Options configure a Reader.
type Options struct {
	ModelsDir   string // holds mrz.traineddata (make models)
	TessdataDir string // holds eng.traineddata; "" = Tesseract's default (Debian's package)
	TextLang    string // printed-text language, "eng" unless set
	Now         func() time.Time
}

// New makes a Reader; models load on first use.
func New(o Options) *Reader {
	raster.Start()
	if o.TextLang == "" {
		o.TextLang = "eng"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Reader{
		mrzOCR:  newOCRPool(4, newMRZClient(o.ModelsDir)),
		mrzEng:  newOCRPool(2, newMRZEngClient(o.TessdataDir)),
		textOCR: newOCRPool(2, newTextClient(o.TessdataDir, o.TextLang)),
		vizOCR:  newOCRPool(2, newZoneClient(o.TessdataDir)),
		now:     o.Now,
	}
}

// Close frees the OCR engines.
func (r *Reader) Close() {
	r.mrzOCR.close()
	r.mrzEng.close()
	r.textOCR.close()
	r.vizOCR.close()
}

// MRZRead is what ReadMRZ found.
type MRZRead struct {
	*mrz.Result
	Raw     string  // the OCR text of the chosen region
	SkewDeg float64 // how far the document was turned (clockwise), after Quarter
	Quarter int     // quarter turns clockwise that brought the page upright
	// Flattened: read from the document's outline unwarped (a perspective).
	Flattened bool
	Region    image.Rectangle // in the deskewed working image
	// above cuts the page above the MRZ from the view it was read in,
	// levelled, with text lines about lineH px tall (nil: not known);
	// sameSide paints out what lies beyond a page whose zone is there.
	above    func(lineH int, sameSide bool) (*image.Gray, float64)
	band     []byte // the band the read came from (a PNG), for a second opinion
	split    int    // rows OCR read in pieces (see splitRows)
	Attempts int    // regions recognised
}

// workSize is the least longer side a document is read at (a JPEG shrinks
// on load only while it keeps it): an MRZ character is then at least about
// 30 px tall when the document fills the photo.
const workSize = 1600

// findSize bounds the copy the skew and the MRZ's lines are found on: a
// text line there is still 10 px or more, and the search costs a quarter.
const findSize = 1000

// BestMRZ reads the MRZ of each side given (nil sides are skipped) and keeps
// the read with the fewest failed check digits, stopping at the first valid
// one: ID cards carry it on the back, passports on the front. Without a read,
// the error is ErrUnsupported when a side had an MRZ of an unknown layout,
// else ErrNoMRZ.
func (r *Reader) BestMRZ(ctx context.Context, sides ...[]byte) (*MRZRead, error) {
	var best *MRZRead
	miss := ErrNoMRZ
	for _, img := range sides {
		if img == nil {
			continue
		}
		m, err := r.ReadMRZ(ctx, img)
		if errors.Is(err, ErrUnsupported) {
			miss = err
		}
		if err != nil {
			continue // not found on this side (or unreadable): try the next
		}
		if best == nil || len(m.FailedChecks) < len(best.FailedChecks) {
			best = m
		}
		if m.Valid() {
			break
		}
	}
	if best == nil {
		return nil, miss
	}
	return best, nil
}

// ReadMRZ finds, recognises and parses the MRZ of a document photo. It
// returns ErrNoMRZ when nothing MRZ-shaped parses, ErrUnsupported for an MRZ
// of an unknown layout; a parsed MRZ with failed check digits is returned as
// read (the caller decides what that means).
//
// The photo is decoded once. The skew and the MRZ's lines are found on a
// copy at most 1000 px long; only the band that OCR reads is cut from the
// photo's own pixels, levelled and scaled in one pass. OCR is most of the
// time, and it grows with the band's width.
//
// Until a read is valid, it looks again with a stricter ink threshold (a
// patterned or noisy background turns every row into "text" at the first),
// and finally combines the lines of every reading: one reading's first line
// with another's second, each checked by the check digits.
func (r *Reader) ReadMRZ(ctx context.Context, img []byte) (*MRZRead, error) {
	g, err := decodeGray(ctx, img, workSize)
	if err != nil {
		return nil, err
	}
	small, f := downscale(g, findSize)
	var searches []*search
	// A document photographed at an angle is flattened first: its outline,
	// when its edges show one, is a perspective's quad. The photo as it is
	// comes after, in case the outline was something else.
	if q, ok := findQuad(small); ok && q.foreshortened() {
		flat := unwarp(g, q.scaled(float64(f)))
		flatSmall, ff := downscale(flat, findSize)
		searches = append(searches, r.views(flat, flatSmall, ff, true)...)
	}
	searches = append(searches, r.views(g, small, f, false)...)
	best := func() *MRZRead {
		var b *MRZRead
		for _, s := range searches {
			if s.best != nil && (b == nil || len(s.best.FailedChecks) < len(b.FailedChecks)) {
				b = s.best
			}
		}
		return b
	}
	for _, margin := range inkMargins {
		for _, s := range searches {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := s.pass(margin); err != nil {
				return nil, err
			}
			if s.best != nil && s.best.Valid() {
				return s.best, nil
			}
		}
	}
	mrzLike := false
	for _, s := range searches {
		s.combine()
		mrzLike = mrzLike || s.mrzLike
	}
	switch b := best(); {
	case b != nil:
		return b, nil
	case mrzLike:
		return nil, ErrUnsupported
	}
	return nil, ErrNoMRZ
}

// Text recognises the printed text of a page image (JPEG or PNG) with the
// text model, the page turned upright first when it was photographed askew.
func (r *Reader) Text(ctx context.Context, img []byte) (string, error) {
	small, err := loadGray(ctx, img, 800, 0)
	if err != nil {
		return "", err
	}
	sw, sh := small.Rect.Dx(), small.Rect.Dy()
	skew := skewDegrees(inkMap(small, max(15, sw/40), 10), sw, sh, 15)
	g, err := loadGray(ctx, img, 2400, -skew)
	if err != nil {
		return "", err
	}
	return r.textOCR.text(storedPNG(g))
}
