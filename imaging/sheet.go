package imaging

import (
	"math"

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
// a 5 mm margin and grey cut lines around each copy.
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
	gridW, gridH := cols*pw+(cols-1)*gap, rows*ph+(rows-1)*gap // the last gap falls outside the grid
	x0, y0 := (paper.WidthPx-gridW)/2, (paper.HeightPx-gridH)/2

	// One tile is a copy plus its gap; libvips replicates it, which is far
	// cheaper than inserting copies one by one.
	white := &vips.ColorRGBA{R: 255, G: 255, B: 255, A: 255}
	sheet, err := img.Copy()
	if err != nil {
		return nil, err
	}
	defer sheet.Close()
	if err := sheet.EmbedBackgroundRGBA(0, 0, pw+gap, ph+gap, white); err != nil {
		return nil, err
	}
	if err := sheet.Replicate(cols, rows); err != nil {
		return nil, err
	}
	if err := sheet.EmbedBackgroundRGBA(x0, y0, paper.WidthPx, paper.HeightPx, white); err != nil {
		return nil, err
	}
	grey := vips.ColorRGBA{R: 160, G: 160, B: 160, A: 255}
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			x, y := x0+c*(pw+gap), y0+r*(ph+gap)
			if err := sheet.DrawRect(grey, x-1, y-1, pw+2, ph+2, false); err != nil {
				return nil, err
			}
		}
	}
	buf, _, err := encodeJPEG(sheet, sheetDPI, 0)
	return buf, err
}
