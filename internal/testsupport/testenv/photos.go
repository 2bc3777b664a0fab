package testenv

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Photo is a test photo shipped by a Debian package (scripts/install-deps.sh installs them).
type Photo struct {
	Package string // the Debian package
	Path    string // where the package installs it today
}

func (p Photo) String() string { return p.Path }

// Debian test photos.
var (
	PhotoAstronaut   = Photo{"python3-skimage", "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"}
	PhotoGraceHopper = Photo{"python-matplotlib-data", "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg"}
	PhotoGrace512    = Photo{"facedetect", "/usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg"}
	PhotoNoFace      = Photo{"facedetect", "/usr/share/doc/facedetect/examples/640px-IceBlockNearJoekullsarlon.jpg"}
)

// Find locates the photo: at its usual path, or wherever the installed
// package put a file of that name (paths move between releases, e.g. the
// Python version in a path).
func (p Photo) Find() (string, error) {
	if _, err := os.Stat(p.Path); err == nil {
		return p.Path, nil
	}
	out, err := exec.Command("dpkg", "-L", p.Package).Output()
	if err != nil {
		return "", fmt.Errorf("the Debian package %s is not installed (apt-get install %s)", p.Package, p.Package)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if filepath.Base(line) == filepath.Base(p.Path) {
			return line, nil
		}
	}
	return "", fmt.Errorf("the Debian package %s holds no %s", p.Package, filepath.Base(p.Path))
}

// ReadPhoto reads a test photo; without its package the test is skipped
// (failed under make test) with a message naming the package to install.
func ReadPhoto(t testing.TB, p Photo) []byte {
	t.Helper()
	path, err := p.Find()
	if err == nil {
		var b []byte
		if b, err = os.ReadFile(path); err == nil {
			return b
		}
	}
	missing(t, "test photo "+filepath.Base(p.Path)+": "+err.Error())
	return nil
}

// PNGHeader is a PNG whose header claims w×h pixels and holds no pixel data:
// enough to test a decompression-bomb check, which must not decode.
func PNGHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	_ = binary.Write(&b, binary.BigEndian, uint32(13))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// ScaledPhoto is a test photo resized by scale (Lanczos) as a JPEG: portraits
// large enough for a document's head size, or too small on purpose.
func ScaledPhoto(t testing.TB, p Photo, scale float64) []byte {
	t.Helper()
	raster.Start()
	img, err := vips.NewImageFromBuffer(ReadPhoto(t, p))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if err := img.Resize(scale, vips.KernelLanczos3); err != nil {
		t.Fatal(err)
	}
	b, _, err := img.ExportJpeg(&vips.JpegExportParams{Quality: 90})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ScanBomb is a progressive JPEG of side×side pixels (a Debian test photo
// enlarged) whose last scan is repeated until it has scans scans: small on
// the wire, and a decoder goes over the whole image once per scan.
func ScanBomb(t testing.TB, side, scans int) []byte {
	t.Helper()
	src := ReadPhoto(t, PhotoGrace512)
	vips.Startup(nil)
	img, err := vips.NewImageFromBuffer(src)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if err := img.Resize(float64(side)/float64(img.Width()), vips.KernelLinear); err != nil {
		t.Fatal(err)
	}
	prog, _, err := img.ExportJpeg(&vips.JpegExportParams{Quality: 60, Interlace: true})
	if err != nil {
		t.Fatal(err)
	}
	// Each scan runs from its SOS marker to the next marker after its data
	// (a stuffed 0xFF is followed by 0x00, never by a marker code); the
	// smallest one is repeated, as an attacker would.
	eoi := len(prog) - 2
	if !bytes.HasSuffix(prog, []byte{0xFF, 0xD9}) {
		t.Fatal("no EOI marker")
	}
	starts := []int{}
	for i := 0; i+1 < len(prog); i++ {
		if prog[i] == 0xFF && prog[i+1] == 0xDA {
			starts = append(starts, i)
		}
	}
	if len(starts) == 0 {
		t.Fatal("no scan")
	}
	small := prog[starts[0]:eoi]
	for _, at := range starts {
		end := at + 2 + (int(prog[at+2])<<8 | int(prog[at+3])) // past the SOS header
		for end+1 < eoi && (prog[end] != 0xFF || prog[end+1] == 0x00 || (prog[end+1] >= 0xD0 && prog[end+1] <= 0xD7)) {
			end++
		}
		if end-at < len(small) {
			small = prog[at:end]
		}
	}
	out := bytes.NewBuffer(append([]byte{}, prog[:eoi]...))
	for range scans - len(starts) {
		out.Write(small)
	}
	out.Write(prog[eoi:])
	return out.Bytes()
}

// BlankPDF is a one-page PDF whose page is w×h points (1/72 in) and holds
// nothing: a few hundred bytes, whatever size it declares.
func BlankPDF(w, h float64) []byte {
	return []byte(fmt.Sprintf("%%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"+
		"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"+
		"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 %.0f %.0f]>> endobj\n"+
		"trailer <</Root 1 0 R>>\n%%%%EOF\n", w, h))
}
