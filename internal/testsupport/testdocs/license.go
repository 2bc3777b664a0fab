package testdocs

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Card is one side of a US or Canadian driver licence or ID card (ID-1,
// 85.6 × 54 mm) photographed on a desk.
type Card struct {
	Barcode   string   // the back's PDF417 text (AAMVA); "" for a front
	Portrait  []byte   // the front's portrait
	Lines     []string // printed text
	RotateDeg float64
	Blur      float64 // Gaussian sigma in px of the photo
	Quality   int     // JPEG quality (default 85)
	Scale     float64 // photo pixels per card pixel (default 1.6: the card about 1400 px wide)
	Shade     float64 // 0–1: light falling off across the photo (a lamp on one side), darkest at the right
	Seed      uint64
}

// PDF417 draws text as a PDF417 symbol with zint (Debian zint), 10 data
// columns and error correction level 5 as licences use, 2 px per module.
func PDF417(t testing.TB, text string) image.Image {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "data.bin"), filepath.Join(dir, "pdf417.png")
	if err := os.WriteFile(in, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("zint", "-b", "PDF417", "--binary", "--cols=10", "--secure=5", "--scale=1", "-i", in, "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("zint (apt-get install zint): %v %s", err, msg)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// LicenseSide renders a card side and photographs it: a light card with a
// faint pattern on a darker desk, turned, blurred, scaled and compressed.
func LicenseSide(t testing.TB, c Card) []byte {
	t.Helper()
	raster.Start()
	w, h := 856, 540 // 10 px per mm
	rng := rand.New(rand.NewPCG(c.Seed, 11))
	card := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(card, card.Bounds(), &image.Uniform{color.RGBA{232, 236, 240, 255}}, image.Point{}, draw.Src)
	for y := 0; y < h; y += 4 {
		for x := 0; x < w; x++ {
			if (x*3+y+rng.IntN(5))%23 == 0 {
				card.Set(x, y, color.RGBA{212, 220, 230, 255})
			}
		}
	}
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 22, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	textX, textY := 40, 60
	if c.Portrait != nil {
		pasteScaled(t, card, c.Portrait, image.Rect(30, 110, 30+250, 110+320))
		textX = 310
	}
	if c.Barcode != "" {
		// The symbol spans about 72 mm, as on real cards, in the lower part.
		sym := PDF417(t, c.Barcode)
		sw := 720
		sh := sym.Bounds().Dy() * sw / sym.Bounds().Dx()
		r := image.Rect((w-sw)/2, h-30-sh, (w+sw)/2, h-30)
		xdraw.ApproxBiLinear.Scale(card, r, sym, sym.Bounds(), xdraw.Src, nil)
		textY = 40
	}
	for i, l := range c.Lines {
		drawText(card, face, l, textX, textY+i*30, color.RGBA{30, 30, 40, 255})
	}

	margin := 120
	scene := image.NewRGBA(image.Rect(0, 0, w+2*margin, h+2*margin))
	draw.Draw(scene, scene.Bounds(), &image.Uniform{color.RGBA{70, 62, 55, 255}}, image.Point{}, draw.Src)
	draw.Draw(scene, card.Bounds().Add(image.Pt(margin, margin)), card, image.Point{}, draw.Src)
	if c.Shade > 0 {
		sw := scene.Bounds().Dx()
		for y := 0; y < scene.Bounds().Dy(); y++ {
			for x := 0; x < sw; x++ {
				k := 1 - c.Shade*float64(x)/float64(sw)
				i := scene.PixOffset(x, y)
				for ch := 0; ch < 3; ch++ {
					scene.Pix[i+ch] = uint8(float64(scene.Pix[i+ch]) * k)
				}
			}
		}
	}
	scale := c.Scale
	if scale == 0 {
		scale = 1.6
	}
	return photograph(t, scene, vips.ColorRGBA{R: 70, G: 62, B: 55, A: 255}, scale, c.RotateDeg, c.Blur, c.Quality)
}
