// Package integrity looks for signs that a document image is not a plain
// photo of the document: an image editor's name in its metadata, no
// colour at all (a greyscale photocopy), a screen's pixel grid (a photo of
// a screen). Bytes and pixels in, findings out; what they cost a session
// is its account's policy.
package integrity

import (
	"bytes"
	"image"
	"math"
	"regexp"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Findings are what Inspect measured.
type Findings struct {
	// Editor is the image editor named in the file's metadata (EXIF
	// Software, XMP CreatorTool, Photoshop's resource block), "" for none.
	Editor string
	// Colour is the spread of the chromaticity over the image (×1000): a
	// colour document shows its portrait, its print and its security
	// background in many hues; a greyscale copy, even under a tinted light,
	// shows one.
	Colour float64
	// Screen is how far the strongest peaks of the brightness spectrum
	// stand above their neighbourhood (ScreenPeak): a screen's pixel grid
	// and its moiré.
	Screen float64
}

// ScreenLimit: above it the document is taken for a photo of a screen.
// The 70 synthetic documents (seven photo conditions: their security
// pattern, hologram stripes and text pitch give peaks of their own) read
// 1.5–4.3, the highest under a hologram foil's stripes; their simulated
// screen recaptures 2.9–6.4. The limit leaves 0.2 of room above the
// documents (make eval-docs prints the rates, and the held-out real
// documents').
const ScreenLimit = 4.5

// GreyscaleColour: below it the document is taken for a photocopy. The
// synthetic colour documents (internal/testsupport/testdocs, seven photo
// conditions) read 28–61 and their greyscale copies, plain or under a
// tinted light and saved as JPEG, 0–10.3: the limit sits just above the
// copies, where the fewest colour documents fall below it.
const GreyscaleColour = 11.0

// editors are the programs whose name in a document photo's metadata says
// it went through an editor. Camera and phone firmware, scanners and
// converters are not in it; nor is the "Photoshop 3.0" signature of a
// JPEG's APP13 segment, the container of IPTC captions and keywords that
// photo managers, news agencies' tools and exiftool write as well (an
// editor's save names the editor in its XMP or EXIF Software).
var editors = regexp.MustCompile(`(?i)(adobe photoshop|gimp|pixelmator|affinity photo|paint\.net|photopea|canva|snapseed|picsart|fotor)`)

// metadataBytes is how much of a file's start is searched: EXIF, XMP and
// Photoshop blocks come before the pixels.
const metadataBytes = 256 << 10

// Inspect looks at an upload and its decoded pixels: a small copy serves
// for the colour, the brightness at full size is needed for the spectrum
// (nil: not measured).
func Inspect(src []byte, img *raster.Image, full *image.Gray) Findings {
	head := src[:min(len(src), metadataBytes)]
	if sos := bytes.Index(head, []byte{0xFF, 0xDA}); sos > 0 && raster.Sniff(src) == "jpeg" {
		head = head[:sos] // a JPEG's metadata ends where its scan starts
	}
	var f Findings
	if m := editors.Find(head); m != nil {
		f.Editor = string(m)
	}
	if img != nil {
		f.Colour = chromaSpread(img)
	}
	if full != nil {
		f.Screen = ScreenPeak(full)
	}
	return f
}

// chromaSpread is the spread of the chromaticity (r and g over r+g+b) over
// a sample of the image's pixels, times 1000: a light's tint multiplies
// every channel alike and leaves it unchanged, so a greyscale copy under a
// warm lamp reads as low as one under daylight. Pixels too dark for their
// chromaticity to mean anything are left out.
func chromaSpread(img *raster.Image) float64 {
	step := max(1, max(img.W, img.H)/300)
	var sr, sg, qr, qg, n float64
	for y := 0; y < img.H; y += step {
		for x := 0; x < img.W; x += step {
			i := 3 * (y*img.W + x)
			r, g, b := float64(img.Pix[i]), float64(img.Pix[i+1]), float64(img.Pix[i+2])
			sum := r + g + b
			if sum < 90 {
				continue
			}
			cr, cg := r/sum, g/sum
			sr, sg, qr, qg, n = sr+cr, sg+cg, qr+cr*cr, qg+cg*cg, n+1
		}
	}
	if n == 0 {
		return 0
	}
	vr := qr/n - (sr/n)*(sr/n)
	vg := qg/n - (sg/n)*(sg/n)
	return 1000 * math.Sqrt(math.Max(0, vr)+math.Max(0, vg))
}

// Brightness is an image's luma (BT.601), for Inspect's spectrum.
func Brightness(img *raster.Image) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, img.W, img.H))
	for i := range g.Pix {
		r, gr, b := uint32(img.Pix[3*i]), uint32(img.Pix[3*i+1]), uint32(img.Pix[3*i+2])
		g.Pix[i] = uint8((299*r + 587*gr + 114*b + 500) / 1000)
	}
	return g
}
