package faces

import (
	"context"
	"errors"
	"image"
	"math"
	"slices"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// ErrNoFace means no face was found.
var ErrNoFace = errors.New("no face found")

// FaceShot is the main (largest) face of a photo.
type FaceShot struct {
	Descriptor [128]float32
	Box        image.Rectangle // in the oriented source's pixels
	Crop       []byte          // JPEG of the head with some margin, at most 400 px
	Faces      int             // faces found in the pass that found it
}

// MainFace finds the largest face in an image (a document page or a selfie).
// It looks at sizes for each pass in turn and stops at the first that finds
// a face: a portrait on a photographed document can be small.
func (e *FaceEngine) MainFace(ctx context.Context, src []byte, sizes ...int) (*FaceShot, error) {
	if len(sizes) == 0 {
		sizes = []int{1024, 2048}
	}
	hdr, err := raster.CheckUpload(src)
	if err != nil {
		return nil, err
	}
	// One decode, shrunk on load to what the largest pass needs.
	longest := max(hdr.Width, hdr.Height)
	shrink := 1
	if hdr.Format == "jpeg" {
		shrink = raster.JPEGShrink(float64(longest) / float64(slices.Max(sizes)))
	}
	img, err := raster.Decode(ctx, src, shrink)
	if err != nil {
		return nil, err
	}
	full := float64(longest) / float64(max(img.W, img.H)) // to the source's pixels
	for i, size := range sizes {
		if i > 0 && sizes[i-1] >= max(img.W, img.H) {
			break // the previous pass already saw every pixel
		}
		work, err := img.Resized(size)
		if err != nil {
			return nil, err
		}
		f, n, err := e.largest(work)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			continue
		}
		f = f.Scaled(float64(img.W) / float64(work.W)) // in img's pixels
		crop, err := cropFace(img, f.Box)
		if err != nil {
			return nil, err
		}
		return &FaceShot{Descriptor: f.Descriptor, Box: f.Scaled(full).Box, Crop: crop, Faces: n}, nil
	}
	return nil, ErrNoFace
}

// coarseMin is the shorter side above which the detector looks at a
// half-size copy first: a face the 80 px window finds there is at least
// 160 px in the image, and the pass costs a quarter of a full one. The
// landmarks and descriptor are placed on the image itself. The coarse box
// moves a real document's descriptor (0.12 at most on the held-out
// specimens) no more than shifting the photo by 2 px moves the full pass's
// (0.04–0.27).
const coarseMin = 320

// largest finds the faces of img and returns the largest, with its
// landmarks and descriptor placed on img, and how many there are. Only the
// largest is described (20 ms each: a passport's ghost portrait is a
// second face).
func (e *FaceEngine) largest(img *raster.Image) (Face, int, error) {
	var boxes []image.Rectangle
	if min(img.W, img.H) >= coarseMin {
		half, err := img.BoxShrunk(2)
		if err != nil {
			return Face{}, 0, err
		}
		boxes, err = e.Boxes(half)
		half.Free()
		if err != nil {
			return Face{}, 0, err
		}
		for i, b := range boxes {
			boxes[i] = image.Rect(2*b.Min.X, 2*b.Min.Y, 2*b.Max.X, 2*b.Max.Y)
		}
	}
	if len(boxes) == 0 {
		var err error
		if boxes, err = e.Boxes(img); err != nil || len(boxes) == 0 {
			return Face{}, 0, err
		}
	}
	big := slices.MaxFunc(boxes, func(a, b image.Rectangle) int { return a.Dx()*a.Dy() - b.Dx()*b.Dy() })
	f, err := e.Mark(img, big)
	if err != nil {
		return Face{}, 0, err
	}
	return f, len(boxes), describe(e.descr, img, &f)
}

// cropFace cuts the head around a detector box (which covers brows to chin)
// with room for hair and neck, at most 400 px.
func cropFace(img *raster.Image, box image.Rectangle) ([]byte, error) {
	w, h := box.Dx(), box.Dy()
	r := image.Rect(box.Min.X-w/2, box.Min.Y-h*3/4, box.Max.X+w/2, box.Max.Y+h/2).Intersect(img.Bounds())
	if r.Empty() {
		return nil, ErrNoFace
	}
	k := math.Max(1, float64(max(r.Dx(), r.Dy()))/400) // source px per output px
	ow, oh := max(1, int(float64(r.Dx())/k)), max(1, int(float64(r.Dy())/k))
	out, err := img.Region(r, ow, oh)
	if err != nil {
		return nil, err
	}
	return out.Encode(raster.JPEGOptions{Quality: 90, Optimize: true, DPI: 72})
}

// MatchThreshold is the descriptor distance below which two faces are taken
// to be the same person. dlib publishes 0.6 for this ResNet; on impostor
// pairs of official portraits 0.55 accepts about five times fewer, while the
// same-person photos here stay well under it (TestEvalMatch; docs/models.md).
const MatchThreshold = 0.55

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
