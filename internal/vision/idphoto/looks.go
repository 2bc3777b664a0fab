package idphoto

import (
	"fmt"
	"math"

	"github.com/veridoc/veridoc/internal/vision/quality"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Failure codes of the face-quality measures (package quality), checked on
// the finished photo after its bands.
const (
	EyesClosed           = "EYES_CLOSED"
	MouthOpen            = "MOUTH_OPEN"
	ExpressionNotNeutral = "EXPRESSION_NOT_NEUTRAL"
	HeadNotFrontal       = "HEAD_NOT_FRONTAL"
	FaceOccluded         = "FACE_OCCLUDED"
	UnevenLighting       = "UNEVEN_LIGHTING"
	Underexposed         = "UNDEREXPOSED"
	Overexposed          = "OVEREXPOSED"
	Blurry               = "BLURRY"
	CompressionArtifacts = "COMPRESSION_ARTIFACTS"
	GlassesNotAllowed    = "GLASSES_NOT_ALLOWED"
)

// QualityCodes lists them.
var QualityCodes = []string{EyesClosed, MouthOpen, ExpressionNotNeutral, HeadNotFrontal, FaceOccluded, UnevenLighting,
	Underexposed, Overexposed, Blurry, CompressionArtifacts, GlassesNotAllowed}

// Warnings of the quality measures: worth a look, not a refusal.
const (
	WarnHeadTurned    = "HEAD_TURNED"
	WarnUnevenLight   = "LIGHTING_NOT_EVEN"
	WarnGlasses       = "GLASSES_DETECTED"
	WarnSlightlyBlurr = "SLIGHTLY_BLURRY"
	// WarnLowerFaceCovered: the colour test finds something dark or of
	// another colour over the mouth or chin; too unsure to refuse on (a
	// beard reads the same).
	WarnLowerFaceCovered = "LOWER_FACE_MAY_BE_COVERED"
)

var qualityReasons = map[string]struct{ message, suggestion string }{
	EyesClosed:           {"The eyes are closed or nearly closed", "Look at the camera with both eyes open"},
	MouthOpen:            {"The mouth is open", "Close the mouth and keep the lips together"},
	ExpressionNotNeutral: {"The expression is not neutral: this document does not accept a smile", "Keep a neutral expression with the mouth closed"},
	HeadNotFrontal:       {"The head is turned or tilted away from the camera", "Face the camera directly, head straight and level"},
	FaceOccluded:         {"Something covers part of the face", "Keep hands, hair, microphones and scarves away from the face"},
	UnevenLighting:       {"One side of the face is much darker than the other", "Face a window or light source evenly; avoid side light and shadows"},
	Underexposed:         {"The face is too dark", "Take the photo in brighter, even light"},
	Overexposed:          {"The face is too bright: parts of it are washed out", "Avoid direct flash and strong light on the face"},
	Blurry:               {"The photo is not sharp", "Hold the camera still, focus on the face and use more light"},
	CompressionArtifacts: {"The photo was saved with heavy JPEG compression: blocks show on the face", "Upload the camera's original file, not a compressed copy"},
	GlassesNotAllowed:    {"Glasses appear in the photo: this document does not accept them", "Take the glasses off for the photo"},
}

// Limits of the quality measures, each defined in package quality and
// calibrated as docs/photo-quality.md tells (Congress portraits for the
// faces, generated degradations of the test portraits for the pixels).
const (
	minEyesOpen      = 0.05 // open eyes read 0.08–0.12
	maxLipsApart     = 0.06 // closed lips read ≤ 0.053, parted ≥ 0.061
	maxSmileOpen     = 0.28 // toothy smiles read up to 0.24; speaking opens wider
	maxSmile         = 0.06 // corners lifted by more than this share of the mouth's width
	smileWithOpening = 0.03 // lips apart with the corners lifted this much: a smile
	maxYawPitch      = 30.0 // degrees; ICAO asks ±5, the estimate errs by several
	warnYawPitch     = 12.0 //
	minUniformity    = 0.5  // darker cheek over lighter; 3 of 605 Congress portraits read below
	warnUniformity   = 0.6  //
	maxDark          = 0.25 // share of face pixels ≤ 25
	minBrightness    = 46.0 // mean face luma
	maxBrightness    = 225.0
	maxBright        = 0.2  // share ≥ 247
	minSharpness     = 0.49 // sharp portraits read ≥ 0.675 (Congress), ≥ 0.76 here; Gaussian σ 1.5 at 64 px between the eyes reads ≤ 0.47
	warnSharpness    = 0.6
	maxOcclusion     = 0.3  // share of the lower face not of the cheeks' colour: a warning only
	maxForeign       = 0.15 // share of the lower face of a colour no face has; real portraits ≤ 0.01, blue objects ≥ 0.36
	maxFlatCover     = 0.15 // share of the lower face dark or off-colour and smooth; Congress portraits ≤ 0.12 (quality.flatRough)
	minEyesVisible   = 0.07 // luma contrast around the less visible eye
	maxGlasses       = 0.12 // bridge edge; without glasses ≤ 0.104 on Congress
	maxJPEGQuality   = 30   // a source saved at this quality or below …
	minBlockPx       = 2.0  // … whose 8 px blocks are at least this large in the photo
	glassesWarnShare = 0.75 // of maxGlasses
)

// exposureFailure judges the exposure of a finished photo whose face could
// not be found again, from where every spec puts the face (the middle half
// across, a fifth to three quarters down) with the face's limits: a photo
// so washed out or so dark that the detector loses the face gets that
// reason rather than a bare failure. nil when the exposure is not why.
func exposureFailure(img *raster.Image) *Failure {
	var sum, dark, bright, n float64
	for y := img.H / 5; y < img.H*3/4; y++ {
		for x := img.W / 4; x < img.W*3/4; x++ {
			i := 3 * (y*img.W + x)
			l := 0.299*float64(img.Pix[i]) + 0.587*float64(img.Pix[i+1]) + 0.114*float64(img.Pix[i+2])
			sum, n = sum+l, n+1
			switch {
			case l <= 25:
				dark++
			case l >= 247:
				bright++
			}
		}
	}
	if n == 0 {
		return nil
	}
	code, detail := exposure(quality.Measures{Brightness: sum / n, UnderExposure: dark / n, OverExposure: bright / n}, "of where the face should be")
	if code == "" {
		return nil
	}
	// No Quality: the face's other measures were never taken, and zeros
	// would read as values.
	return &Failure{Reasons: []Reason{qualityReason(code, detail)}, Issues: []string{qualityReasons[code].message}}
}

// exposure is the code and detail of a photo too dark or washed out by the
// face's limits (place: where it was measured), "" when it is neither.
func exposure(q quality.Measures, place string) (code, detail string) {
	switch {
	case q.UnderExposure > maxDark || q.Brightness < minBrightness:
		return Underexposed, fmt.Sprintf("mean brightness %.0f of 255, %.0f %% %s nearly black", q.Brightness, 100*q.UnderExposure, place)
	case q.OverExposure > maxBright || q.Brightness > maxBrightness:
		return Overexposed, fmt.Sprintf("mean brightness %.0f of 255, %.0f %% %s nearly white", q.Brightness, 100*q.OverExposure, place)
	}
	return "", ""
}

// checkQuality refuses a finished photo whose measures leave the limits
// for its spec; softer findings become warnings. It returns every reason
// at once, so the user can fix them together.
func checkQuality(q quality.Measures, spec Spec, jpegQuality int, blockPx float64) (*Failure, []string) {
	var reasons []Reason
	var warnings []string
	add := func(code, detail string) { reasons = append(reasons, qualityReason(code, detail)) }
	// The photo first: on a dark, washed-out, blocky or blurred photo the
	// face's own measures are not to be trusted, so they wait for a better one.
	exposed, exposedDetail := exposure(q, "of the face")
	switch {
	case exposed != "":
		add(exposed, exposedDetail)
	case q.IlluminationUniformity < minUniformity:
		add(UnevenLighting, fmt.Sprintf("the darker side has %.0f %% of the lighter side's brightness", 100*q.IlluminationUniformity))
	case q.IlluminationUniformity < warnUniformity:
		warnings = append(warnings, WarnUnevenLight)
	}
	switch {
	case jpegQuality > 0 && jpegQuality <= maxJPEGQuality && blockPx >= minBlockPx:
		add(CompressionArtifacts, fmt.Sprintf("saved at JPEG quality about %d", jpegQuality))
	case q.Sharpness < minSharpness:
		add(Blurry, fmt.Sprintf("sharpness %.3f, sharp photos measure at least %.2f", q.Sharpness, minSharpness))
	case q.Sharpness < warnSharpness:
		warnings = append(warnings, WarnSlightlyBlurr)
	}
	if len(reasons) == 0 {
		reasons = faceReasons(q, spec, &warnings)
	}
	if len(reasons) == 0 {
		return nil, warnings
	}
	issues := make([]string, len(reasons))
	for i, r := range reasons {
		issues[i] = qualityReasons[r.Code].message
	}
	return &Failure{Reasons: reasons, Issues: issues, Warnings: warnings, Quality: &q}, warnings
}

func qualityReason(code, detail string) Reason {
	r := qualityReasons[code]
	return Reason{Code: code, Message: r.message + " (" + detail + ")", Suggestion: r.suggestion}
}

// faceReasons checks the face itself: eyes, occlusion, mouth and
// expression against the spec's smile rule, pose, glasses.
func faceReasons(q quality.Measures, spec Spec, warnings *[]string) []Reason {
	var reasons []Reason
	add := func(code, detail string) { reasons = append(reasons, qualityReason(code, detail)) }
	frontal := math.Max(math.Abs(q.YawDeg), math.Abs(q.PitchDeg)) <= warnYawPitch
	switch {
	case q.EyesVisible < minEyesVisible:
		add(FaceOccluded, fmt.Sprintf("the eyes show contrast %.3f, visible eyes at least %.2f", q.EyesVisible, minEyesVisible))
	case q.ForeignColour > maxForeign && frontal:
		// A colour no skin or hair has, on a face that looks at the camera
		// (a turned head's jaw outline takes in the background).
		add(FaceOccluded, fmt.Sprintf("%.0f %% of the face below the nose is of a colour no skin or hair has", 100*q.ForeignColour))
	case q.FlatCover > maxFlatCover && frontal:
		// Dark or off-colour and smooth: an object's surface, not a beard.
		add(FaceOccluded, fmt.Sprintf("%.0f %% of the face below the nose is covered by something smooth, not skin or hair", 100*q.FlatCover))
	case q.LowerFaceOcclusion > maxOcclusion || q.ForeignColour > maxForeign:
		// Only a warning: a full dark beard reads as covered (0.20 on a
		// greyscale Congress portrait, more in colour), and a turned head's
		// far cheek too (0.25 at 27°), near the dark objects (0.36–0.47).
		*warnings = append(*warnings, WarnLowerFaceCovered)
	}
	if q.EyesOpen < minEyesOpen {
		add(EyesClosed, fmt.Sprintf("eye opening %.3f, open eyes measure at least %.2f", q.EyesOpen, minEyesOpen))
	}
	smiling := q.Smile > maxSmile || (q.MouthOpen > maxLipsApart && q.Smile > smileWithOpening)
	switch {
	case spec.SmileAllowed && q.MouthOpen > maxSmileOpen:
		add(MouthOpen, fmt.Sprintf("lip gap %.3f, a smile opens at most %.2f", q.MouthOpen, maxSmileOpen))
	case spec.SmileAllowed && q.MouthOpen > maxLipsApart && q.Smile <= smileWithOpening:
		add(MouthOpen, fmt.Sprintf("lip gap %.3f without a smile", q.MouthOpen))
	case !spec.SmileAllowed && smiling:
		add(ExpressionNotNeutral, fmt.Sprintf("smile %.3f, lip gap %.3f", q.Smile, q.MouthOpen))
	case !spec.SmileAllowed && q.MouthOpen > maxLipsApart:
		add(MouthOpen, fmt.Sprintf("lip gap %.3f, closed lips measure at most %.2f", q.MouthOpen, maxLipsApart))
	}
	if turn := math.Max(math.Abs(q.YawDeg), math.Abs(q.PitchDeg)); turn > maxYawPitch {
		add(HeadNotFrontal, fmt.Sprintf("yaw %.0f°, pitch %.0f°", q.YawDeg, q.PitchDeg))
	} else if turn > warnYawPitch {
		*warnings = append(*warnings, WarnHeadTurned)
	}
	switch {
	case q.Glasses > maxGlasses && spec.NoGlasses:
		add(GlassesNotAllowed, fmt.Sprintf("a frame's edge across the nose, strength %.3f", q.Glasses))
	case q.Glasses > glassesWarnShare*maxGlasses:
		*warnings = append(*warnings, WarnGlasses)
	}
	return reasons
}
