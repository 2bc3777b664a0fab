// Package quality measures how fit a face image is for an identity
// document, after ISO/IEC 29794-5 and its reference implementation OFIQ:
// eyes, mouth, expression, head pose, occlusion, light, exposure, sharpness,
// compression and glasses. Pixels and 68 landmarks in, measures out; what a
// document accepts is its caller's business (package idphoto).
package quality

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Measures are the raw values, each defined where it is computed. Ratios
// are plain numbers, angles degrees, shares 0–1.
type Measures struct {
	// EyesOpen is the smaller eye's largest lid gap over T, the distance from
	// the eyes' midpoint to the mouth's centre (OFIQ EyesOpen).
	EyesOpen float64 `json:"eyes_open"`
	// MouthOpen is the largest gap between the inner lips over T (OFIQ MouthClosed).
	MouthOpen float64 `json:"mouth_open"`
	// Smile is how far the mouth's corners sit above the middle of the lips,
	// over the mouth's width: about 0 for a neutral face.
	Smile float64 `json:"smile"`
	// MouthWidth is the mouth's width over the distance between the eyes:
	// a smile widens it.
	MouthWidth float64 `json:"mouth_width"`
	// Yaw (turned to the photo's right is positive), pitch (up) and roll
	// (the photo's clockwise), from the landmarks fitted to a mean face.
	YawDeg   float64 `json:"yaw_deg"`
	PitchDeg float64 `json:"pitch_deg"`
	RollDeg  float64 `json:"roll_deg"`
	// IlluminationUniformity is the darker half-face's mean luma over the
	// lighter one's (1: even light).
	IlluminationUniformity float64 `json:"illumination_uniformity"`
	// Brightness is the face's mean luma (0–255), OFIQ's LuminanceMean.
	Brightness float64 `json:"brightness"`
	// UnderExposure and OverExposure are the shares of face pixels with luma
	// ≤ 25 and ≥ 247 (OFIQ's ranges).
	UnderExposure float64 `json:"under_exposure"`
	OverExposure  float64 `json:"over_exposure"`
	// DynamicRange is the entropy of the face's luma histogram, in bits (0–8).
	DynamicRange float64 `json:"dynamic_range"`
	// Sharpness is, in the direction where it is least, the inner face's
	// mean absolute second difference over its mean absolute first
	// difference, at 64 px between the eyes.
	Sharpness float64 `json:"sharpness"`
	// LowerFaceOcclusion is the share of the face below the nose (lips left
	// out) whose colour is not the cheeks'.
	LowerFaceOcclusion float64 `json:"lower_face_occlusion"`
	// ForeignColour is the share of the same region in a colour no skin or
	// hair has (saturated, its hue far from the cheeks'): an object.
	ForeignColour float64 `json:"foreign_colour"`
	// FlatCover is the share of the same region that is off the cheeks'
	// colour or dark, and smooth: an object's surface, not a beard's hairs.
	FlatCover float64 `json:"flat_cover"`
	// EyesVisible is the smaller eye's luma contrast (standard deviation
	// around the eye over the cheeks' luma): low when something flat covers it.
	EyesVisible float64 `json:"eyes_visible"`
	// Glasses is the strength of a level edge across the nose bridge between
	// the eyes, over the cheeks' luma, where a frame's bridge would be.
	Glasses float64 `json:"glasses"`
}

// Shape is what the landmarks alone tell, for callers that follow a face
// over many frames (liveness): head pose as in Measures, the eyes' opening
// (EyesOpen's measure) and the distance between the eye centres in pixels.
type Shape struct {
	YawDeg, PitchDeg, RollDeg float64
	EyesOpen                  float64
	EyeDistance               float64
}

// ShapeOf measures the 68 landmarks pts (faces' layout).
func ShapeOf(pts []faces.Point) Shape {
	if len(pts) != faces.LandmarkCount {
		return Shape{}
	}
	f := newFace(nil, pts)
	s := Shape{EyesOpen: min(f.maxGap(eyeRightPairs), f.maxGap(eyeLeftPairs)) / f.t, EyeDistance: f.ipd}
	s.YawDeg, s.PitchDeg, s.RollDeg = headPose(pts)
	return s
}

// Assess measures the face whose 68 landmarks (faces' layout) are pts in img.
func Assess(img *raster.Image, pts []faces.Point) Measures {
	if len(pts) != faces.LandmarkCount {
		return Measures{}
	}
	f := newFace(img, pts)
	m := Measures{
		EyesOpen:   min(f.maxGap(eyeRightPairs), f.maxGap(eyeLeftPairs)) / f.t,
		MouthOpen:  f.maxGap(mouthInnerPairs) / f.t,
		Smile:      f.smile(),
		MouthWidth: dist(pts[48], pts[54]) / f.ipd,
	}
	m.YawDeg, m.PitchDeg, m.RollDeg = headPose(pts)
	f.light(&m)
	m.Sharpness = f.sharpness()
	skin := f.skin()
	m.LowerFaceOcclusion, m.ForeignColour, m.FlatCover = f.lowerFace(skin)
	m.EyesVisible = f.eyesVisible(skin)
	m.Glasses = f.glasses(skin)
	for _, v := range []*float64{&m.EyesOpen, &m.MouthOpen, &m.Smile, &m.MouthWidth, &m.IlluminationUniformity, &m.UnderExposure,
		&m.OverExposure, &m.Sharpness, &m.LowerFaceOcclusion, &m.ForeignColour, &m.FlatCover, &m.EyesVisible, &m.Glasses} {
		*v = round3(*v)
	}
	m.YawDeg, m.PitchDeg, m.RollDeg, m.Brightness = round1(m.YawDeg), round1(m.PitchDeg), round1(m.RollDeg), round1(m.Brightness)
	m.DynamicRange = round3(m.DynamicRange)
	return m
}

// Landmark groups of the 68-point layout (0-based): pairs of points across
// an opening, upper first.
var (
	eyeRightPairs   = [][2]int{{37, 41}, {38, 40}} // the eye on the photo's left
	eyeLeftPairs    = [][2]int{{43, 47}, {44, 46}}
	mouthInnerPairs = [][2]int{{61, 67}, {62, 66}, {63, 65}}
)

// face is one face's landmarks and the sizes the measures are scaled by.
type face struct {
	img *raster.Image
	p   []faces.Point
	ipd float64 // between the eye centres
	t   float64 // eye midpoint to mouth centre
}

func newFace(img *raster.Image, pts []faces.Point) *face {
	f := &face{img: img, p: pts}
	er, el := f.mean(36, 42), f.mean(42, 48)
	f.ipd = math.Max(dist(er, el), 1)
	mid := faces.Point{X: (er.X + el.X) / 2, Y: (er.Y + el.Y) / 2}
	f.t = math.Max(dist(mid, f.mean(60, 68)), 1)
	return f
}

// mean is the centre of points [from, to).
func (f *face) mean(from, to int) faces.Point {
	var c faces.Point
	for _, q := range f.p[from:to] {
		c.X += q.X
		c.Y += q.Y
	}
	n := float64(to - from)
	return faces.Point{X: c.X / n, Y: c.Y / n}
}

func (f *face) maxGap(pairs [][2]int) float64 {
	var g float64
	for _, pr := range pairs {
		g = math.Max(g, dist(f.p[pr[0]], f.p[pr[1]]))
	}
	return g
}

// smile: the mouth corners (48, 54) against the middle of the lips (the
// inner lips' centre points 62 and 66), in image rows (up is positive).
func (f *face) smile() float64 {
	l, r := f.p[48], f.p[54]
	width := math.Max(dist(l, r), 1)
	centre := (f.p[62].Y + f.p[66].Y) / 2
	return (centre - (l.Y+r.Y)/2) / width
}

func dist(a, b faces.Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// Strings are the measures as decimal strings keyed by their JSON names,
// as the API answers decimals.
func (m Measures) Strings() map[string]string {
	b, _ := json.Marshal(m)
	var raw map[string]float64
	_ = json.Unmarshal(b, &raw)
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		out[k] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return out
}
