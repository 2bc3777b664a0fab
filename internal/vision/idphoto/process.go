package idphoto

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"time"

	"github.com/veridoc/veridoc/internal/vision/quality"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Process makes the photo for spec from an upload. A *Failure is a rejected
// photo; any other error is a fault worth retrying. The stages are numbered
// as they run.
func (p *Processor) Process(ctx context.Context, src []byte, spec Spec, opt Options) (*Result, error) {
	hdr, err := raster.CheckUpload(src)
	if err != nil {
		return nil, fail(ProcessingFailed, err.Error(), "Upload a JPEG or PNG photo")
	}
	if opt.Background == "" {
		opt.Background = BackgroundReplace
	}
	res := &Result{Mode: opt.Background}
	if spec.NoEdits && opt.Background != BackgroundKeep {
		res.Mode, opt.Background = BackgroundKeep, BackgroundKeep
		res.Warnings = append(res.Warnings, WarnEditNotAllowed)
	}
	r := &run{p: p, ctx: ctx, src: src, spec: spec, opt: opt, hdr: hdr, res: res,
		pxmm: spec.pxPerMm(), wantHead: (spec.HeadMinMm + spec.HeadMaxMm) / 2 * spec.pxPerMm()}
	defer r.free()
	for _, stage := range []func() error{r.decode, r.findFace, r.checkResolution, r.fitPixels} {
		if err := stage(); err != nil {
			return nil, err
		}
	}
	out, m, err := r.render()
	defer func() { out.Free() }()
	if err != nil {
		return nil, err
	}
	r.free() // the sheets are made from the output
	if err := r.checkBands(m); err != nil {
		return nil, err
	}
	if err := r.checkQuality(m); err != nil {
		return nil, err
	}
	return r.sheets(out)
}

// run is one Process call: what it decoded (pooled, freed when it returns)
// and what it found so far.
type run struct {
	p              *Processor
	ctx            context.Context
	src            []byte
	spec           Spec
	opt            Options
	hdr            raster.Header
	res            *Result
	pxmm, wantHead float64 // the spec's px per mm; the head height it wants, in px

	scale   int           // the decode's size, in eighths of the photo's
	work    *raster.Image // the decoded photo the renders read
	full    float64       // the full photo's size in work's pixels
	g       analysis      // the face, on the detection copy
	geo     Geometry      // the face in work's pixels
	decoded []*raster.Image
	t2      time.Time // the crop's clock
	blockPx float64   // a JPEG block of the upload (8 px) in the output's pixels
}

// free returns every decode and copy to the pool; each is freed once, so
// one listed twice (a detection copy that is the decode itself) costs nothing.
func (r *run) free() {
	for _, m := range r.decoded {
		m.Free()
	}
	r.decoded = nil
}

// decode is stage 1: decode once (EXIF rotation applied), small enough to be
// quick and large enough for a head that fills 30% of the frame, and make
// the small copy faces are detected on.
func (r *run) decode() error {
	t0 := time.Now()
	r.scale = 8 // in eighths of the photo's size
	if r.hdr.Format == "jpeg" {
		r.scale = jpegScale(float64(min(r.hdr.Width, r.hdr.Height)) * 0.3 / r.wantHead)
	}
	work, err := raster.DecodeTo(r.ctx, r.src, r.scale, r.p.pool)
	if err != nil {
		return decodeFailure(err)
	}
	r.work, r.decoded = work, append(r.decoded, work)
	r.full = float64(max(r.hdr.Width, r.hdr.Height)) / float64(max(work.W, work.H))
	det, err := work.Resized(r.p.DetectSize)
	if err != nil {
		return err
	}
	r.decoded = append(r.decoded, det)
	r.g.img = det
	r.res.Timings.Decode = time.Since(t0)
	return nil
}

// findFace is stage 2: find the face on the small copy; a face too small for
// it gets one more look on a larger copy of the same pixels.
func (r *run) findFace() error {
	t1 := time.Now()
	g, others, err := r.p.analyse(r.g.img)
	var noFace *Failure
	if errors.As(err, &noFace) && noFace.Code() == NoFaceDetected && r.p.RetrySize > r.p.DetectSize {
		// A large photo gets a larger copy of its pixels; a small one (its face
		// under the detector's window) an enlarged copy, so that a small
		// portrait is told apart from one without a face (LOW_RESOLUTION below).
		var det *raster.Image
		if max(r.work.W, r.work.H) > r.p.DetectSize {
			det, err = r.work.Resized(r.p.RetrySize)
		} else {
			det, err = r.work.Enlarged(r.p.RetrySize)
		}
		if err != nil {
			return err
		}
		r.decoded = append(r.decoded, det)
		landmarks := g.landmarks
		g, others, err = r.p.analyse(det)
		g.landmarks += landmarks
	}
	r.res.Timings.Landmarks = g.landmarks
	r.res.Timings.Detect = time.Since(t1) - g.landmarks
	if err != nil {
		return err
	}
	r.g = g
	r.res.Warnings = append(r.res.Warnings, others...)
	return nil
}

// checkResolution is stage 3: is there enough resolution? The head in the
// source against the head the spec wants; a head smaller in the frame than
// guessed gets the pixels shrink-on-load left out.
func (r *run) checkResolution() error {
	workHead := r.g.geo.HeadHeight() * float64(r.work.W) / float64(r.g.img.W)
	srcHead := workHead * r.full
	if srcHead*1.15 < r.wantHead {
		return fail(LowResolution, fmt.Sprintf("The head is %.0f px tall in the photo; this document needs about %.0f px", srcHead, r.wantHead),
			"Take the photo closer or with a higher-resolution camera", "Photo resolution too low")
	}
	r.t2 = time.Now()
	if workHead < r.wantHead && r.scale < 8 {
		if s := jpegScale(srcHead / (1.25 * r.wantHead)); s > r.scale {
			work, err := raster.DecodeTo(r.ctx, r.src, s, r.p.pool)
			if err != nil {
				return err
			}
			r.work, r.decoded = work, append(r.decoded, work)
		}
	}
	return nil
}

// fitPixels averages a head far larger in the decoded copy than the spec's
// largest down once by a whole factor (a PNG is decoded whole; a JPEG scaled
// for a head of 30 % of the frame may hold a much larger one), so the renders
// and the mask work on the smaller copy, and the large one is freed first.
func (r *run) fitPixels() error {
	maxHead := preShrinkMargin * r.spec.HeadMaxMm * r.pxmm
	if n := int(r.g.geo.HeadHeight() * float64(r.work.W) / float64(r.g.img.W) / maxHead); n >= 2 {
		small, err := r.work.BoxShrunk(n)
		if err != nil {
			return err
		}
		r.decoded = append(r.decoded, small)
		if r.work != r.g.img { // the detection copy is still read below
			r.work.Free()
		}
		r.work = small
	}
	r.geo = r.g.geo.scaled(float64(r.work.W) / float64(r.g.img.W))
	return nil
}

// render is stages 4 to 6: plan the crop in the levelled frame (turned about
// the eye midpoint so the eyes are level) with head height and eye line in
// the spec's bands, put the person on the spec's background (or keep the
// photo's own), encode and measure the output itself. The plan rests on the
// crown and chin found on the photo; when the measure leaves the spec's bands,
// the head height it shows corrects the plan once.
func (r *run) render() (*raster.Image, *Measurement, error) {
	roll := r.geo.RollDegrees()
	if math.Abs(roll) <= 1 {
		roll = 0
	} else if math.Abs(roll) > 3 {
		r.res.Warnings = append(r.res.Warnings, WarnHeadTilted)
	}
	lv := newLevel(r.geo.EyeMid(), -roll)
	geo := r.geo.level(lv)
	if !geo.CrownFound {
		r.res.Warnings = append(r.res.Warnings, WarnCrownEstimated)
	}
	before := r.res.Warnings
	var out *raster.Image
	for attempt := 0; ; attempt++ {
		out.Free()
		r.res.Warnings = slices.Clone(before)
		plan := planCrop(geo, lv, float64(r.work.W), float64(r.work.H), r.spec)
		srcHead := r.g.geo.HeadHeight() * float64(max(r.hdr.Width, r.hdr.Height)) / float64(max(r.g.img.W, r.g.img.H))
		r.blockPx = 8 * plan.headPx / math.Max(srcHead, 1)
		var err error
		if out, geo, err = r.frame(plan, lv, geo, attempt == 0); err != nil {
			return out, nil, err
		}
		m, err := r.encodeAndMeasure(out)
		if err != nil || attempt == 1 || (inBand(m.HeadHeightMm, r.spec.HeadMinMm, r.spec.HeadMaxMm) && inBand(m.EyeLineMm, r.spec.EyeMinMm, r.spec.EyeMaxMm)) {
			return out, m, err
		}
		// Take the measured head height as the truth: the chin is the surer
		// landmark, so the crown moves.
		planned := plan.headPx / r.pxmm
		geo.Crown.Y = geo.Chin.Y - geo.HeadHeight()*m.HeadHeightMm/planned
		r.t2 = time.Now()
	}
}

// frame is stage 4: the output frame from a plan, the background replaced
// (refining the crown from the mask on the first attempt) or the photo's own,
// cleaned where it is light and plain. It returns the geometry the frame shows.
func (r *run) frame(plan cropPlan, lv level, geo Geometry, refine bool) (*raster.Image, Geometry, error) {
	if f := checkPlan(plan, geo, lv, r.work, r.spec, r.opt); f != nil {
		return nil, geo, f
	}
	segment := r.res.Timings.Segment
	defer func() { r.res.Timings.Crop += time.Since(r.t2) - (r.res.Timings.Segment - segment) }()
	bg := parseHex(r.spec.BackgroundHex)
	if r.opt.replace() {
		rep, err := r.p.replaceBackground(r.work, lv, geo, &plan, r.spec, bg, refine, r.opt.Background == BackgroundTransparent, &r.res.Timings)
		if err != nil {
			return nil, geo, err
		}
		r.res.PersonCoverage, r.res.PNG = rep.coverage, rep.png
		if rep.crownSeen {
			r.res.Warnings = slices.DeleteFunc(r.res.Warnings, func(w string) bool { return w == WarnCrownEstimated })
		}
		r.res.Warnings = append(r.res.Warnings, WarnBackgroundReplaced)
		return rep.out, rep.geo, nil
	}
	out, err := r.work.Warp(cropMap(lv, plan.left, plan.top, plan.s), r.spec.WidthPx, r.spec.HeightPx, nil)
	if err != nil {
		return nil, geo, err
	}
	// A light, uniform background is moved towards the spec's colour (unless
	// the office refuses edited photos); the detection copy tells first
	// whether it could be.
	mid := geo.EyeMid()
	headH := geo.HeadHeight() * plan.s
	cx := (mid.X - plan.left) * plan.s
	head := image.Rect(int(cx-0.4*headH), int((geo.Crown.Y-plan.top)*plan.s), int(cx+0.4*headH), int((geo.Chin.Y-plan.top)*plan.s))
	if !r.spec.NoEdits && mayClean(r.g.img, r.g.geo, bg) && cleanBackground(out.Pix, out.W, out.H, head, (mid.Y-plan.top)*plan.s, bg) {
		r.res.Warnings = append(r.res.Warnings, WarnBackgroundCleaned)
	}
	return out, geo, nil
}

// encodeAndMeasure is stages 5 and 6: an sRGB JPEG, metadata stripped, DPI
// written, under max_kb if the spec has one; then the output measured itself,
// not the plan.
func (r *run) encodeAndMeasure(out *raster.Image) (*Measurement, error) {
	t3 := time.Now()
	var err error
	r.res.Photo, r.res.Online, err = raster.EncodeJPEG(out, r.spec.DPI, r.spec.MaxKB)
	if err != nil {
		return nil, err
	}
	if !r.res.Online {
		r.res.Warnings = append(r.res.Warnings, WarnTooLargeOnline)
	}
	if r.spec.MinKB > 0 && len(r.res.Photo) < r.spec.MinKB*1024 {
		// A plain background compresses well: the office wants more bytes
		// than quality 92 gives, so the same pixels are saved at 98.
		if b, err := out.Encode(raster.JPEGOptions{Quality: 98, Optimize: true, DPI: r.spec.DPI}); err == nil && len(b) > len(r.res.Photo) && (r.spec.MaxKB <= 0 || len(b) <= r.spec.MaxKB*1024) {
			r.res.Photo = b
		}
		if len(r.res.Photo) < r.spec.MinKB*1024 {
			r.res.Online = false
			r.res.Warnings = append(r.res.Warnings, WarnTooSmallOnline)
		}
	}
	if (r.spec.MinPx > 0 && min(r.spec.WidthPx, r.spec.HeightPx) < r.spec.MinPx) || (r.spec.MaxPx > 0 && min(r.spec.WidthPx, r.spec.HeightPx) > r.spec.MaxPx) {
		r.res.Online = false
	}
	r.res.Timings.Encode += time.Since(t3)
	t4 := time.Now()
	m, err := r.p.Measure(r.ctx, r.res.Photo, r.spec)
	if m != nil {
		r.res.Timings.Quality += m.QualityTime
		r.res.Timings.Measure -= m.QualityTime
	}
	r.res.Timings.Measure += time.Since(t4)
	return m, err
}

// checkQuality refuses a photo whose face-quality measures leave the
// spec's limits (looks.go) and adds the softer findings as warnings.
func (r *run) checkQuality(m *Measurement) error {
	jq := 0
	if r.hdr.Format == "jpeg" {
		jq = quality.JPEGQuality(r.src)
	}
	f, warnings := checkQuality(m.Quality, r.spec, jq, r.blockPx)
	r.res.Warnings = append(r.res.Warnings, warnings...)
	if f != nil {
		f.Warnings = dedupe(r.res.Warnings)
		return f
	}
	return nil
}

// checkBands records the measure and refuses an output outside the spec's bands.
func (r *run) checkBands(m *Measurement) error {
	res, spec := r.res, r.spec
	res.HeadHeightMm, res.EyeLineMm, res.Background, res.Quality = m.HeadHeightMm, m.EyeLineMm, m.Background, m.Quality
	res.Warnings = append(res.Warnings, m.Warnings...)
	var f *Failure
	switch {
	case !inBand(m.HeadHeightMm, spec.HeadMinMm, spec.HeadMaxMm):
		f = fail(HeadSizeInvalid, fmt.Sprintf("The head measures %.1f mm; the document needs %g–%g mm", m.HeadHeightMm, spec.HeadMinMm, spec.HeadMaxMm),
			"Use a photo with the whole head clearly visible against a plain background", "Head size out of spec range")
	case !inBand(m.EyeLineMm, spec.EyeMinMm, spec.EyeMaxMm):
		f = fail(EyePositionInvalid, fmt.Sprintf("The eyes are %.1f mm from the bottom; the document needs %g–%g mm", m.EyeLineMm, spec.EyeMinMm, spec.EyeMaxMm),
			"Face the camera directly with the head level", "Eye position out of spec range")
	default:
		return nil
	}
	f.Warnings = res.Warnings
	return f
}

// sheets is stage 7: the printable sheets.
func (r *run) sheets(out *raster.Image) (*Result, error) {
	t5 := time.Now()
	var err error
	if r.res.Sheet, err = sheet(out, r.spec, Print4x6); err != nil {
		return nil, err
	}
	if r.res.Sheet5x7, err = sheet(out, r.spec, Print5x7); err != nil {
		return nil, err
	}
	if r.res.SheetA4, err = SheetPDF(r.res.Photo, r.spec, PaperA4); err != nil {
		return nil, err
	}
	if r.res.SheetLetter, err = SheetPDF(r.res.Photo, r.spec, PaperLetter); err != nil {
		return nil, err
	}
	r.res.Timings.Sheet = time.Since(t5)
	r.res.Warnings = dedupe(r.res.Warnings)
	return r.res, nil
}
