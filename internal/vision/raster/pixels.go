package raster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"

	"github.com/davidbyttow/govips/v2/vips"
)

// Image is packed 8-bit RGB as libvips hands it over, seen as an
// image.Image: the face finder and the resampler take its bytes as they are.
type Image struct {
	Pix  []byte
	W, H int
	// pool: Pix lies in mapping, from pool (see New), for free.
	pool    *Pool
	mapping []byte
}

func (m *Image) ColorModel() color.Model { return color.RGBAModel }

func (m *Image) Bounds() image.Rectangle { return image.Rect(0, 0, m.W, m.H) }

func (m *Image) At(x, y int) color.Color {
	if x < 0 || y < 0 || x >= m.W || y >= m.H {
		return color.RGBA{}
	}
	i := 3 * (y*m.W + x)
	return color.RGBA{R: m.Pix[i], G: m.Pix[i+1], B: m.Pix[i+2], A: 255}
}

// decode reads an image file into 8-bit sRGB pixels, turned upright by its
// EXIF orientation, shrunk on load by shrink (1, 2, 4 or 8; JPEG only).
// The pipeline decodes an upload once: a JPEG's entropy decoding costs the
// same at every shrink factor, so a second decode would cost as much again.
func Decode(ctx context.Context, src []byte, shrink int) (*Image, error) {
	return DecodeTo(ctx, src, 8/shrink, nil)
}

// ErrUndecodable is a file whose pixels cannot be read (truncated, corrupt).
var ErrUndecodable = errors.New("raster: the image cannot be decoded (it may be truncated or corrupt)")

// DecodeTo is decode at eighths/8 of the photo's size (1–8; a JPEG scales
// in its inverse DCT, other files are decoded whole), into pool's memory
// (see New), which the caller frees.
func DecodeTo(ctx context.Context, src []byte, eighths int, pool *Pool) (*Image, error) {
	if err := CheckScans(src); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStopped, err)
	}
	orient, foreign := Probe(src)
	if Sniff(src) == "jpeg" && !foreign {
		img, ok, err := DecodeJPEG(ctx, src, eighths, pool)
		if err != nil {
			return nil, err
		}
		if ok {
			up, err := img.Oriented(orient)
			if up != img {
				img.Free()
			}
			if err != nil {
				return nil, ErrUndecodable
			}
			return up, nil
		}
	}
	// libvips shrinks a JPEG on load by 2, 4 or 8 only.
	return decodeVips(src, JPEGShrink(8/float64(eighths)), foreign)
}

// DecodeGray decodes a JPEG's brightness, turned upright by its EXIF
// orientation, at the smallest DCT scale (1, 1/2, 1/4 or 1/8) whose longer
// side is still at least minSide: shrinking on load costs nothing, while a
// resample to an exact size would cost a full decode and a pass more. ok is
// false for anything else (PNG, CMYK) or a damaged file, for the caller's
// general decoder to judge. Colour profiles are ignored: reading text and
// codes needs contrast, not colour.
func DecodeGray(ctx context.Context, src []byte, minSide int) (g *image.Gray, ok bool, err error) {
	if Sniff(src) != "jpeg" {
		return nil, false, nil
	}
	if err := CheckScans(src); err != nil {
		return nil, false, fmt.Errorf("%w: %w", ErrStopped, err)
	}
	w, h, ok := JPEGSize(src, 8)
	if !ok {
		return nil, false, nil
	}
	shrink := 1
	for shrink < 8 && (max(w, h)+2*shrink-1)/(2*shrink) >= minSide {
		shrink *= 2
	}
	g, ok, err = DecodeJPEGGray(ctx, src, 8/shrink)
	if !ok || err != nil {
		return nil, false, err
	}
	orient, _ := Probe(src)
	if g, err = OrientedGray(g, orient); err != nil {
		return nil, false, nil
	}
	return g, true, nil
}

// probe reads the header: the EXIF orientation (1 when there is none), and
// whether an embedded colour profile is other than sRGB (phones often embed
// Display P3): those pixels must be converted, or the colours shift.
func Probe(src []byte) (orientation int, foreign bool) {
	img, err := vips.LoadImageFromBuffer(src, vips.NewImportParams()) // the header only
	if err != nil {
		return 1, false
	}
	defer img.Close()
	return img.Orientation(), img.HasICCProfile() && !bytes.Contains(img.GetICCProfile(), []byte("sRGB"))
}

// decodeVips decodes any other image (PNG, CMYK JPEG, a JPEG with a colour
// profile to convert) with libvips.
func decodeVips(src []byte, shrink int, foreign bool) (*Image, error) {
	params := vips.NewImportParams()
	params.AutoRotate.Set(true)
	params.FailOnError.Set(true) // a truncated file is an error, not a grey band
	params.Access.Set(vips.AccessSequential)
	if shrink > 1 {
		params.JpegShrinkFactor.Set(shrink)
	}
	img, err := vips.LoadImageFromBuffer(src, params)
	if err != nil {
		return nil, ErrUndecodable
	}
	defer img.Close()
	if foreign {
		if err := img.TransformICCProfile(vips.SRGBIEC6196621ICCProfilePath); err != nil {
			return nil, ErrUndecodable
		}
	}
	if err := toSRGB(img); err != nil {
		return nil, ErrUndecodable
	}
	if img.Bands() != 3 || img.BandFormat() != vips.BandFormatUchar {
		return nil, ErrUndecodable
	}
	pix, err := img.ToBytes() // libvips decodes lazily: a truncated file fails here
	if err != nil {
		return nil, ErrUndecodable
	}
	w, h := img.Width(), img.Height()
	if len(pix) != 3*w*h {
		return nil, fmt.Errorf("pixels: %d bytes for %dx%d", len(pix), w, h)
	}
	return &Image{Pix: pix, W: w, H: h}, nil
}

// JPEGShrink is the largest JPEG shrink-on-load factor (1, 2, 4 or 8) not
// above ratio.
func JPEGShrink(ratio float64) int {
	s := 1
	for s < 8 && float64(2*s) <= ratio {
		s *= 2
	}
	return s
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
