package verifications

import (
	"bytes"
	"fmt"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/davidbyttow/govips/v2/vips"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// PDFSide is one image of a document for the PDF.
type PDFSide struct {
	Label       string // "Front", "Back"
	Data        []byte
	ContentType string // image/jpeg, image/png or application/pdf
}

// PDF makes the record of a document: a header with what it is and one A4
// page per side with the image fitted. A side that was uploaded as a PDF is
// attached to the file unchanged and named on its page.
func PDF(title string, facts [][2]string, sides []PDFSide, created time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(created)
	pdf.SetCatalogSort(true) // deterministic output
	pdf.SetProducer("Veridoc", false)
	pdf.SetTitle(title, false)
	pdf.SetAutoPageBreak(false, 10)
	var attachments []fpdf.Attachment
	for i, s := range sides {
		pdf.AddPage()
		pdf.SetFont("Helvetica", "B", 14)
		pdf.CellFormat(0, 8, title+" - "+s.Label, "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		for _, f := range facts {
			pdf.CellFormat(45, 5, f[0], "", 0, "L", false, 0, "")
			pdf.CellFormat(0, 5, f[1], "", 1, "L", false, 0, "")
		}
		top := pdf.GetY() + 4
		if s.ContentType == "application/pdf" {
			name := fmt.Sprintf("%s-%s.pdf", title, s.Label)
			attachments = append(attachments, fpdf.Attachment{Content: s.Data, Filename: name})
			pdf.SetXY(10, top)
			pdf.MultiCell(0, 5, "This side was uploaded as a PDF; it is attached to this file as "+name+".", "", "L", false)
			continue
		}
		// Re-encoded as baseline sRGB JPEG: fpdf takes no 16-bit PNGs or CMYK.
		jpg, err := asJPEG(s.Data)
		if err != nil {
			return nil, err
		}
		typ := "JPG"
		name := fmt.Sprintf("side%d", i)
		info := pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: typ}, bytes.NewReader(jpg))
		if pdf.Err() {
			return nil, pdf.Error()
		}
		// Fit into the page below the header, keeping the aspect ratio.
		maxW, maxH := 190.0, 287-top
		w, h := maxW, maxW*info.Height()/info.Width()
		if h > maxH {
			h, w = maxH, maxH*info.Width()/info.Height()
		}
		pdf.ImageOptions(name, 10+(maxW-w)/2, top, w, h, false, fpdf.ImageOptions{ImageType: typ}, 0, "")
	}
	if len(attachments) > 0 {
		pdf.SetAttachments(attachments)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func asJPEG(b []byte) ([]byte, error) {
	raster.Start()
	img, err := vips.NewImageFromBuffer(b)
	if err != nil {
		return nil, err
	}
	defer img.Close()
	if err := img.AutoRotate(); err != nil {
		return nil, err
	}
	if img.HasAlpha() {
		if err := img.Flatten(&vips.Color{R: 255, G: 255, B: 255}); err != nil {
			return nil, err
		}
	}
	if err := img.ToColorSpace(vips.InterpretationSRGB); err != nil {
		return nil, err
	}
	out, _, err := img.ExportJpeg(&vips.JpegExportParams{Quality: 90, StripMetadata: true})
	return out, err
}
