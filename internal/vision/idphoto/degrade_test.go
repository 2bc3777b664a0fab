package idphoto_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	xdraw "golang.org/x/image/draw"

	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
)

// A degradation turns a portrait into a worse one, as a camera, a room or
// an upload would: the quality evaluation and tests refuse each with its code.
type degradation struct {
	name string
	fn   func(img *image.RGBA, lm []faces.Point)
	q    int // JPEG quality of the result (0: 92)
}

// decodeRGBA decodes a JPEG or PNG into RGBA pixels.
func decodeRGBA(t testing.TB, src []byte) *image.RGBA {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	out := image.NewRGBA(img.Bounds().Sub(img.Bounds().Min))
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

// landmarksOf finds the largest face's 68 points in img (detected on a copy
// of at most 600 px).
func landmarksOf(t testing.TB, e *faces.FaceEngine, img *image.RGBA) []faces.Point {
	t.Helper()
	k := math.Min(1, 600/float64(max(img.Bounds().Dx(), img.Bounds().Dy())))
	small := image.NewRGBA(image.Rect(0, 0, int(float64(img.Bounds().Dx())*k), int(float64(img.Bounds().Dy())*k)))
	xdraw.ApproxBiLinear.Scale(small, small.Bounds(), img, img.Bounds(), xdraw.Src, nil)
	found, err := e.Find(small)
	if err != nil || len(found) == 0 {
		t.Fatalf("no face to degrade (%v)", err)
	}
	best := found[0]
	for _, f := range found[1:] {
		if f.Box.Dx() > best.Box.Dx() {
			best = f
		}
	}
	return best.Scaled(1 / k).Points
}

// degrade applies d to a portrait and encodes it as JPEG.
func degrade(t testing.TB, e *faces.FaceEngine, src []byte, d degradation) []byte {
	t.Helper()
	img := decodeRGBA(t, src)
	d.fn(img, landmarksOf(t, e, img))
	q := d.q
	if q == 0 {
		q = 92
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ipd is the distance between the eye centres.
func ipd(lm []faces.Point) float64 {
	var a, b faces.Point
	for i := range 6 {
		a.X, a.Y = a.X+lm[36+i].X/6, a.Y+lm[36+i].Y/6
		b.X, b.Y = b.X+lm[42+i].X/6, b.Y+lm[42+i].Y/6
	}
	return math.Hypot(a.X-b.X, a.Y-b.Y)
}

// gaussianBlur blurs by sigma, in px at 64 px between the eyes (the scale
// the sharpness measure works at), so a strength means the same on every
// portrait.
func gaussianBlur(sigma float64) func(*image.RGBA, []faces.Point) {
	return func(img *image.RGBA, lm []faces.Point) {
		s := sigma * ipd(lm) / 64
		r := int(math.Ceil(3 * s))
		k := make([]float64, 2*r+1)
		var sum float64
		for i := range k {
			x := float64(i - r)
			k[i] = math.Exp(-x * x / (2 * s * s))
			sum += k[i]
		}
		for i := range k {
			k[i] /= sum
		}
		convolve(img, k, true)
		convolve(img, k, false)
	}
}

// motionBlur smears horizontally over length px at 64 px between the eyes.
func motionBlur(length float64) func(*image.RGBA, []faces.Point) {
	return func(img *image.RGBA, lm []faces.Point) {
		n := max(1, int(length*ipd(lm)/64))
		k := make([]float64, n)
		for i := range k {
			k[i] = 1 / float64(n)
		}
		convolve(img, k, true)
	}
}

// convolve runs a 1-D kernel along rows (or columns), clamping at the edges.
func convolve(img *image.RGBA, k []float64, rows bool) {
	b := img.Bounds()
	src := bytes.Clone(img.Pix)
	r := len(k) / 2
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			var acc [3]float64
			for i, w := range k {
				sx, sy := x, y
				if rows {
					sx = min(max(x+i-r, 0), b.Dx()-1)
				} else {
					sy = min(max(y+i-r, 0), b.Dy()-1)
				}
				o := sy*img.Stride + 4*sx
				for c := range 3 {
					acc[c] += w * float64(src[o+c])
				}
			}
			o := y*img.Stride + 4*x
			for c := range 3 {
				img.Pix[o+c] = uint8(math.Round(acc[c]))
			}
		}
	}
}

// scaleLight multiplies each pixel by f(x, y), clipping.
func scaleLight(img *image.RGBA, f func(x, y int) float64) {
	b := img.Bounds()
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			k := f(x, y)
			o := y*img.Stride + 4*x
			for c := range 3 {
				img.Pix[o+c] = uint8(math.Min(255, math.Round(float64(img.Pix[o+c])*k)))
			}
		}
	}
}

// cheek is the mean luma around the centre of three landmarks.
func cheek(img *image.RGBA, lm []faces.Point, a, b, c int) float64 {
	cx, cy := (lm[a].X+lm[b].X+lm[c].X)/3, (lm[a].Y+lm[b].Y+lm[c].Y)/3
	r := int(ipd(lm) / 8)
	var sum, n float64
	for y := int(cy) - r; y <= int(cy)+r; y++ {
		for x := int(cx) - r; x <= int(cx)+r; x++ {
			if image.Pt(x, y).In(img.Bounds()) {
				c := img.RGBAAt(x, y)
				sum += 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)
				n++
			}
		}
	}
	return sum / math.Max(n, 1)
}

// exposure multiplies the light everywhere (0.3: a dark room; 2.5: a flash).
func exposure(k float64) func(*image.RGBA, []faces.Point) {
	return func(img *image.RGBA, _ []faces.Point) { scaleLight(img, func(int, int) float64 { return k }) }
}

// sideLight darkens the face from one cheek to the other, full light at
// one jaw line (landmark 0 or 16), dark times the light at the other, as a
// lamp on one side does: the shadow deepens on the side already darker.
func sideLight(dark float64) func(*image.RGBA, []faces.Point) {
	return func(img *image.RGBA, lm []faces.Point) {
		x0, x1 := lm[0].X, lm[16].X
		if cheek(img, lm, 2, 31, 41) < cheek(img, lm, 14, 35, 46) {
			x0, x1 = x1, x0
		}
		scaleLight(img, func(x, _ int) float64 {
			u := math.Min(1, math.Max(0, (float64(x)-x0)/(x1-x0)))
			return 1 - (1-dark)*u
		})
	}
}

// occluder paints a rounded object of colour c over the face: "chin" from
// the nose's base to below the chin (a microphone, a hand in a glove), "eye"
// a patch over one eye (a bar over both hides the face from the detector:
// NO_FACE_DETECTED).
func occluder(where string, c color.RGBA) func(*image.RGBA, []faces.Point) {
	return func(img *image.RGBA, lm []faces.Point) {
		d := ipd(lm)
		var r image.Rectangle
		switch where {
		case "chin":
			r, _ = chinRect(lm)
		case "eye":
			r = image.Rect(int(lm[36].X-0.2*d), int(lm[37].Y-0.3*d), int(lm[39].X+0.2*d), int(lm[41].Y+0.3*d))
		}
		rad := float64(min(r.Dx(), r.Dy())) / 4
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if inRounded(r, rad, x, y) && image.Pt(x, y).In(img.Bounds()) {
					img.SetRGBA(x, y, c)
				}
			}
		}
	}
}

// degradations are the generated defects of the quality evaluation, each
// at strengths where the photo is unfit, with the code it must get.
func degradations() []struct {
	d    degradation
	want string
} {
	grey, blue := color.RGBA{45, 45, 48, 255}, color.RGBA{40, 70, 160, 255}
	darkBrown := color.RGBA{60, 42, 32, 255}
	type row = struct {
		d    degradation
		want string
	}
	var out []row
	// σ 1 is a slight blur (a warning); from 1.5 the skin's pores and the
	// iris's edge are gone at this scale.
	out = append(out, row{degradation{name: "gaussian blur σ 1", fn: gaussianBlur(1)}, ""})
	for _, s := range []float64{1.5, 2, 3} {
		out = append(out, row{degradation{name: "gaussian blur σ " + ftoa(s), fn: gaussianBlur(s)}, "BLURRY"})
	}
	for _, l := range []float64{8, 12, 16} {
		out = append(out, row{degradation{name: "motion blur " + ftoa(l) + " px", fn: motionBlur(l)}, "BLURRY"})
	}
	out = append(out, row{degradation{name: "side light 0.5", fn: sideLight(0.5)}, ""}) // a warning
	for _, k := range []float64{0.35, 0.2} {
		out = append(out, row{degradation{name: "side light " + ftoa(k), fn: sideLight(k)}, "UNEVEN_LIGHTING"})
	}
	for _, k := range []float64{0.25, 0.15} {
		out = append(out, row{degradation{name: "underexposed ×" + ftoa(k), fn: exposure(k)}, "UNDEREXPOSED"})
	}
	for _, k := range []float64{1.8, 2.2} {
		out = append(out, row{degradation{name: "overexposed ×" + ftoa(k), fn: exposure(k)}, "OVEREXPOSED"})
	}
	for _, q := range []int{15, 8} {
		out = append(out, row{degradation{name: "JPEG quality " + ftoa(float64(q)), fn: func(*image.RGBA, []faces.Point) {}, q: q}, "COMPRESSION_ARTIFACTS"})
	}
	out = append(out,
		// Over the chin, an object of a colour no face has is refused, and
		// a dark or off-colour one by its smooth surface; a dark beard of
		// generated hairs is not an object.
		row{degradation{name: "dark object over the chin", fn: occluder("chin", grey)}, "FACE_OCCLUDED"},
		row{degradation{name: "shaded dark object, noisy", fn: shadedOccluder(7)}, "FACE_OCCLUDED"},
		row{degradation{name: "blue object over the chin", fn: occluder("chin", blue)}, "FACE_OCCLUDED"},
		row{degradation{name: "dark patch over an eye", fn: occluder("eye", grey)}, "FACE_OCCLUDED"},
		row{degradation{name: "dark beard of hairs", fn: beard(7, darkBrown)}, ""},
	)
	return out
}

// shadedOccluder is a dark object over the chin (the occluder's shape) lit
// as a cylinder from the front, with a camera's noise: darker at its sides
// than across its middle, never one flat colour.
func shadedOccluder(seed uint64) func(*image.RGBA, []faces.Point) {
	return func(img *image.RGBA, lm []faces.Point) {
		rng := rand.New(rand.NewPCG(seed, 3))
		r, rad := chinRect(lm)
		base := 25 + 30*rng.Float64()
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if !inRounded(r, rad, x, y) || !image.Pt(x, y).In(img.Bounds()) {
					continue
				}
				u := 2*float64(x-r.Min.X)/float64(r.Dx()) - 1
				l := base + 28*math.Cos(u*math.Pi/2) + 3*rng.NormFloat64()
				img.SetRGBA(x, y, color.RGBA{clamp8(l), clamp8(l), clamp8(l + 3), 255})
			}
		}
	}
}

// beard draws short hairs of colour c (each lighter or darker by up to
// half), mostly downwards, over the face below the nose and the chin (lips
// spared), dense enough to hide the skin's colour.
func beard(seed uint64, c color.RGBA) func(*image.RGBA, []faces.Point) {
	return func(img *image.RGBA, lm []faces.Point) {
		rng := rand.New(rand.NewPCG(seed, 5))
		d := ipd(lm)
		r, _ := chinRect(lm)
		m := int(0.05 * d) // the lips with a margin: hairs over them move their landmarks
		lips := image.Rect(int(lm[48].X)-m, int(lm[51].Y)-m, int(lm[54].X)+m, int(lm[57].Y)+m)
		n := int(6 * float64(r.Dx()*r.Dy()) / math.Max(1, 0.1*d))
		for range n {
			x0, y0 := float64(r.Min.X)+rng.Float64()*float64(r.Dx()), float64(r.Min.Y)+rng.Float64()*float64(r.Dy())
			if image.Pt(int(x0), int(y0)).In(lips) {
				continue
			}
			a := math.Pi/2 + (rng.Float64()-0.5)*math.Pi/3
			length := d * (0.06 + 0.08*rng.Float64())
			k := 0.5 + rng.Float64()
			hair := color.RGBA{clamp8(k * float64(c.R)), clamp8(k * float64(c.G)), clamp8(k * float64(c.B)), 255}
			for s := 0.0; s < length; s += 0.5 {
				x, y := int(x0+s*math.Cos(a)), int(y0+s*math.Sin(a))
				if image.Pt(x, y).In(img.Bounds()) && !image.Pt(x, y).In(lips) {
					img.SetRGBA(x, y, hair)
				}
			}
		}
	}
}

// chinRect is the occluder's rectangle over the chin and its corners' radius.
func chinRect(lm []faces.Point) (image.Rectangle, float64) {
	d := ipd(lm)
	cx := lm[33].X
	r := image.Rect(int(cx-0.45*d), int(lm[33].Y+0.15*d), int(cx+0.45*d), int(lm[8].Y+0.4*d))
	return r, float64(min(r.Dx(), r.Dy())) / 4
}

// inRounded tells whether (x, y) lies in r with its corners rounded by rad.
func inRounded(r image.Rectangle, rad float64, x, y int) bool {
	dx := math.Max(0, math.Max(float64(r.Min.X)+rad-float64(x), float64(x)-(float64(r.Max.X)-rad)))
	dy := math.Max(0, math.Max(float64(r.Min.Y)+rad-float64(y), float64(y)-(float64(r.Max.Y)-rad)))
	return dx*dx+dy*dy <= rad*rad
}

func clamp8(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Round(v)))) }

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// TestObjectOverTheChin: an object over the chin of a real portrait is
// refused (FACE_OCCLUDED), whatever its colour: one no face has by its
// colour, one of a beard's colours (ginger, grey, dark brown) by its smooth
// surface. A beard of those colours, drawn as hairs, is not.
func TestObjectOverTheChin(t *testing.T) {
	p := processor(t)
	src := portrait(t, "biden-tight.jpg")
	ginger, grey, darkBrown := color.RGBA{165, 85, 45, 255}, color.RGBA{150, 150, 148, 255}, color.RGBA{60, 42, 32, 255}
	for _, c := range []struct {
		name string
		fn   func(*image.RGBA, []faces.Point)
		want string
	}{
		{"blue object", occluder("chin", color.RGBA{40, 70, 160, 255}), idphoto.FaceOccluded},
		{"green object", occluder("chin", color.RGBA{50, 140, 70, 255}), idphoto.FaceOccluded},
		{"ginger object", occluder("chin", ginger), idphoto.FaceOccluded},
		{"grey object", occluder("chin", grey), idphoto.FaceOccluded},
		{"dark brown object", occluder("chin", darkBrown), idphoto.FaceOccluded},
		{"ginger beard", beard(1, ginger), ""},
		{"grey beard", beard(2, grey), ""},
		{"dark brown beard", beard(3, darkBrown), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := degrade(t, p.Faces, src, degradation{name: c.name, fn: c.fn})
			_, err := p.Process(context.Background(), img, qualitySpec, idphoto.Options{})
			var f *idphoto.Failure
			switch {
			case c.want == "" && err == nil:
			case c.want != "" && errors.As(err, &f) && f.Code() == c.want:
			default:
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}
