package imaging

import (
	"errors"
	"image"
	"math"
	"sort"

	"github.com/davidbyttow/govips/v2/vips"
)

// ErrNoFace means no face was found.
var ErrNoFace = errors.New("no face found")

// FaceShot is the main (largest) face of a photo.
type FaceShot struct {
	Descriptor [128]float32
	Box        image.Rectangle // in the oriented source's pixels
	Crop       []byte          // JPEG of the head with some margin, at most 400 px
	Faces      int             // faces found in all
}

// MainFace finds the largest face in an image (a document page or a selfie).
// It looks at sizes for each pass in turn and stops at the first that finds
// a face: a portrait on a photographed document can be small.
func (e *FaceEngine) MainFace(src []byte, sizes ...int) (*FaceShot, error) {
	if len(sizes) == 0 {
		sizes = []int{1024, 2048}
	}
	Start()
	full, err := vips.LoadImageFromBuffer(src, &vips.ImportParams{})
	if err != nil {
		return nil, err
	}
	defer full.Close()
	if err := full.AutoRotate(); err != nil {
		return nil, err
	}
	if err := toSRGB(full); err != nil {
		return nil, err
	}
	longest := max(full.Width(), full.Height())
	for i, size := range sizes {
		if i > 0 && sizes[i-1] >= longest {
			break // the previous pass already saw every pixel
		}
		work, err := full.Copy()
		if err != nil {
			return nil, err
		}
		scale := 1.0
		if longest > size {
			scale = float64(size) / float64(longest)
			if err := work.Resize(scale, vips.KernelLanczos3); err != nil {
				work.Close()
				return nil, err
			}
		}
		buf, _, err := work.ExportJpeg(&vips.JpegExportParams{Quality: 92, StripMetadata: true})
		work.Close()
		if err != nil {
			return nil, err
		}
		faces, err := e.Detect(buf)
		if err != nil {
			return nil, err
		}
		if len(faces) == 0 {
			continue
		}
		sort.Slice(faces, func(a, b int) bool { return area(faces[a].Box) > area(faces[b].Box) })
		f := faces[0]
		box := image.Rect(int(float64(f.Box.Min.X)/scale), int(float64(f.Box.Min.Y)/scale),
			int(float64(f.Box.Max.X)/scale), int(float64(f.Box.Max.Y)/scale))
		crop, err := cropFace(full, box)
		if err != nil {
			return nil, err
		}
		return &FaceShot{Descriptor: f.Descriptor, Box: box, Crop: crop, Faces: len(faces)}, nil
	}
	return nil, ErrNoFace
}

// cropFace cuts the head around a detector box (which covers brows to chin)
// with room for hair and neck.
func cropFace(img *vips.ImageRef, box image.Rectangle) ([]byte, error) {
	c, err := img.Copy()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	w, h := box.Dx(), box.Dy()
	r := image.Rect(box.Min.X-w/2, box.Min.Y-h*3/4, box.Max.X+w/2, box.Max.Y+h/2).
		Intersect(image.Rect(0, 0, img.Width(), img.Height()))
	if err := c.ExtractArea(r.Min.X, r.Min.Y, r.Dx(), r.Dy()); err != nil {
		return nil, err
	}
	if m := max(r.Dx(), r.Dy()); m > 400 {
		if err := c.Resize(400/float64(m), vips.KernelLanczos3); err != nil {
			return nil, err
		}
	}
	buf, _, err := c.ExportJpeg(&vips.JpegExportParams{Quality: 90, StripMetadata: true})
	return buf, err
}

// MatchThreshold is the descriptor distance below which two faces are taken
// to be the same person: dlib's published operating point for this ResNet
// (99.38% on LFW). With the converted model, same-person pairs measured
// 0.08–0.52 and different people 0.68–1.02 (STACK.md).
const MatchThreshold = 0.6

// Distance is the Euclidean distance between two face descriptors.
func Distance(a, b [128]float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i] - b[i])
		s += d * d
	}
	return math.Sqrt(s)
}

// MatchScore maps a distance to 0–100: 100 at distance 0, 50 at
// MatchThreshold, 0 at twice the threshold and beyond. A score above 50 is a match.
func MatchScore(distance float64) int {
	s := 100 * (1 - distance/(2*MatchThreshold))
	return int(math.Round(math.Max(0, math.Min(100, s))))
}
