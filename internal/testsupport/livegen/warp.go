package livegen

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"sort"
)

// warp draws each triangle of tex (corners src) onto a new canvas at its
// corners dst, in the order given, sampling tex bilinearly.
func warp(tex *image.RGBA, src, dst [][2]float64, tris [][3]int, order []int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, W, H))
	fill(out, color.RGBA{60, 62, 66, 255})
	for _, ti := range order {
		t := tris[ti]
		d0, d1, d2 := dst[t[0]], dst[t[1]], dst[t[2]]
		den := (d1[1]-d2[1])*(d0[0]-d2[0]) + (d2[0]-d1[0])*(d0[1]-d2[1])
		if math.Abs(den) < 1e-9 {
			continue
		}
		x0 := int(math.Max(0, math.Floor(math.Min(d0[0], math.Min(d1[0], d2[0])))))
		x1 := int(math.Min(W-1, math.Ceil(math.Max(d0[0], math.Max(d1[0], d2[0])))))
		y0 := int(math.Max(0, math.Floor(math.Min(d0[1], math.Min(d1[1], d2[1])))))
		y1 := int(math.Min(H-1, math.Ceil(math.Max(d0[1], math.Max(d1[1], d2[1])))))
		s0, s1, s2 := src[t[0]], src[t[1]], src[t[2]]
		const eps = -1e-4 // shared edges belong to both triangles: no cracks
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				px, py := float64(x)+0.5, float64(y)+0.5
				a := ((d1[1]-d2[1])*(px-d2[0]) + (d2[0]-d1[0])*(py-d2[1])) / den
				b := ((d2[1]-d0[1])*(px-d2[0]) + (d0[0]-d2[0])*(py-d2[1])) / den
				c := 1 - a - b
				if a < eps || b < eps || c < eps {
					continue
				}
				sx := a*s0[0] + b*s1[0] + c*s2[0]
				sy := a*s0[1] + b*s1[1] + c*s2[1]
				out.SetRGBA(x, y, bilinear(tex, sx-0.5, sy-0.5))
			}
		}
	}
	return out
}

func fill(img *image.RGBA, c color.RGBA) {
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
}

func bilinear(img *image.RGBA, x, y float64) color.RGBA {
	b := img.Bounds()
	x = math.Max(0, math.Min(x, float64(b.Dx()-1)))
	y = math.Max(0, math.Min(y, float64(b.Dy()-1)))
	ix, iy := int(x), int(y)
	fx, fy := x-float64(ix), y-float64(iy)
	jx, jy := min(ix+1, b.Dx()-1), min(iy+1, b.Dy()-1)
	var out [4]uint8
	for k := range 4 {
		v := (1-fx)*(1-fy)*float64(img.Pix[iy*img.Stride+ix*4+k]) + fx*(1-fy)*float64(img.Pix[iy*img.Stride+jx*4+k]) +
			(1-fx)*fy*float64(img.Pix[jy*img.Stride+ix*4+k]) + fx*fy*float64(img.Pix[jy*img.Stride+jx*4+k])
		out[k] = uint8(math.Round(v))
	}
	return color.RGBA{out[0], out[1], out[2], 255}
}

func sortBy(order []int, key []float64) {
	sort.SliceStable(order, func(a, b int) bool { return key[order[a]] < key[order[b]] })
}

// Camera adds what a webcam adds to a frame: sensor noise (σ in levels)
// and JPEG compression at quality 85.
func Camera(img *image.RGBA, sigma float64, rng *rand.Rand) []byte {
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, Noise(img, sigma, rng), &jpeg.Options{Quality: 85})
	return buf.Bytes()
}

// Noise is img with Gaussian sensor noise of sigma levels: no two frames of
// a camera are the same pixels.
func Noise(img *image.RGBA, sigma float64, rng *rand.Rand) *image.RGBA {
	out := image.NewRGBA(img.Bounds())
	copy(out.Pix, img.Pix)
	for i := range out.Pix {
		if i%4 == 3 {
			continue
		}
		v := float64(out.Pix[i]) + rng.NormFloat64()*sigma
		out.Pix[i] = uint8(math.Max(0, math.Min(255, math.Round(v))))
	}
	return out
}
