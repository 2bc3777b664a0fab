package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/davidbyttow/govips/v2/vips"
)

// Spec is what the pipeline needs of a document photo specification.
type Spec struct {
	WidthMm, HeightMm    float64
	DPI                  int
	WidthPx, HeightPx    int
	HeadMinMm, HeadMaxMm float64
	EyeMinMm, EyeMaxMm   float64 // from the bottom edge
	BackgroundHex        string
	MinPx, MaxKB         int
}

func (s Spec) pxPerMm() float64 { return float64(s.DPI) / 25.4 }

// Failure codes of 000_*.
const (
	NoFaceDetected     = "NO_FACE_DETECTED"
	MultipleFaces      = "MULTIPLE_FACES"
	HeadSizeInvalid    = "HEAD_SIZE_INVALID"
	EyePositionInvalid = "EYE_POSITION_INVALID"
	LowResolution      = "LOW_RESOLUTION"
	ProcessingFailed   = "PROCESSING_FAILED"
)

// Warning codes.
const (
	WarnHeadTilted       = "HEAD_TILTED"
	WarnBackgroundFace   = "SMALL_FACE_IN_BACKGROUND"
	WarnBackgroundUneven = "BACKGROUND_NOT_UNIFORM"
	WarnBackgroundDark   = "BACKGROUND_TOO_DARK"
	// WarnBackgroundCleaned says the background was moved towards the spec's colour.
	WarnBackgroundCleaned = "BACKGROUND_ADJUSTED"
	WarnCrownEstimated    = "CROWN_ESTIMATED"
	WarnTooLargeOnline    = "FILE_TOO_LARGE_FOR_ONLINE"
)

// Reason explains a failure to the end user.
type Reason struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	Suggestion string `json:"suggestion"`
}

// Failure is a photo that cannot be made compliant. It is a result, not a
// fault: the task ends in FAILURE with these reasons.
type Failure struct {
	Reasons  []Reason
	Issues   []string // compliance issues in words
	Warnings []string
}

func (f *Failure) Error() string { return "photo rejected: " + f.Reasons[0].Code }

// Code is the first reason's code.
func (f *Failure) Code() string { return f.Reasons[0].Code }

func undecodable() *Failure {
	return fail(ProcessingFailed, "The photo cannot be decoded (it may be truncated or corrupt)", "Upload the original photo file")
}

func fail(code, msg, suggestion string, issues ...string) *Failure {
	return &Failure{Reasons: []Reason{{Code: code, Message: msg, Suggestion: suggestion}}, Issues: issues}
}

// Timings are per-stage durations, for benchmarks and metrics.
type Timings struct {
	Decode, Detect, Crop, Encode, Sheet, Measure time.Duration
}

// Result is a compliant photo.
type Result struct {
	Photo        []byte // JPEG at the spec's pixel size and DPI, metadata stripped
	Sheet        []byte // 4×6 in at 300 DPI with cut marks
	SheetA4      []byte // A4 PDF: the photo at true size, with cut marks
	HeadHeightMm float64
	EyeLineMm    float64
	Warnings     []string
	Online       bool // meets the spec's digital limits
	Timings      Timings
}

// Processor runs the pipeline.
type Processor struct {
	Faces *FaceEngine
	// DetectSize is the longest side of the copy faces are detected on: HOG
	// time grows with area, and an ID-photo face is large in the frame.
	DetectSize int
	// RetrySize is the larger copy tried when DetectSize finds no face.
	RetrySize int
}

// NewProcessor starts libvips if needed.
func NewProcessor(faces *FaceEngine) *Processor {
	Start()
	return &Processor{Faces: faces, DetectSize: 400, RetrySize: 768}
}

// Process makes the photo for spec from an upload. A *Failure is a rejected
// photo; any other error is a fault worth retrying.
func (p *Processor) Process(src []byte, spec Spec) (*Result, error) {
	res := &Result{}
	hdr, err := CheckUpload(src)
	if err != nil {
		return nil, fail(ProcessingFailed, err.Error(), "Upload a JPEG or PNG photo")
	}
	t0 := time.Now()
	// Header only: libvips decodes lazily.
	probe, err := vips.LoadImageFromBuffer(src, vips.NewImportParams())
	if err != nil {
		return nil, fail(ProcessingFailed, "The photo cannot be decoded", "Upload the original photo file")
	}
	orient := probe.Orientation()
	probe.Close()
	fullW, fullH := float64(hdr.Width), float64(hdr.Height)
	if orient >= 5 && orient <= 8 {
		fullW, fullH = fullH, fullW
	}

	// 1. Find the face on a small copy (shrink-on-load, EXIF rotation applied).
	det, err := vips.LoadThumbnailFromBuffer(src, p.DetectSize, p.DetectSize, vips.InterestingNone, vips.SizeDown, nil)
	if err != nil {
		return nil, undecodable()
	}
	res.Timings.Decode = time.Since(t0)
	t1 := time.Now()
	g, others, err := p.analyse(det)
	det.Close()
	// A face too small for the fast pass gets one more look on a larger copy.
	var noFace *Failure
	if errors.As(err, &noFace) && noFace.Code() == NoFaceDetected && p.RetrySize > p.DetectSize {
		if det, err = vips.LoadThumbnailFromBuffer(src, p.RetrySize, p.RetrySize, vips.InterestingNone, vips.SizeDown, nil); err != nil {
			return nil, undecodable()
		}
		g, others, err = p.analyseAt(det, p.RetrySize)
		det.Close()
	}
	res.Timings.Detect = time.Since(t1)
	if err != nil {
		return nil, err
	}
	res.Warnings = append(res.Warnings, others...)
	detScale := fullW / float64(g.imgW)

	// 2. Is there enough resolution? Compare the head in the source with the head the spec wants.
	pxmm := spec.pxPerMm()
	wantHead := (spec.HeadMinMm + spec.HeadMaxMm) / 2 * pxmm
	srcHead := g.geo.HeadHeight() * detScale
	if srcHead*1.15 < wantHead {
		return nil, fail(LowResolution, fmt.Sprintf("The head is %.0f px tall in the photo; this document needs about %.0f px", srcHead, wantHead),
			"Take the photo closer or with a higher-resolution camera", "Photo resolution too low")
	}

	// 3. Load the pixels needed (shrink-on-load), level the eyes, and find the face again if rotated.
	t2 := time.Now()
	k := math.Min(1, wantHead/srcHead*1.25)
	// Random access (it is read several times); JPEG shrink-on-load by a power of two.
	params := vips.NewImportParams()
	params.AutoRotate.Set(true)
	params.Access.Set(vips.AccessRandom)
	if hdr.Format == "jpeg" {
		shrink := 1
		for shrink < 8 && float64(shrink*2)*k <= 1 {
			shrink *= 2
		}
		params.JpegShrinkFactor.Set(shrink)
	}
	work, err := vips.LoadImageFromBuffer(src, params)
	if err != nil {
		return nil, undecodable()
	}
	defer work.Close()
	if err := toSRGB(work); err != nil {
		return nil, err
	}
	geo := g.geo.scaled(float64(work.Width()) / float64(g.imgW))
	bg := parseHex(spec.BackgroundHex)
	if roll := geo.RollDegrees(); math.Abs(roll) > 1 {
		if math.Abs(roll) > 3 {
			res.Warnings = append(res.Warnings, WarnHeadTilted)
		}
		w, h := float64(work.Width()), float64(work.Height())
		if err := work.Similarity(1, -roll, &vips.ColorRGBA{R: bg.R, G: bg.G, B: bg.B, A: 255}, 0, 0, 0, 0); err != nil {
			return nil, undecodable()
		}
		// The landmarks are rotated with the image rather than found again:
		// the output is measured afresh anyway.
		geo = geo.rotated(-roll, w, h)
	}
	if !geo.CrownFound {
		res.Warnings = append(res.Warnings, WarnCrownEstimated)
	}

	// 4. Plan the crop: head height and eye line in the middle of the spec's bands.
	outW, outH := spec.WidthPx, spec.HeightPx
	s := wantHead / geo.HeadHeight()
	cropW, cropH := float64(outW)/s, float64(outH)/s
	eyeFromTop := float64(outH) - (spec.EyeMinMm+spec.EyeMaxMm)/2*pxmm
	mid := geo.EyeMid()
	left, top := mid.X-cropW/2, mid.Y-eyeFromTop/s
	if (geo.Crown.Y-top)*s < 0 {
		return nil, fail(HeadSizeInvalid, "The head cannot fit the frame with the eyes at the required height", "Use a photo with more space above the head")
	}
	W, H := float64(work.Width()), float64(work.Height())
	padL, padR := math.Max(0, -left), math.Max(0, left+cropW-W)
	padT, padB := math.Max(0, -top), math.Max(0, top+cropH-H)
	switch {
	case padT > 0.06*cropH:
		return nil, fail(EyePositionInvalid, "The head is too close to the top edge of the photo", "Leave more space above the head", "Not enough space above the head")
	case padB > 0.12*cropH:
		return nil, fail(EyePositionInvalid, "The face is too close to the bottom edge of the photo", "Include the shoulders in the photo", "Not enough space below the chin")
	case padL > 0.06*cropW || padR > 0.06*cropW:
		return nil, fail(HeadSizeInvalid, "The head is too close to a side of the photo, or too large in it", "Step back from the camera and centre the face", "Head size out of spec range")
	}
	out, err := render(work, left, top, cropW, cropH, outW, outH, bg)
	if err != nil {
		return nil, undecodable()
	}
	defer out.Close()
	// A light, uniform background is moved towards the spec's colour.
	headH := geo.HeadHeight() * s
	cx := (mid.X - left) * s
	head := image.Rect(int(cx-0.4*headH), int((geo.Crown.Y-top)*s), int(cx+0.4*headH), int((geo.Chin.Y-top)*s))
	// Most photos have nothing to clean: then the full pixels are read once, by the encoder.
	if mayClean(g.img, g.geo, bg) {
		cleaned, ok, err := cleanRendered(out, head, (mid.Y-top)*s, bg)
		if err != nil {
			return nil, undecodable()
		}
		if ok {
			// The original is closed by the defer above, the cleaned copy by this one.
			out = cleaned
			defer out.Close()
			res.Warnings = append(res.Warnings, WarnBackgroundCleaned)
		}
	}
	res.Timings.Crop = time.Since(t2)

	// 5. Encode: sRGB JPEG, metadata stripped, DPI written, under max_kb if the spec has one.
	t3 := time.Now()
	// libvips decodes lazily: a truncated file fails here, at the first full read.
	res.Photo, res.Online, err = encodeJPEG(out, spec.DPI, spec.MaxKB)
	if err != nil {
		return nil, undecodable()
	}
	if !res.Online {
		res.Warnings = append(res.Warnings, WarnTooLargeOnline)
	}
	if spec.MinPx > 0 && min(outW, outH) < spec.MinPx {
		res.Online = false
	}
	res.Timings.Encode = time.Since(t3)

	// 6. Measure the output itself, not the plan.
	t4 := time.Now()
	m, err := p.Measure(res.Photo, spec)
	res.Timings.Measure = time.Since(t4)
	if err != nil {
		return nil, err
	}
	res.HeadHeightMm, res.EyeLineMm = m.HeadHeightMm, m.EyeLineMm
	res.Warnings = append(res.Warnings, m.Warnings...)
	if m.HeadHeightMm < spec.HeadMinMm-0.5 || m.HeadHeightMm > spec.HeadMaxMm+0.5 {
		f := fail(HeadSizeInvalid, fmt.Sprintf("The head measures %.1f mm; the document needs %g–%g mm", m.HeadHeightMm, spec.HeadMinMm, spec.HeadMaxMm),
			"Use a photo with the whole head clearly visible against a plain background", "Head size out of spec range")
		f.Warnings = res.Warnings
		return nil, f
	}
	if m.EyeLineMm < spec.EyeMinMm-0.5 || m.EyeLineMm > spec.EyeMaxMm+0.5 {
		f := fail(EyePositionInvalid, fmt.Sprintf("The eyes are %.1f mm from the bottom; the document needs %g–%g mm", m.EyeLineMm, spec.EyeMinMm, spec.EyeMaxMm),
			"Face the camera directly with the head level", "Eye position out of spec range")
		f.Warnings = res.Warnings
		return nil, f
	}

	// 7. Printable sheets.
	t5 := time.Now()
	if res.Sheet, err = Sheet(res.Photo, spec, Sheet4x6); err != nil {
		return nil, err
	}
	if res.SheetA4, err = SheetPDF(res.Photo, spec); err != nil {
		return nil, err
	}
	res.Timings.Sheet = time.Since(t5)
	res.Warnings = dedupe(res.Warnings)
	return res, nil
}

// cleanRendered runs cleanBackground on a rendered photo; ok is false when
// nothing changed (and the returned image is nil).
func cleanRendered(out *vips.ImageRef, head image.Rectangle, eyeY float64, want color.RGBA) (*vips.ImageRef, bool, error) {
	if out.Bands() != 3 || out.BandFormat() != vips.BandFormatUchar {
		return nil, false, nil
	}
	pix, err := out.ToBytes() // libvips decodes lazily: a truncated source fails here
	if err != nil {
		return nil, false, err
	}
	w, h := out.Width(), out.Height()
	if len(pix) != 3*w*h || !cleanBackground(pix, w, h, head, eyeY, want) {
		return nil, false, nil
	}
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	for i, j := 0, 0; i < len(pix); i, j = i+3, j+4 {
		rgba.Pix[j], rgba.Pix[j+1], rgba.Pix[j+2], rgba.Pix[j+3] = pix[i], pix[i+1], pix[i+2], 255
	}
	img, err := vips.NewImageFromGoImage(rgba)
	if err != nil {
		return nil, false, err
	}
	if err := img.ExtractBand(0, 3); err != nil {
		img.Close()
		return nil, false, err
	}
	return img, true, nil
}

// measureSize bounds the copy Measure detects on.
const measureSize = 240

// Measurement is what Measure reads off a finished photo.
type Measurement struct {
	HeadHeightMm, EyeLineMm float64
	Warnings                []string
}

// Measure detects the face on a finished photo and measures head height and
// eye line in millimetres at the spec's DPI, and checks the background.
func (p *Processor) Measure(photo []byte, spec Spec) (*Measurement, error) {
	img, err := jpeg.Decode(bytes.NewReader(photo))
	if err != nil {
		return nil, err
	}
	// Detection runs on a copy of at most measureSize px (HOG time grows with
	// area); the landmarks are scaled back and the crown is scanned at full size.
	det := image.Image(img)
	if t, err := vips.NewThumbnailFromBuffer(photo, measureSize, measureSize, vips.InterestingNone); err == nil {
		if b, _, err := t.ExportJpeg(&vips.JpegExportParams{Quality: 92}); err == nil {
			if d, err := jpeg.Decode(bytes.NewReader(b)); err == nil {
				det = d
			}
		}
		t.Close()
	}
	scale := float64(img.Bounds().Dx()) / float64(det.Bounds().Dx())
	faces, err := p.Faces.Find(det)
	if err != nil {
		return nil, err
	}
	for i := range faces {
		faces[i] = faces[i].scaled(scale)
	}
	if len(faces) == 0 {
		return nil, fail(ProcessingFailed, "The face could not be found again on the finished photo", "Use a sharper, evenly lit photo")
	}
	sort.Slice(faces, func(i, j int) bool { return area(faces[i].Box) > area(faces[j].Box) })
	geo := geometryOf(faces[0], img)
	pxmm := spec.pxPerMm()
	m := &Measurement{
		HeadHeightMm: round1(geo.HeadHeight() / pxmm),
		EyeLineMm:    round1((float64(img.Bounds().Dy()) - geo.EyeMid().Y) / pxmm),
	}
	m.Warnings = checkBackground(img, geo)
	return m, nil
}

type analysis struct {
	geo        Geometry
	imgW, imgH int
	img        image.Image // the detection copy
}

// analyse detects faces on ref (or a copy no larger than DetectSize) and
// returns the main face's geometry in the detection copy's pixels.
func (p *Processor) analyse(ref *vips.ImageRef) (analysis, []string, error) {
	return p.analyseAt(ref, p.DetectSize)
}

func (p *Processor) analyseAt(ref *vips.ImageRef, size int) (analysis, []string, error) {
	img := ref
	if max(ref.Width(), ref.Height()) > size {
		c, err := ref.Copy()
		if err != nil {
			return analysis{}, nil, err
		}
		defer c.Close()
		if err := c.Thumbnail(size, size, vips.InterestingNone); err != nil {
			return analysis{}, nil, err
		}
		img = c
	}
	if err := toSRGB(img); err != nil {
		return analysis{}, nil, err
	}
	buf, _, err := img.ExportJpeg(&vips.JpegExportParams{Quality: 92, StripMetadata: true})
	if err != nil {
		return analysis{}, nil, undecodable()
	}
	decoded, err := jpeg.Decode(bytes.NewReader(buf))
	if err != nil {
		return analysis{}, nil, err
	}
	faces, err := p.Faces.Find(decoded)
	if err != nil {
		return analysis{}, nil, err
	}
	if len(faces) == 0 {
		return analysis{}, nil, fail(NoFaceDetected, "No face detected in the photo", "Upload a photo with a clearly visible face, looking at the camera")
	}
	sort.Slice(faces, func(i, j int) bool { return area(faces[i].Box) > area(faces[j].Box) })
	// Faces of comparable size are people in the photo; small ones are in the
	// background. HOG sometimes sees a face in a round badge or a pattern, so
	// when several comparable faces appear the CNN detector decides which are real.
	var warnings, comparable = []string(nil), []Face{faces[0]}
	for _, f := range faces[1:] {
		if float64(area(f.Box)) >= 0.35*float64(area(faces[0].Box)) {
			comparable = append(comparable, f)
		} else {
			warnings = append(warnings, WarnBackgroundFace)
		}
	}
	main := faces[0]
	if len(comparable) > 1 {
		var confirmed []Face
		for _, f := range comparable {
			real, err := p.confirm(buf, f.Box)
			if err != nil {
				return analysis{}, nil, err
			}
			if real {
				confirmed = append(confirmed, f)
			}
		}
		switch {
		case len(confirmed) > 1:
			return analysis{}, nil, fail(MultipleFaces, "More than one face detected", "Upload a photo of one person alone")
		case len(confirmed) == 1:
			main = confirmed[0]
		}
	}
	return analysis{geo: geometryOf(main, decoded), imgW: img.Width(), imgH: img.Height(), img: decoded}, warnings, nil
}

// confirm runs the CNN face detector on the region around box, enlarged so the
// face is about 150 px (MMOD misses small faces; a small crop keeps it fast).
func (p *Processor) confirm(detJPEG []byte, box image.Rectangle) (bool, error) {
	img, err := vips.NewImageFromBuffer(detJPEG)
	if err != nil {
		return false, err
	}
	defer img.Close()
	pad := max(box.Dx(), box.Dy()) / 2
	r := box.Inset(-pad).Intersect(image.Rect(0, 0, img.Width(), img.Height()))
	if err := img.ExtractArea(r.Min.X, r.Min.Y, r.Dx(), r.Dy()); err != nil {
		return false, err
	}
	if f := 150 / float64(max(box.Dx(), 1)); f > 1 {
		if err := img.Resize(f, vips.KernelLanczos3); err != nil {
			return false, err
		}
	}
	buf, _, err := img.ExportJpeg(&vips.JpegExportParams{Quality: 92})
	if err != nil {
		return false, err
	}
	faces, err := p.Faces.DetectCNN(buf)
	return len(faces) > 0, err
}

// toSRGB makes a 3-band sRGB image: greyscale is expanded, alpha flattened on white.
func toSRGB(img *vips.ImageRef) error {
	if img.HasAlpha() {
		if err := img.Flatten(&vips.Color{R: 255, G: 255, B: 255}); err != nil {
			return err
		}
	}
	if img.Interpretation() != vips.InterpretationSRGB || img.Bands() != 3 {
		if err := img.ToColorSpace(vips.InterpretationSRGB); err != nil {
			return err
		}
	}
	return nil
}

// render cuts the crop rectangle (padding with the background colour where it
// leaves the image) and scales it to exactly outW×outH.
func render(work *vips.ImageRef, left, top, cropW, cropH float64, outW, outH int, bg color.RGBA) (*vips.ImageRef, error) {
	img, err := work.Copy()
	if err != nil {
		return nil, err
	}
	W, H := work.Width(), work.Height()
	x0, y0 := int(math.Floor(left)), int(math.Floor(top))
	x1, y1 := int(math.Ceil(left+cropW)), int(math.Ceil(top+cropH))
	cx0, cy0, cx1, cy1 := max(x0, 0), max(y0, 0), min(x1, W), min(y1, H)
	if err := img.ExtractArea(cx0, cy0, cx1-cx0, cy1-cy0); err != nil {
		img.Close()
		return nil, err
	}
	if cx0 != x0 || cy0 != y0 || cx1 != x1 || cy1 != y1 {
		c := &vips.ColorRGBA{R: bg.R, G: bg.G, B: bg.B, A: 255}
		if err := img.EmbedBackgroundRGBA(cx0-x0, cy0-y0, x1-x0, y1-y0, c); err != nil {
			img.Close()
			return nil, err
		}
	}
	if err := img.ResizeWithVScale(float64(outW)/float64(x1-x0), float64(outH)/float64(y1-y0), vips.KernelLanczos3); err != nil {
		img.Close()
		return nil, err
	}
	if img.Width() != outW || img.Height() != outH { // rounding inside libvips
		if err := img.EmbedBackgroundRGBA(0, 0, max(outW, img.Width()), max(outH, img.Height()), &vips.ColorRGBA{R: bg.R, G: bg.G, B: bg.B, A: 255}); err != nil {
			img.Close()
			return nil, err
		}
		if err := img.ExtractArea(0, 0, outW, outH); err != nil {
			img.Close()
			return nil, err
		}
	}
	return img, nil
}

// encodeJPEG writes the DPI and lowers the quality until the file fits maxKB.
func encodeJPEG(img *vips.ImageRef, dpi, maxKB int) ([]byte, bool, error) {
	res, err := img.CopyChangingResolution(float64(dpi)/25.4, float64(dpi)/25.4)
	if err != nil {
		return nil, false, err
	}
	defer res.Close()
	var buf []byte
	// Optimised Huffman tables save a few percent of size for a second pass:
	// worth it for the digital photo, not for a sheet of a few megapixels.
	optimize := maxKB > 0 || img.Width()*img.Height() < 1_000_000
	for q := 92; q >= 40; q -= 8 {
		buf, _, err = res.ExportJpeg(&vips.JpegExportParams{Quality: q, StripMetadata: true, OptimizeCoding: optimize})
		if err != nil {
			return nil, false, err
		}
		buf = withJFIFDensity(buf, dpi)
		if maxKB <= 0 || len(buf) <= maxKB*1024 {
			return buf, true, nil
		}
	}
	return buf, false, nil
}

// withJFIFDensity records the DPI in a JFIF APP0 segment. libvips drops the
// whole JFIF header when stripping metadata, and printing software reads the
// physical size from it.
func withJFIFDensity(jpg []byte, dpi int) []byte {
	if len(jpg) < 4 || jpg[0] != 0xFF || jpg[1] != 0xD8 {
		return jpg
	}
	d := []byte{byte(dpi >> 8), byte(dpi)}
	app0 := append([]byte{0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x02, 0x01}, d[0], d[1], d[0], d[1], 0x00, 0x00)
	if len(jpg) > 20 && jpg[2] == 0xFF && jpg[3] == 0xE0 && bytes.Equal(jpg[6:11], []byte("JFIF\x00")) {
		seg := 4 + int(jpg[4])<<8 | int(jpg[5])
		return append(append(append([]byte{}, jpg[:2]...), app0...), jpg[2+seg:]...)
	}
	return append(append(append([]byte{}, jpg[:2]...), app0...), jpg[2:]...)
}

// checkBackground looks left and right of the head, above the shoulders.
func checkBackground(img image.Image, g Geometry) []string {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	y0, y1 := h/50, int(math.Max(float64(h/50+2), math.Min(g.EyeMid().Y, float64(h)/2)))
	var sum, sumSq float64
	n := 0
	for _, xs := range [][2]int{{w * 3 / 100, int(math.Max(float64(w*3/100+1), float64(g.Box.Min.X)-float64(w)/20))}, {int(math.Min(float64(w*97/100-1), float64(g.Box.Max.X)+float64(w)/20)), w * 97 / 100}} {
		for y := y0; y < y1; y += 2 {
			for x := xs[0]; x < xs[1]; x += 2 {
				r, gg, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				l := 0.299*float64(r>>8) + 0.587*float64(gg>>8) + 0.114*float64(bb>>8)
				sum += l
				sumSq += l * l
				n++
			}
		}
	}
	if n < 10 {
		return nil
	}
	mean := sum / float64(n)
	sd := math.Sqrt(math.Max(0, sumSq/float64(n)-mean*mean))
	var out []string
	if sd > 20 {
		out = append(out, WarnBackgroundUneven)
	}
	if mean < 150 {
		out = append(out, WarnBackgroundDark)
	}
	return out
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func parseHex(s string) color.RGBA {
	s = strings.TrimPrefix(s, "#")
	if v, err := strconv.ParseUint(s, 16, 32); err == nil && len(s) == 6 {
		return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}
	}
	return color.RGBA{R: 255, G: 255, B: 255, A: 255}
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
