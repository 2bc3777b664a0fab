// Package testdocs draws synthetic identity documents for tests: a data page
// or card with a portrait from a Debian test photo, a few printed fields and
// the MRZ in the OCR-B font (fonts-ocr-b), photographed on a desk: rotated,
// blurred and JPEG-compressed as asked.
package testdocs

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"

	"codeberg.org/go-pdf/fpdf"
	"github.com/davidbyttow/govips/v2/vips"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/veridoc/veridoc/internal/vision/mrz"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// FontPath is the OCR-B font of Debian's fonts-ocr-b, the "Sharp" cut: the
// regular cut's '<' and '8' use a CFF operator (flex1) x/image cannot draw.
const FontPath = "/usr/share/fonts/opentype/ocr-b/OCRBS.otf"

// Doc describes one synthetic document photo.
type Doc struct {
	MRZ      []string // the MRZ lines; their length picks the layout (44/36: page, 30: card)
	Portrait []byte   // JPEG or PNG with one face; nil: no portrait
	Fields   []string // printed lines beside the portrait
	// Photographing it:
	RotateDeg float64 // clockwise on screen
	Blur      float64 // Gaussian sigma in px, 0 = sharp
	Quality   int     // JPEG quality, 0 = 85
	Seed      uint64  // background texture
	// BackOnly draws a card's back: the MRZ alone (TD1 cards carry it there).
	BackOnly bool
	// Conditions of a phone photo: perspective, light, glare, overlays, size.
	Conditions
}

var (
	fontOnce sync.Once
	ocrb     *opentype.Font
	fontErr  error
)

func loadFont(t testing.TB) *opentype.Font {
	t.Helper()
	fontOnce.Do(func() {
		var b []byte
		if b, fontErr = os.ReadFile(FontPath); fontErr == nil {
			ocrb, fontErr = opentype.Parse(b)
		}
	})
	if fontErr != nil {
		if os.Getenv("VERIDOC_TEST_REQUIRE_SERVICES") != "" {
			t.Fatalf("OCR-B font: %v (apt-get install fonts-ocr-b)", fontErr)
		}
		t.Skipf("OCR-B font: %v (apt-get install fonts-ocr-b)", fontErr)
	}
	return ocrb
}

// Render draws d and returns the photographed document as a JPEG.
func Render(t testing.TB, d Doc) []byte {
	t.Helper()
	f := loadFont(t)
	raster.Start()
	chars := 44
	if len(d.MRZ) > 0 {
		chars = len(d.MRZ[0])
	}
	// 10 px per mm: a passport page is 125×88 mm, a TD2 105×74, a card 85.6×54.
	w, h := 1250, 880
	switch chars {
	case 36:
		w, h = 1050, 740
	case 30:
		w, h = 856, 540
	}
	rng := rand.New(rand.NewPCG(d.Seed, 7))
	page := image.NewRGBA(image.Rect(0, 0, w, h))
	paper := color.RGBA{236, 232, 222, 255}
	draw.Draw(page, page.Bounds(), &image.Uniform{paper}, image.Point{}, draw.Src)
	// A faint guilloche-like texture, as security printing has.
	for y := 0; y < h; y += 3 {
		for x := 0; x < w; x++ {
			if (x+y*2+rng.IntN(3))%17 == 0 {
				page.Set(x, y, color.RGBA{222, 214, 205, 255})
			}
		}
	}
	// 2.54 mm character pitch (ICAO 9303-3).
	pitch := 25.4
	face := faceForPitch(t, f, pitch)
	defer face.Close()
	if !d.BackOnly {
		if d.Portrait != nil {
			pw, ph := w*28/100, h*52/100
			pasteScaled(t, page, d.Portrait, image.Rect(w*4/100, h*14/100, w*4/100+pw, h*14/100+ph))
		}
		small := faceForPitch(t, f, pitch*0.62)
		defer small.Close()
		for i, line := range d.Fields {
			drawText(page, small, line, w*36/100, h*20/100+i*int(pitch*1.5), color.RGBA{40, 40, 60, 255})
		}
	}
	// MRZ: the last line's baseline about 6 mm above the bottom edge, lines 4.2 mm apart.
	lineGap := 42
	base := h - 60 - (len(d.MRZ)-1)*lineGap
	for i, line := range d.MRZ {
		drawText(page, face, line, (w-int(pitch*float64(len(line))))/2, base+i*lineGap, color.RGBA{20, 20, 20, 255})
	}

	if d.Hologram {
		hologram(page, rng)
	}
	if d.Window && len(d.MRZ) > 0 {
		window(page, image.Rect(w*3/100, base-lineGap, w*97/100, base+(len(d.MRZ)-1)*lineGap+lineGap/2))
	}

	return shoot(t, page, d, rng)
}

// shoot photographs the page as d says: on a darker desk with a margin,
// held, tilted, lit, turned, blurred, scaled and compressed.
func shoot(t testing.TB, page *image.RGBA, d Doc, rng *rand.Rand) []byte {
	t.Helper()
	w, h := page.Bounds().Dx(), page.Bounds().Dy()
	margin := 90
	desk := color.RGBA{92, 84, 76, 255}
	scene := image.NewRGBA(image.Rect(0, 0, w+2*margin, h+2*margin))
	draw.Draw(scene, scene.Bounds(), &image.Uniform{desk}, image.Point{}, draw.Src)
	draw.Draw(scene, page.Bounds().Add(image.Pt(margin, margin)), page, image.Point{}, draw.Src)
	yaw, pitch := d.YawDeg, d.PitchDeg
	if d.Hand {
		hand(scene, page.Bounds().Add(image.Pt(margin, margin)), rng)
		yaw, pitch = yaw+6+rng.Float64()*6, pitch-(4+rng.Float64()*6)
	}
	if yaw != 0 || pitch != 0 {
		scene = tilt(scene, yaw, pitch, desk)
	}
	glare(scene, d.Glare, rng)
	if d.Light != 0 || d.Noise != 0 {
		dim(scene, d.Light, d.Noise, rng)
		if d.Light != 0 { // the corners a turn uncovers are the same dim desk
			k := func(c uint8) uint8 { return uint8(float64(c)*d.Light + 6*(1-d.Light)) }
			desk = color.RGBA{k(desk.R), k(desk.G), k(desk.B), 255}
		}
	}
	scale := 1.0
	if d.Width > 0 {
		scale = float64(d.Width) / float64(scene.Bounds().Dx())
	}
	return photograph(t, scene, vips.ColorRGBA{R: desk.R, G: desk.G, B: desk.B, A: 255}, scale, d.RotateDeg, d.Blur, d.Quality)
}

// photograph turns a rendered scene into a photo of it: scaled and turned
// (the corners filled with bg), blurred, JPEG-compressed (quality 0: 85).
func photograph(t testing.TB, scene image.Image, bg vips.ColorRGBA, scale, rotateDeg, blur float64, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, scene); err != nil {
		t.Fatal(err)
	}
	img, err := vips.NewImageFromBuffer(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if rotateDeg != 0 || scale != 1 {
		if err := img.Similarity(scale, rotateDeg, &bg, 0, 0, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	if blur > 0 {
		if err := img.GaussianBlur(blur); err != nil {
			t.Fatal(err)
		}
	}
	if quality == 0 {
		quality = 85
	}
	out, _, err := img.ExportJpeg(&vips.JpegExportParams{Quality: quality})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// faceForPitch sizes OCR-B so one character advances pitch pixels.
func faceForPitch(t testing.TB, f *opentype.Font, pitch float64) font.Face {
	t.Helper()
	probe, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 100, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		t.Fatal(err)
	}
	adv, _ := probe.GlyphAdvance('M')
	probe.Close()
	size := 100 * pitch / (float64(adv) / 64)
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		t.Fatal(err)
	}
	return face
}

func drawText(dst draw.Image, face font.Face, s string, x, y int, c color.Color) {
	d := &font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func pasteScaled(t testing.TB, dst draw.Image, src []byte, r image.Rectangle) {
	t.Helper()
	img, err := vips.NewImageFromBuffer(src)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if err := img.AutoRotate(); err != nil {
		t.Fatal(err)
	}
	// Cover r, keeping the aspect ratio, centred.
	if err := img.Thumbnail(r.Dx(), r.Dy(), vips.InterestingCentre); err != nil {
		t.Fatal(err)
	}
	png, _, err := img.ExportPng(vips.NewPngExportParams())
	if err != nil {
		t.Fatal(err)
	}
	decoded, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	xdraw.Draw(dst, r, decoded, decoded.Bounds().Min, xdraw.Src)
}

// Person is the holder data MRZ builds a document from.
type Person struct {
	Code        string // "P<", "I<", "ID", "V<"
	Issuer      string // "UTO"
	Surname     string
	GivenNames  string
	Number      string
	Nationality string
	Birth       string // YYMMDD
	Sex         string // M, F, <
	Expiry      string // YYMMDD
	Optional    string
}

// TD3 builds a passport MRZ with correct check digits.
func TD3(p Person) []string {
	l1 := pad(p.Code+p.Issuer+name(p), 44)
	num := pad(p.Number, 9)
	opt := pad(p.Optional, 14)
	optCD := cd(opt)
	if strings.Trim(opt, "<") == "" {
		optCD = "<"
	}
	l2 := num + cd(num) + p.Nationality + p.Birth + cd(p.Birth) + p.Sex + p.Expiry + cd(p.Expiry) + opt + optCD
	composite := l2[0:10] + l2[13:20] + l2[21:43]
	return []string{l1, l2 + cd(composite)}
}

// TD1 builds an ID-card MRZ with correct check digits (numbers of at most 9 characters).
func TD1(p Person) []string {
	num := pad(p.Number, 9)
	l1 := pad(p.Code+p.Issuer+num+cd(num)+p.Optional, 30)
	l2 := pad(p.Birth+cd(p.Birth)+p.Sex+p.Expiry+cd(p.Expiry)+p.Nationality, 29)
	composite := l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
	return []string{l1, l2 + cd(composite), pad(name(p), 30)}
}

func name(p Person) string {
	s := strings.ReplaceAll(p.Surname, " ", "<") + "<<" + strings.ReplaceAll(p.GivenNames, " ", "<")
	return s
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s[:n]
	}
	return s + strings.Repeat("<", n-len(s))
}

func cd(s string) string {
	d, ok := mrz.CheckDigit(s)
	if !ok {
		panic("testdocs: bad MRZ characters in " + s)
	}
	return string(d)
}

// Bill draws a proof-of-address letter (a utility bill) with the given lines
// in a plain sans-serif font, photographed slightly turned, as a JPEG.
func Bill(t testing.TB, lines []string, rotateDeg float64) []byte {
	t.Helper()
	raster.Start()
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 30, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	w, h := 1240, 1754 // A4 at 150 DPI
	page := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(page, page.Bounds(), &image.Uniform{color.RGBA{250, 250, 247, 255}}, image.Point{}, draw.Src)
	for i, l := range lines {
		drawText(page, face, l, 110, 160+i*52, color.RGBA{25, 25, 30, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, page); err != nil {
		t.Fatal(err)
	}
	img, err := vips.NewImageFromBuffer(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if rotateDeg != 0 {
		if err := img.Similarity(1, rotateDeg, &vips.ColorRGBA{R: 120, G: 110, B: 100, A: 255}, 0, 0, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := img.ExportJpeg(&vips.JpegExportParams{Quality: 85})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// BillPDF is the same letter as a text PDF (as a bank's download would be).
func BillPDF(t testing.TB, lines []string) []byte {
	t.Helper()
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 13)
	for _, l := range lines {
		pdf.CellFormat(0, 8, l, "", 1, "L", false, 0, "")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
