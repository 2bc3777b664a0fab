package faces

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"

	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Counter counts the faces in a camera frame with dlib's HOG detector
// alone: it is compiled into dlib (no model file; a test process grew
// 11 MB over 20 frames checked), so a process that loads no models (an API process answering
// the capture page) can say "no face" or "several faces" before the frames
// are taken. At most concurrency frames are looked at at once; the others
// wait.
type Counter struct {
	f    *finder
	busy chan struct{}
}

// FrameCheck is what a camera frame shows.
type FrameCheck struct {
	Faces      int
	Brightness float64 // mean luma, 0–255
}

// counterSide is the longer side a frame is looked at: a camera frame as
// the page takes it. A second person further back can be a third of the
// frame's height or less, under the detector's 80 px window at half size;
// the pass takes about 30 ms on one core.
const counterSide = 640

// Refusals of a frame: not a JPEG the decoder reads, or larger than a
// camera frame (MaxFrameSide: a small file may declare a huge image,
// which Go's decoder would allocate).
var (
	ErrNotJPEG       = errors.New("not a readable JPEG")
	ErrFrameTooLarge = errors.New("larger than a camera frame")
)

// MaxFrameSide bounds a frame: at most MaxFrameSide² pixels.
const MaxFrameSide = 1920

// NewCounter makes a counter that looks at concurrency frames at once.
func NewCounter(concurrency int) *Counter {
	return &Counter{f: newNetFinder(nil, concurrency), busy: make(chan struct{}, max(1, concurrency))}
}

// Close frees the detectors.
func (c *Counter) Close() { c.f.close() }

// Count decodes a JPEG frame (Go's decoder: the process need not start
// libvips), shrinks its brightness to counterSide and counts the faces.
func (c *Counter) Count(ctx context.Context, frame []byte) (FrameCheck, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(frame))
	if err != nil {
		return FrameCheck{}, ErrNotJPEG
	}
	if cfg.Width*cfg.Height > MaxFrameSide*MaxFrameSide {
		return FrameCheck{}, ErrFrameTooLarge
	}
	if err := raster.CheckScans(frame); err != nil {
		return FrameCheck{}, err // a progressive file with too many scans
	}
	// The decode waits its turn too: it is the memory (up to 5.5 MB).
	select {
	case c.busy <- struct{}{}:
	case <-ctx.Done():
		return FrameCheck{}, ctx.Err()
	}
	defer func() { <-c.busy }()
	img, err := jpeg.Decode(bytes.NewReader(frame))
	if err != nil {
		return FrameCheck{}, ErrNotJPEG
	}
	rgb, w, h, mean := grayRGB(img)
	boxes, err := c.f.boxes(rgb, w, h)
	if err != nil {
		return FrameCheck{}, err
	}
	return FrameCheck{Faces: len(boxes), Brightness: mean}, nil
}

// grayRGB averages img's luma over k×k blocks, k the smallest that brings
// it within counterSide, as packed RGB (grey: the detector's gradients are
// the same), and returns the mean luma. A JPEG's luma plane is read as it
// is; other images through their colours.
func grayRGB(img image.Image) ([]byte, int, int, float64) {
	b := img.Bounds()
	luma := func(x, y int) uint32 {
		r, g, bl, _ := img.At(x, y).RGBA()
		return (299*r + 587*g + 114*bl) / 1000 >> 8
	}
	switch m := img.(type) {
	case *image.YCbCr:
		luma = func(x, y int) uint32 { return uint32(m.Y[m.YOffset(x, y)]) }
	case *image.Gray:
		luma = func(x, y int) uint32 { return uint32(m.Pix[m.PixOffset(x, y)]) }
	}
	k := max(1, (max(b.Dx(), b.Dy())+counterSide-1)/counterSide)
	w, h := max(1, b.Dx()/k), max(1, b.Dy()/k)
	out := make([]byte, 3*w*h)
	var total float64
	for y := range h {
		for x := range w {
			var sum uint32
			for dy := range k {
				for dx := range k {
					sum += luma(b.Min.X+x*k+dx, b.Min.Y+y*k+dy)
				}
			}
			v := byte(sum / uint32(k*k))
			total += float64(v)
			i := 3 * (y*w + x)
			out[i], out[i+1], out[i+2] = v, v, v
		}
	}
	return out, w, h, total / float64(w*h)
}
