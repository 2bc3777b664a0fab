// Package integrity looks for signs that a document image is not a plain
// photo of the document: an image editor's name in its metadata, or no
// colour at all (a greyscale photocopy). Bytes and pixels in, findings out;
// what they cost a session is its account's policy.
package integrity

import (
	"bytes"
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
}

// GreyscaleColour: below it the document is taken for a photocopy. The
// synthetic colour documents (internal/testsupport/testdocs, seven photo
// conditions) read 28–61 and their greyscale copies, plain or under a
// tinted light and saved as JPEG, 0–10.3: the limit sits just above the
// copies, where the fewest colour documents fall below it.
const GreyscaleColour = 11.0

// editors are the programs whose name in a document photo's metadata says
// it went through an editor. Camera and phone firmware, scanners and
// converters are not in it.
var editors = regexp.MustCompile(`(?i)(adobe photoshop|photoshop 3\.0|gimp|pixelmator|affinity photo|paint\.net|photopea|canva|snapseed|picsart|fotor)`)

// metadataBytes is how much of a file's start is searched: EXIF, XMP and
// Photoshop blocks come before the pixels.
const metadataBytes = 256 << 10

// Inspect looks at an upload and its decoded pixels (a small copy serves).
func Inspect(src []byte, img *raster.Image) Findings {
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
