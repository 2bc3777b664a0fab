package imaging

import (
	"errors"
	"fmt"
	"image"
	"image/color"
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
	Decode, Detect, Landmarks, Crop, Encode, Sheet, Measure time.Duration
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
	pxmm := spec.pxPerMm()
	wantHead := (spec.HeadMinMm + spec.HeadMaxMm) / 2 * pxmm

	// 1. Decode once (EXIF rotation applied), small enough to be quick and
	// large enough for a head that fills 30% of the frame.
	t0 := time.Now()
	shrink := 1
	if hdr.Format == "jpeg" {
		shrink = jpegShrink(float64(min(hdr.Width, hdr.Height)) * 0.3 / wantHead)
	}
	work, err := decode(src, shrink)
	if err != nil {
		return nil, err
	}
	// The decoded copy's scale in the full photo (its orientation applied).
	full := float64(max(hdr.Width, hdr.Height)) / float64(max(work.W, work.H))
	det, err := work.resized(p.DetectSize)
	if err != nil {
		return nil, err
	}
	res.Timings.Decode = time.Since(t0)

	// 2. Find the face on the small copy; a face too small for it gets one
	// more look on a larger copy of the same pixels.
	t1 := time.Now()
	g, others, err := p.analyse(det)
	var noFace *Failure
	if errors.As(err, &noFace) && noFace.Code() == NoFaceDetected && p.RetrySize > p.DetectSize {
		// A large photo gets a larger copy of its pixels; a small one (its face
		// under the detector's window) an enlarged copy, so that a small
		// portrait is told apart from one without a face (LOW_RESOLUTION below).
		if max(work.W, work.H) > p.DetectSize {
			det, err = work.resized(p.RetrySize)
		} else {
			det, err = work.enlarged(p.RetrySize)
		}
		if err != nil {
			return nil, err
		}
		landmarks := g.landmarks
		g, others, err = p.analyse(det)
		g.landmarks += landmarks
	}
	res.Timings.Landmarks = g.landmarks
	res.Timings.Detect = time.Since(t1) - g.landmarks
	if err != nil {
		return nil, err
	}
	res.Warnings = append(res.Warnings, others...)

	// 3. Is there enough resolution? Compare the head in the source with the head the spec wants.
	workHead := g.geo.HeadHeight() * float64(work.W) / float64(g.img.W)
	srcHead := workHead * full
	if srcHead*1.15 < wantHead {
		return nil, fail(LowResolution, fmt.Sprintf("The head is %.0f px tall in the photo; this document needs about %.0f px", srcHead, wantHead),
			"Take the photo closer or with a higher-resolution camera", "Photo resolution too low")
	}
	// A head smaller in the frame than guessed needs the pixels shrink-on-load left out.
	t2 := time.Now()
	if workHead < wantHead && shrink > 1 {
		if s := jpegShrink(srcHead / (1.25 * wantHead)); s < shrink {
			if work, err = decode(src, s); err != nil {
				return nil, err
			}
		}
	}
	geo := g.geo.scaled(float64(work.W) / float64(g.img.W))
	bg := parseHex(spec.BackgroundHex)

	// 4. Plan the crop in the levelled frame (turned about the eye midpoint so
	// the eyes are level): head height and eye line in the middle of the
	// spec's bands.
	roll := geo.RollDegrees()
	if math.Abs(roll) <= 1 {
		roll = 0
	} else if math.Abs(roll) > 3 {
		res.Warnings = append(res.Warnings, WarnHeadTilted)
	}
	lv := newLevel(geo.EyeMid(), -roll)
	geo = geo.level(lv)
	if !geo.CrownFound {
		res.Warnings = append(res.Warnings, WarnCrownEstimated)
	}
	outW, outH := spec.WidthPx, spec.HeightPx
	s := wantHead / geo.HeadHeight()
	cropW, cropH := float64(outW)/s, float64(outH)/s
	eyeFromTop := float64(outH) - (spec.EyeMinMm+spec.EyeMaxMm)/2*pxmm
	mid := geo.EyeMid()
	left, top := mid.X-cropW/2, mid.Y-eyeFromTop/s
	if (geo.Crown.Y-top)*s < 0 {
		return nil, fail(HeadSizeInvalid, "The head cannot fit the frame with the eyes at the required height", "Use a photo with more space above the head")
	}
	// How far the crop leaves the (levelled) photo on each side.
	ext := lv.bounds(float64(work.W), float64(work.H))
	padL, padR := math.Max(0, ext.Min.X-left), math.Max(0, left+cropW-ext.Max.X)
	padT, padB := math.Max(0, ext.Min.Y-top), math.Max(0, top+cropH-ext.Max.Y)
	switch {
	case padT > 0.06*cropH:
		return nil, fail(EyePositionInvalid, "The head is too close to the top edge of the photo", "Leave more space above the head", "Not enough space above the head")
	case padB > 0.12*cropH:
		return nil, fail(EyePositionInvalid, "The face is too close to the bottom edge of the photo", "Include the shoulders in the photo", "Not enough space below the chin")
	case padL > 0.06*cropW || padR > 0.06*cropW:
		return nil, fail(HeadSizeInvalid, "The head is too close to a side of the photo, or too large in it", "Step back from the camera and centre the face", "Head size out of spec range")
	}
	out, err := work.warp(cropMap(lv, left, top, s), outW, outH, bg)
	if err != nil {
		return nil, err
	}
	// A light, uniform background is moved towards the spec's colour; the
	// detection copy tells first whether it could be.
	headH := geo.HeadHeight() * s
	cx := (mid.X - left) * s
	head := image.Rect(int(cx-0.4*headH), int((geo.Crown.Y-top)*s), int(cx+0.4*headH), int((geo.Chin.Y-top)*s))
	if mayClean(g.img, g.geo, bg) && cleanBackground(out.Pix, out.W, out.H, head, (mid.Y-top)*s, bg) {
		res.Warnings = append(res.Warnings, WarnBackgroundCleaned)
	}
	res.Timings.Crop = time.Since(t2)

	// 5. Encode: sRGB JPEG, metadata stripped, DPI written, under max_kb if the spec has one.
	t3 := time.Now()
	res.Photo, res.Online, err = encodeJPEG(out, spec.DPI, spec.MaxKB)
	if err != nil {
		return nil, err
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
	if res.Sheet, err = sheet4x6(out, spec); err != nil {
		return nil, err
	}
	if res.SheetA4, err = SheetPDF(res.Photo, spec); err != nil {
		return nil, err
	}
	res.Timings.Sheet = time.Since(t5)
	res.Warnings = dedupe(res.Warnings)
	return res, nil
}

// jpegShrink is the largest JPEG shrink-on-load factor (1, 2, 4 or 8) not
// above ratio.
func jpegShrink(ratio float64) int {
	s := 1
	for s < 8 && float64(2*s) <= ratio {
		s *= 2
	}
	return s
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
	img, err := decode(photo, 1)
	if err != nil {
		return nil, err
	}
	// Detection runs on a copy of at most measureSize px (HOG time grows with
	// area); the landmarks are scaled back and the crown is scanned at full size.
	det, err := img.resized(measureSize)
	if err != nil {
		return nil, err
	}
	scale := float64(img.W) / float64(det.W)
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
	geo       Geometry
	img       *rgbImage     // the detection copy
	landmarks time.Duration // of the detection time
}

// analyse detects faces on the detection copy and returns the main face's
// geometry in its pixels.
func (p *Processor) analyse(det *rgbImage) (analysis, []string, error) {
	faces, landmarks, err := p.Faces.finder.find(det)
	if err != nil {
		return analysis{}, nil, err
	}
	if len(faces) == 0 {
		return analysis{landmarks: landmarks}, nil, fail(NoFaceDetected, "No face detected in the photo", "Upload a photo with a clearly visible face, looking at the camera")
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
			real, err := p.confirm(det, f.Box)
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
	return analysis{geo: geometryOf(main, det), img: det, landmarks: landmarks}, warnings, nil
}

// confirm runs the CNN face detector on the region around box, enlarged so the
// face is about 150 px (MMOD misses small faces; a small crop keeps it fast).
func (p *Processor) confirm(det *rgbImage, box image.Rectangle) (bool, error) {
	pad := max(box.Dx(), box.Dy()) / 2
	r := box.Inset(-pad).Intersect(det.Bounds())
	f := max(1, 150/float64(max(box.Dx(), 1)))
	crop, err := det.region(r, int(math.Round(float64(r.Dx())*f)), int(math.Round(float64(r.Dy())*f)))
	if err != nil {
		return false, err
	}
	buf, err := crop.encode(jpegOptions{Quality: 92, DPI: 72})
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

// cropMap takes an output pixel to the photo: the output's top-left corner
// is at (left, top) of the levelled frame, at s output pixels per photo
// pixel. Pixel centres are at whole coordinates here and at half ones in the
// plan's (continuous) coordinates.
func cropMap(l level, left, top, s float64) affine {
	at := func(u, v float64) Point {
		p := l.invert(Point{left + (u+0.5)/s, top + (v+0.5)/s})
		return Point{p.X - 0.5, p.Y - 0.5}
	}
	o, du, dv := at(0, 0), at(1, 0), at(0, 1)
	return affine{du.X - o.X, dv.X - o.X, o.X, du.Y - o.Y, dv.Y - o.Y, o.Y}
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
