// Package idphoto turns a portrait into a compliant ID photo: it decodes the
// upload once (package raster), finds the face and its landmarks (package
// faces), plans the crop from a document spec's head and eye bands, replaces
// or cleans the background, renders the digital photo and the printable
// sheets, and measures the result again. Bytes in, results out.
package idphoto

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/quality"
	"github.com/veridoc/veridoc/internal/vision/raster"
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
	MaxPx, MinKB         int // the digital upload's largest shorter side and smallest file, 0: none
	// SmileAllowed: a natural smile is accepted (the US); otherwise the
	// expression must be neutral with the mouth closed (ICAO 9303).
	SmileAllowed bool
	// NoGlasses: glasses must come off (the US since 2016).
	NoGlasses bool
	// NoEdits: the office refuses software-edited photos, so the photo's
	// own background is kept as it is: not replaced, not cleaned.
	NoEdits bool
}

func (s Spec) pxPerMm() float64 { return float64(s.DPI) / 25.4 }

// Failure codes: stable names clients switch on.
const (
	NoFaceDetected     = "NO_FACE_DETECTED"
	MultipleFaces      = "MULTIPLE_FACES"
	HeadSizeInvalid    = "HEAD_SIZE_INVALID"
	EyePositionInvalid = "EYE_POSITION_INVALID"
	LowResolution      = "LOW_RESOLUTION"
	ProcessingFailed   = "PROCESSING_FAILED"
)

// FailureCodes lists the failure codes.
var FailureCodes = append([]string{NoFaceDetected, MultipleFaces, HeadSizeInvalid, EyePositionInvalid, LowResolution, ProcessingFailed}, QualityCodes...)

// Explain is a failure code's usual reason, in the words the pipeline uses
// when it has no measurement to quote (sandbox tasks show these).
func Explain(code string) (*Failure, bool) {
	switch code {
	case NoFaceDetected:
		return fail(code, "No face detected in the photo", "Upload a photo with a clearly visible face, looking at the camera"), true
	case MultipleFaces:
		return fail(code, "More than one face detected", "Upload a photo of one person alone"), true
	case HeadSizeInvalid:
		return fail(code, "The head is too large in the photo or too close to a side", "Step back from the camera and centre the face", "Head size out of spec range"), true
	case EyePositionInvalid:
		return fail(code, "The face is too close to the bottom edge of the photo", "Include the shoulders in the photo", "Not enough space below the chin"), true
	case LowResolution:
		return fail(code, "The head is too small in pixels for this document", "Use the camera's full resolution, closer to the face"), true
	case ProcessingFailed:
		return undecodable(), true
	}
	if q, ok := qualityReasons[code]; ok {
		return fail(code, q.message, q.suggestion), true
	}
	return nil, false
}

// Warning codes.
const (
	WarnHeadTilted       = "HEAD_TILTED"
	WarnBackgroundFace   = "SMALL_FACE_IN_BACKGROUND"
	WarnBackgroundUneven = "BACKGROUND_NOT_UNIFORM"
	WarnBackgroundDark   = "BACKGROUND_TOO_DARK"
	// WarnBackgroundColor says the background's mean colour is not the spec's.
	WarnBackgroundColor = "BACKGROUND_COLOR_MISMATCH"
	// WarnBackgroundCleaned says the background was moved towards the spec's colour.
	WarnBackgroundCleaned = "BACKGROUND_ADJUSTED"
	// WarnBackgroundReplaced says the person was cut out and put on the spec's colour.
	WarnBackgroundReplaced = "BACKGROUND_REPLACED"
	// WarnEditNotAllowed says a replaced or transparent background was
	// asked for a spec whose office refuses edited photos: it was kept.
	WarnEditNotAllowed = "BACKGROUND_EDIT_NOT_ALLOWED"
	WarnCrownEstimated = "CROWN_ESTIMATED"
	WarnTooLargeOnline = "FILE_TOO_LARGE_FOR_ONLINE"
	WarnTooSmallOnline = "FILE_TOO_SMALL_FOR_ONLINE"
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
	// Quality is what was measured on the photo when a quality measure
	// refused it (nil for the other failures).
	Quality *quality.Measures
}

func (f *Failure) Error() string { return "photo rejected: " + f.Reasons[0].Code }

// Code is the first reason's code.
func (f *Failure) Code() string { return f.Reasons[0].Code }

func undecodable() *Failure {
	return fail(ProcessingFailed, "The photo cannot be decoded (it may be truncated or corrupt)", "Upload the original photo file")
}

// decodeFailure is the answer to a file that cannot be decoded: a photo
// failure for a damaged file or one with too many scans; a decode stopped
// because its job ran out of time stays an error, and the job is retried.
func decodeFailure(err error) error {
	if errors.Is(err, raster.ErrUndecodable) || errors.Is(err, raster.ErrUnreadable) {
		return undecodable()
	}
	return err
}

func fail(code, msg, suggestion string, issues ...string) *Failure {
	return &Failure{Reasons: []Reason{{Code: code, Message: msg, Suggestion: suggestion}}, Issues: issues}
}

// Timings are per-stage durations, for benchmarks and metrics.
type Timings struct {
	Decode, Detect, Landmarks, Crop, Segment, Encode, Sheet, Measure time.Duration
	// Quality is the face-quality measures' share of Measure's time, kept apart.
	Quality time.Duration
}

// Result is a compliant photo.
type Result struct {
	Photo       []byte // JPEG at the spec's pixel size and DPI, metadata stripped
	Sheet       []byte // 4×6 in at 300 DPI with cut marks
	Sheet5x7    []byte // 5×7 in at 300 DPI with cut marks
	SheetA4     []byte // A4 PDF: the photo at true size, with cut marks
	SheetLetter []byte // US Letter PDF, the same
	// PNG is the photo with a transparent background (the person's mask as
	// alpha) when Options.Background is BackgroundTransparent; nil otherwise.
	PNG          []byte
	HeadHeightMm float64
	EyeLineMm    float64
	Background   Background // measured on the output
	Quality      quality.Measures
	// PersonCoverage is the share of the frame the person's mask covers
	// (with the background replaced; 0 when kept).
	PersonCoverage float64
	Warnings       []string
	// Mode is the background mode used: the one asked for, or
	// BackgroundKeep where the spec allows no edits.
	Mode    string
	Online  bool // meets the spec's digital limits
	Timings Timings
}

// Processor runs the pipeline.
type Processor struct {
	Faces *faces.FaceEngine
	// Segment finds the person for background replacement; nil: only
	// "keep" works.
	Segment *faces.Segmenter
	// DetectSize is the longest side of the copy faces are detected on: HOG
	// time grows with area, and an ID-photo face is large in the frame.
	DetectSize int
	// RetrySize is the larger copy tried when DetectSize finds no face.
	RetrySize int

	pool *raster.Pool // the pixels of the photos being made
}

// NewProcessor starts libvips if needed.
func NewProcessor(engine *faces.FaceEngine) *Processor {
	raster.Start()
	return &Processor{Faces: engine, DetectSize: 400, RetrySize: 768, pool: raster.NewPool()}
}

// inBand: v (rounded to 0.1 mm, as reported) lies in [lo, hi].
func inBand(v, lo, hi float64) bool { return v >= lo-1e-9 && v <= hi+1e-9 }

// jpegScale is the smallest JPEG decode scale, in eighths of the photo's
// size (1–8), that keeps at least 1/ratio of it. libjpeg-turbo scales by
// any eighth in its inverse DCT, so the scale need not be a power of two:
// a decode at 3/8 takes about what 1/2 does and little more than half the
// memory, and every stage after works on the smaller image
// (docs/performance.md).
func jpegScale(ratio float64) int {
	if ratio <= 1 {
		return 8
	}
	return min(8, max(1, int(math.Ceil(8/ratio-1e-9))))
}

// preShrinkMargin: the decoded copy keeps at least this many times the
// spec's largest head height in px, so every render shrinks (never enlarges)
// even when the refined crown makes the head a little taller than planned.
const preShrinkMargin = 1.25

// measureSize bounds the copy Measure detects on.
const measureSize = 240

// Measurement is what Measure reads off a finished photo.
type Measurement struct {
	HeadHeightMm, EyeLineMm float64
	Background              Background
	Quality                 quality.Measures
	QualityTime             time.Duration
	Warnings                []string
}

// Measure detects the face on a finished photo and measures head height and
// eye line in millimetres at the spec's DPI, and checks the background.
func (p *Processor) Measure(ctx context.Context, photo []byte, spec Spec) (*Measurement, error) {
	img, err := raster.DecodeTo(ctx, photo, 8, p.pool)
	if err != nil {
		return nil, decodeFailure(err)
	}
	defer img.Free()
	// Detection runs on a copy of at most measureSize px (HOG time grows with
	// area); the landmarks are scaled back and the crown is scanned at full size.
	det, err := img.Resized(measureSize)
	if err != nil {
		return nil, err
	}
	if det != img {
		defer det.Free()
	}
	scale := float64(img.W) / float64(det.W)
	found, err := p.Faces.Find(det)
	if err != nil {
		return nil, err
	}
	for i := range found {
		found[i] = found[i].Scaled(scale)
	}
	if len(found) == 0 {
		if f := exposureFailure(img); f != nil {
			return nil, f // washed out or too dark to find the face again
		}
		return nil, fail(ProcessingFailed, "The face could not be found again on the finished photo", "Use a sharper, evenly lit photo")
	}
	sort.Slice(found, func(i, j int) bool { return area(found[i].Box) > area(found[j].Box) })
	geo := geometryOf(found[0], img)
	pxmm := spec.pxPerMm()
	m := &Measurement{
		HeadHeightMm: round1(geo.HeadHeight() / pxmm),
		EyeLineMm:    round1((float64(img.Bounds().Dy()) - geo.EyeMid().Y) / pxmm),
	}
	var jaw []image.Point
	if len(found[0].Landmarks) == faces.LandmarkCount {
		jaw = found[0].Landmarks[:17]
	}
	m.Background = measureBackground(img, geo, jaw)
	tq := time.Now()
	m.Quality = quality.Assess(img, found[0].Points)
	m.QualityTime = time.Since(tq)
	m.Warnings = backgroundWarnings(m.Background, parseHex(spec.BackgroundHex))
	return m, nil
}

type analysis struct {
	geo       Geometry
	img       *raster.Image // the detection copy
	landmarks time.Duration // of the detection time
}

// analyse detects faces on the detection copy and returns the main face's
// geometry in its pixels.
func (p *Processor) analyse(det *raster.Image) (analysis, []string, error) {
	found, landmarks, err := p.Faces.FindTimed(det)
	if err != nil {
		return analysis{}, nil, err
	}
	if len(found) == 0 {
		return analysis{landmarks: landmarks}, nil, fail(NoFaceDetected, "No face detected in the photo", "Upload a photo with a clearly visible face, looking at the camera")
	}
	sort.Slice(found, func(i, j int) bool { return area(found[i].Box) > area(found[j].Box) })
	// Faces of comparable size are people in the photo; small ones are in the
	// background. HOG sometimes sees a face in a round badge or a pattern, so
	// when several comparable faces appear the CNN detector decides which are real.
	var warnings, comparable = []string(nil), []faces.Face{found[0]}
	for _, f := range found[1:] {
		if float64(area(f.Box)) >= 0.35*float64(area(found[0].Box)) {
			comparable = append(comparable, f)
		} else {
			warnings = append(warnings, WarnBackgroundFace)
		}
	}
	main := found[0]
	if len(comparable) > 1 {
		var confirmed []faces.Face
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
func (p *Processor) confirm(det *raster.Image, box image.Rectangle) (bool, error) {
	pad := max(box.Dx(), box.Dy()) / 2
	r := box.Inset(-pad).Intersect(det.Bounds())
	f := max(1, 150/float64(max(box.Dx(), 1)))
	crop, err := det.Region(r, int(math.Round(float64(r.Dx())*f)), int(math.Round(float64(r.Dy())*f)))
	if err != nil {
		return false, err
	}
	defer crop.Free()
	boxes, err := p.Faces.CNNBoxes(crop)
	return len(boxes) > 0, err
}

// cropMap takes an output pixel to the photo: the output's top-left corner
// is at (left, top) of the levelled frame, at s output pixels per photo
// pixel. Pixel centres are at whole coordinates here and at half ones in the
// plan's (continuous) coordinates.
func cropMap(l level, left, top, s float64) raster.Affine {
	at := func(u, v float64) Point {
		p := l.invert(Point{left + (u+0.5)/s, top + (v+0.5)/s})
		return Point{p.X - 0.5, p.Y - 0.5}
	}
	o, du, dv := at(0, 0), at(1, 0), at(0, 1)
	return raster.Affine{du.X - o.X, dv.X - o.X, o.X, du.Y - o.Y, dv.Y - o.Y, o.Y}
}

// Background limits of the finished photo: the spread (standard deviation
// of luma) of a plain background, and how far its mean colour may be from the
// spec's (Euclidean distance in 8-bit RGB).
const (
	maxBackgroundSpread   = 20.0
	maxBackgroundDistance = 40.0
)

// Background is the measured background of a finished photo.
type Background struct {
	Mean   color.RGBA
	Spread float64 // standard deviation of luma
	Pixels int     // how many were sampled
}

// measureBackground samples the band around the head above the shoulders:
// the rows above the crown, and beside the head from the top down to the
// eyes, keeping 3 % off the photo's edges. The head reaches on each side as
// far as the wider of two guesses: the face box or 0.45 head heights from
// the eyes (full hair), and the outermost jaw landmark (0–16, level with
// the ears) widened by earMargin for the ears and the hair over them. The
// second is taken on each side by itself: a face turned a little shows one
// ear far wider of the eyes than the other, and a band centred on the eyes
// measured it as background.
func measureBackground(img *raster.Image, g Geometry, jaw []image.Point) Background {
	w, h := img.W, img.H
	edgeX, edgeY := w*3/100, h*2/100
	headH := g.HeadHeight()
	half := math.Max(float64(g.Box.Dx())/2, 0.45*headH) + float64(w)/40
	left, right := g.EyeMid().X-half, g.EyeMid().X+half
	for _, q := range jaw {
		left = math.Min(left, float64(q.X)-earMargin*headH)
		right = math.Max(right, float64(q.X)+earMargin*headH)
	}
	crownTop := g.Crown.Y - float64(h)/40
	eyeY := math.Min(g.EyeMid().Y, float64(h)/2)
	var sum [3]float64
	var lumSum, lumSq float64
	n := 0
	for y := edgeY; y < int(eyeY); y += 2 {
		for x := edgeX; x < w-edgeX; x += 2 {
			if fx := float64(x); fx > left && fx < right && float64(y) >= crownTop {
				continue
			}
			p := img.Pix[3*(y*w+x) : 3*(y*w+x)+3]
			c := [3]float64{float64(p[0]), float64(p[1]), float64(p[2])}
			for i := range sum {
				sum[i] += c[i]
			}
			l := 0.299*c[0] + 0.587*c[1] + 0.114*c[2]
			lumSum += l
			lumSq += l * l
			n++
		}
	}
	if n == 0 {
		return Background{}
	}
	mean := lumSum / float64(n)
	u8 := func(v float64) uint8 { return uint8(math.Round(v / float64(n))) }
	return Background{Mean: color.RGBA{u8(sum[0]), u8(sum[1]), u8(sum[2]), 255},
		Spread: math.Sqrt(math.Max(0, lumSq/float64(n)-mean*mean)), Pixels: n}
}

// earMargin: how far ears and hair reach beyond the jaw's outermost
// landmarks, in head heights (ears stand 1–2 cm out from a head about 23 cm
// from chin to crown; hair over them adds as much).
const earMargin = 0.15

// backgroundWarnings compares a measured background with the spec's colour.
func backgroundWarnings(bg Background, want color.RGBA) []string {
	if bg.Pixels < 10 {
		return nil
	}
	var out []string
	if bg.Spread > maxBackgroundSpread {
		out = append(out, WarnBackgroundUneven)
	}
	luma := func(c color.RGBA) float64 { return 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B) }
	if luma(bg.Mean) < math.Min(150, luma(want)-50) {
		out = append(out, WarnBackgroundDark)
	}
	if colorDistance(bg.Mean, want) > maxBackgroundDistance {
		out = append(out, WarnBackgroundColor)
	}
	return out
}

func colorDistance(a, b color.RGBA) float64 {
	dr, dg, db := float64(a.R)-float64(b.R), float64(a.G)-float64(b.G), float64(a.B)-float64(b.B)
	return math.Sqrt(dr*dr + dg*dg + db*db)
}

// Hex writes a colour as #rrggbb.
func Hex(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

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
