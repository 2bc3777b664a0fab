package idphoto

import (
	"bytes"
	"math"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Photo prints are made at 300 DPI.
const sheetDPI = 300

// Print sizes of the JPEG sheets, in px at 300 DPI: the 4×6 in and 5×7 in
// prints photo shops and kiosks take.
var (
	Print4x6 = printSize{1200, 1800}
	Print5x7 = printSize{1500, 2100}
)

type printSize struct{ w, h int }

// Paper sizes of the PDF sheets, in mm: A4 and US Letter.
var (
	PaperA4     = paper{"A4", 210, 297}
	PaperLetter = paper{"Letter", 215.9, 279.4}
)

type paper struct {
	name string // fpdf's size name
	w, h float64
}

// sheet lays out as many copies of the photo as fit on a print of size ps,
// with a 2 mm gap, at least a 5 mm margin and a grey cut line around each
// copy. It is encoded a scanline at a time, never held whole: libvips' draw
// and replicate operations would copy the whole sheet each time.
func sheet(photo *raster.Image, spec Spec, ps printSize) ([]byte, error) {
	sheetW, sheetH := ps.w, ps.h
	pxmm := float64(sheetDPI) / 25.4
	pw, ph := int(math.Round(spec.WidthMm*pxmm)), int(math.Round(spec.HeightMm*pxmm))
	if photo.W != pw || photo.H != ph {
		var err error
		if photo, err = photo.Region(photo.Bounds(), pw, ph); err != nil {
			return nil, err
		}
		defer photo.Free()
	}
	gap, margin := int(2*pxmm), int(5*pxmm)
	cols := max(1, (sheetW-2*margin+gap)/(pw+gap))
	rows := max(1, (sheetH-2*margin+gap)/(ph+gap))
	x0 := (sheetW - cols*(pw+gap) + gap) / 2
	y0 := (sheetH - rows*(ph+gap) + gap) / 2
	return raster.EncodeSheet(photo, sheetW, sheetH, x0, y0, pw+gap, ph+gap, cols, rows, sheetDPI)
}

// SheetPDF lays out copies of photo on a page of paper pp as a PDF: the
// photo's JPEG is embedded once, unchanged, and placed at its exact size in
// millimetres, with a grey cut line around each copy. A PDF prints at true
// size on a home printer (a JPEG sheet is often scaled to fit), and costs no
// re-encoding.
func SheetPDF(photo []byte, spec Spec, pp paper) ([]byte, error) {
	const gap, margin = 2.0, 5.0
	pageW, pageH := pp.w, pp.h
	w, h := spec.WidthMm, spec.HeightMm
	cols := max(1, int((pageW-2*margin+gap)/(w+gap)))
	rows := max(1, int((pageH-2*margin+gap)/(h+gap)))
	x0 := (pageW - float64(cols)*(w+gap) + gap) / 2
	y0 := (pageH - float64(rows)*(h+gap) + gap) / 2
	pdf := fpdf.New("P", "mm", pp.name, "")
	pdf.SetCreationDate(time.Unix(0, 0).UTC()) // the same photo gives the same file
	pdf.SetCatalogSort(true)
	pdf.SetProducer("Veridoc", false)
	// The page holds a few hundred bytes of drawing and the photo is JPEG
	// already: compressing them saved little and allocated a deflate
	// state (about 1 MB) per sheet.
	pdf.SetCompression(false)
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddPage()
	opts := fpdf.ImageOptions{ImageType: "JPG"}
	pdf.RegisterImageOptionsReader("photo", opts, bytes.NewReader(photo))
	pdf.SetDrawColor(160, 160, 160)
	pdf.SetLineWidth(0.1)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			x, y := x0+float64(c)*(w+gap), y0+float64(r)*(h+gap)
			pdf.ImageOptions("photo", x, y, w, h, false, opts, 0, "")
			pdf.Rect(x-0.1, y-0.1, w+0.2, h+0.2, "D")
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
