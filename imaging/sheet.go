package imaging

import (
	"bytes"
	"math"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/davidbyttow/govips/v2/vips"
)

// SheetSize is printable paper at 300 DPI.
type SheetSize struct {
	Name              string
	WidthPx, HeightPx int
}

// Paper sizes at 300 DPI.
var (
	Sheet4x6 = SheetSize{"4x6in", 1200, 1800}
	SheetA4  = SheetSize{"A4", 2480, 3508}
)

const sheetDPI = 300

// Sheet lays out as many copies of photo as fit on the paper, with a 2 mm gap,
// at least a 5 mm margin and a grey cut line around each copy.
func Sheet(photo []byte, spec Spec, paper SheetSize) ([]byte, error) {
	img, err := vips.NewImageFromBuffer(photo)
	if err != nil {
		return nil, err
	}
	defer img.Close()
	pxmm := float64(sheetDPI) / 25.4
	pw, ph := int(math.Round(spec.WidthMm*pxmm)), int(math.Round(spec.HeightMm*pxmm))
	if img.Width() != pw || img.Height() != ph {
		if err := img.ResizeWithVScale(float64(pw)/float64(img.Width()), float64(ph)/float64(img.Height()), vips.KernelLanczos3); err != nil {
			return nil, err
		}
	}
	gap, margin := int(2*pxmm), int(5*pxmm)
	cols := max(1, (paper.WidthPx-2*margin+gap)/(pw+gap))
	rows := max(1, (paper.HeightPx-2*margin+gap)/(ph+gap))
	// One tile is a copy centred in its gap, with its cut line drawn once;
	// libvips replicates the tile, far cheaper than placing copies one by one.
	x0 := (paper.WidthPx - cols*(pw+gap)) / 2
	y0 := (paper.HeightPx - rows*(ph+gap)) / 2
	white := &vips.ColorRGBA{R: 255, G: 255, B: 255, A: 255}
	sheet, err := img.Copy()
	if err != nil {
		return nil, err
	}
	defer sheet.Close()
	if err := sheet.EmbedBackgroundRGBA(gap/2, gap/2, pw+gap, ph+gap, white); err != nil {
		return nil, err
	}
	grey := vips.ColorRGBA{R: 160, G: 160, B: 160, A: 255}
	if err := sheet.DrawRect(grey, gap/2-1, gap/2-1, pw+2, ph+2, false); err != nil {
		return nil, err
	}
	if err := sheet.Replicate(cols, rows); err != nil {
		return nil, err
	}
	if err := sheet.EmbedBackgroundRGBA(x0, y0, paper.WidthPx, paper.HeightPx, white); err != nil {
		return nil, err
	}
	buf, _, err := encodeJPEG(sheet, sheetDPI, 0)
	return buf, err
}

// SheetPDF lays out copies of photo on an A4 page as a PDF: the photo's JPEG
// is embedded once, unchanged, and placed at its exact size in millimetres,
// with a grey cut line around each copy. A PDF prints at true size on a home
// printer (a JPEG sheet is often scaled to fit), and costs no re-encoding.
func SheetPDF(photo []byte, spec Spec) ([]byte, error) {
	const pageW, pageH, gap, margin = 210.0, 297.0, 2.0, 5.0
	w, h := spec.WidthMm, spec.HeightMm
	cols := max(1, int((pageW-2*margin+gap)/(w+gap)))
	rows := max(1, int((pageH-2*margin+gap)/(h+gap)))
	x0 := (pageW - float64(cols)*(w+gap) + gap) / 2
	y0 := (pageH - float64(rows)*(h+gap) + gap) / 2
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(time.Unix(0, 0).UTC()) // the same photo gives the same file
	pdf.SetCatalogSort(true)
	pdf.SetProducer("Veridoc", false)
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
