package liveness

import (
	"context"
	"crypto/sha256"
	"image"

	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/quality"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// frameSide is the longest side a frame is measured at: the capture page
// sends 640×480, and larger frames only cost time.
const frameSide = 640

// measure decodes a frame and finds its face; sum is a digest of its pixels.
func (c *Checker) measure(ctx context.Context, jpeg []byte) (measured, [32]byte, error) {
	var m measured
	img, err := decode(ctx, jpeg)
	if err != nil {
		return m, [32]byte{}, err
	}
	m.img = img
	sum := sha256.Sum256(img.Pix)
	found, err := c.find(img)
	if err != nil {
		return m, sum, err
	}
	m.faces = len(found)
	if len(found) == 1 {
		m.ok, m.face = true, found[0]
		m.shape = quality.ShapeOf(found[0].Points)
		m.size = m.shape.EyeDistance / float64(img.W)
		m.patch = eyePatch(img, found[0].Points)
	}
	return m, sum, nil
}

// decode reads a frame at most frameSide pixels long.
func decode(ctx context.Context, jpeg []byte) (*raster.Image, error) {
	hdr, err := raster.CheckUpload(jpeg)
	if err != nil {
		return nil, err
	}
	shrink := raster.JPEGShrink(float64(max(hdr.Width, hdr.Height)) / frameSide)
	img, err := raster.Decode(ctx, jpeg, shrink)
	if err != nil {
		return nil, err
	}
	if max(img.W, img.H) > frameSide {
		small, err := img.Resized(frameSide)
		img.Free()
		if err != nil {
			return nil, err
		}
		img = small
	}
	return img, nil
}

// describe computes the descriptor of frame i's face.
func (c *Checker) describe(ctx context.Context, frames []Frame, ms []measured, i int) error {
	img, err := decode(ctx, frames[i].JPEG)
	if err != nil {
		return err
	}
	defer img.Free()
	return c.Faces.Describe(img, &ms[i].face)
}

// detectSide is the size faces are looked for at first: the HOG
// detector's time grows with the area (28 ms a frame at 640 px, 9 at 320,
// on one core), and a face filling a selfie frame is found at half size.
const detectSide = 320

// find detects the faces on a copy of img at detectSide (on img itself
// when the copy shows none: a turned head or closed eyes are found less
// often when small) and places their landmarks on img, where the pose and
// the eyes are measured to the pixel.
func (c *Checker) find(img *raster.Image) ([]faces.Face, error) {
	if max(img.W, img.H) <= detectSide*5/4 {
		return c.Faces.Find(img)
	}
	small, err := img.Resized(detectSide)
	if err != nil {
		return nil, err
	}
	boxes, err := c.Faces.Boxes(small)
	k := float64(img.W) / float64(small.W)
	small.Free()
	if err != nil {
		return nil, err
	}
	if len(boxes) == 0 {
		return c.Faces.Find(img)
	}
	out := make([]faces.Face, len(boxes))
	for i, b := range boxes {
		box := image.Rect(int(float64(b.Min.X)*k), int(float64(b.Min.Y)*k), int(float64(b.Max.X)*k), int(float64(b.Max.Y)*k))
		if out[i], err = c.Faces.Mark(img, box); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// track places the landmarks in the box where the last frame's face was:
// the frontal detector loses a head turned past about 30°, which is what
// the turn steps ask for. At five frames a second a head moves little
// between frames. The pose read there is the head's own: the landmark net
// sees the nose against the cheeks as in any frame.
func (c *Checker) track(m *measured, last image.Rectangle) error {
	if last.Empty() || !last.In(image.Rect(0, 0, m.img.W, m.img.H)) {
		return nil
	}
	f, err := c.Faces.Mark(m.img, last)
	if err != nil {
		return err
	}
	m.ok, m.tracked, m.face = true, true, f
	m.shape = quality.ShapeOf(f.Points)
	m.size = m.shape.EyeDistance / float64(m.img.W)
	m.patch = eyePatch(m.img, f.Points)
	return nil
}
