// Package livegen makes camera frame sequences for the liveness checks: a
// live head built from a portrait (its 68 landmarks lifted onto a generic
// face shape, so turning it moves the nose against the cheeks as a real
// head does), and the attacks: the same portrait as a flat print moved and
// bent before the camera, a live sequence shown on a screen, a frozen
// frame, two people.
package livegen

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"

	"golang.org/x/image/draw"

	"github.com/veridoc/veridoc/internal/vision/faces"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// Frame size: what the capture page sends.
const W, H = 640, 480

// Head is a portrait turned into a textured mesh on a 640×480 canvas.
type Head struct {
	tex   *image.RGBA
	pts   [][3]float64 // frontal positions: canvas x, y and depth towards the camera
	fixed []bool       // the canvas border: does not move with the head
	tris  [][3]int
	c     [3]float64
	half  float64 // half the jaw's width, the model's unit
}

// NewHead places the portrait so the eyes are iod pixels apart near the
// canvas's centre and builds the mesh from its landmarks (68, faces'
// layout, in the portrait's pixels).
func NewHead(portrait image.Image, marks []faces.Point, iod float64) *Head {
	el, er := mean(marks[36:42]), mean(marks[42:48])
	k := iod / math.Hypot(er.X-el.X, er.Y-el.Y)
	mid := faces.Point{X: (el.X + er.X) / 2, Y: (el.Y + er.Y) / 2}
	ox, oy := W/2-mid.X*k, H*0.42-mid.Y*k
	tex := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(tex, tex.Bounds(), &image.Uniform{color.RGBA{90, 96, 104, 255}}, image.Point{}, draw.Src)
	b := portrait.Bounds()
	dst := image.Rect(int(ox+float64(b.Min.X)*k), int(oy+float64(b.Min.Y)*k), int(ox+float64(b.Max.X)*k), int(oy+float64(b.Max.Y)*k))
	draw.CatmullRom.Scale(tex, dst, portrait, b, draw.Src, nil)
	h := &Head{tex: tex}
	p2 := make([]faces.Point, len(marks))
	for i, m := range marks {
		p2[i] = faces.Point{X: ox + m.X*k, Y: oy + m.Y*k}
	}
	h.build(p2)
	return h
}

func mean(ps []faces.Point) faces.Point {
	var c faces.Point
	for _, p := range ps {
		c.X += p.X / float64(len(ps))
		c.Y += p.Y / float64(len(ps))
	}
	return c
}

// depth gives each landmark group its height over the face's curved
// surface, in units of half the jaw's width: the nose stands out, the eyes
// sit back.
func depth(i int) float64 {
	switch {
	case i == 30:
		return 0.42
	case i == 29:
		return 0.30
	case i == 28:
		return 0.18
	case i == 27:
		return 0.08
	case i >= 31 && i <= 35:
		return 0.20
	case i >= 36 && i <= 47:
		return -0.08
	case i >= 48:
		return 0.08
	case i >= 7 && i <= 9:
		return 0.05
	}
	return 0
}

func (h *Head) build(p []faces.Point) {
	h.half = math.Hypot(p[16].X-p[0].X, p[16].Y-p[0].Y) / 2
	el, er := mean(p[36:42]), mean(p[42:48])
	cx, cy := (el.X+er.X)/2, (el.Y+er.Y+2*p[30].Y)/4
	h.c = [3]float64{cx, cy, -0.9 * h.half}
	surface := func(x, y float64) float64 {
		u := (x - cx) / (1.15 * h.half)
		return 0.9 * h.half * math.Sqrt(math.Max(0, 1-u*u))
	}
	for i, q := range p {
		h.pts = append(h.pts, [3]float64{q.X, q.Y, surface(q.X, q.Y) + depth(i)*h.half})
		h.fixed = append(h.fixed, false)
	}
	// The forehead, above the brows, curving back.
	faceH := math.Hypot(p[8].X-p[27].X, p[8].Y-p[27].Y)
	for _, i := range []int{17, 19, 21, 22, 24, 26} {
		x, y := p[i].X, p[i].Y-0.45*faceH
		h.pts = append(h.pts, [3]float64{x, y, surface(x, y) - 0.15*h.half})
		h.fixed = append(h.fixed, false)
	}
	// The rest of the head and the shoulders move less and less: a ring at
	// 1.5× the face, moving with it at a third of its depth, then the
	// canvas border, fixed.
	for a := 0.0; a < 2*math.Pi; a += math.Pi / 8 {
		x, y := cx+1.6*h.half*math.Cos(a), cy+1.5*faceH*math.Sin(a)
		h.pts = append(h.pts, [3]float64{x, y, -0.5 * h.half})
		h.fixed = append(h.fixed, false)
	}
	for _, q := range [][2]float64{{0, 0}, {W / 2, 0}, {W - 1, 0}, {W - 1, H / 2}, {W - 1, H - 1}, {W / 2, H - 1}, {0, H - 1}, {0, H / 2}} {
		h.pts = append(h.pts, [3]float64{q[0], q[1], 0})
		h.fixed = append(h.fixed, true)
	}
	flat := make([][2]float64, len(h.pts))
	for i, q := range h.pts {
		flat[i] = [2]float64{q[0], q[1]}
	}
	h.tris = triangulate(flat)
}

// Pose is how the head is shown in one frame.
type Pose struct {
	Yaw, Pitch float64 // degrees; yaw > 0 turns the person to their left
	Scale      float64 // 1: as placed; 1.3: 30 % closer
	Blink      float64 // 0 open, 1 closed
	DX, DY     float64 // shift in pixels
}

// project places every mesh point for the pose: rotation about the head's
// centre, then perspective from a camera ten half-jaws away.
func (h *Head) project(p Pose) [][2]float64 {
	pts := h.pts
	yaw, pitch := p.Yaw*math.Pi/180, p.Pitch*math.Pi/180
	dist := 10 * h.half
	s := p.Scale
	if s == 0 {
		s = 1
	}
	out := make([][2]float64, len(pts))
	for i, q := range pts {
		if h.fixed[i] {
			out[i] = [2]float64{q[0], q[1]}
			continue
		}
		x, y, z := q[0]-h.c[0], q[1]-h.c[1], q[2]-h.c[2]
		weight := 1.0
		if i >= 68+6 { // the ring moves a third as much
			weight = 1.0 / 3
		}
		c, sn := math.Cos(yaw*weight), math.Sin(yaw*weight)
		x, z = x*c+z*sn, -x*sn+z*c
		c, sn = math.Cos(pitch*weight), math.Sin(pitch*weight)
		y, z = y*c-z*sn, y*sn+z*c
		f := dist / (dist - (z + h.c[2]))
		out[i] = [2]float64{h.c[0] + x*f*s + p.DX, h.c[1] + y*f*s + p.DY}
	}
	return out
}

// Render draws the head in pose p, its lids lowered by p.Blink.
func (h *Head) Render(p Pose) *image.RGBA {
	at := h.project(p)
	img := warp(h.tex, h.srcPoints(), at, h.tris, h.depthOrder(p))
	closeEyes(img, at, p.Blink)
	return img
}

func (h *Head) srcPoints() [][2]float64 {
	out := make([][2]float64, len(h.pts))
	for i, q := range h.pts {
		out[i] = [2]float64{q[0], q[1]}
	}
	return out
}

// depthOrder draws the triangles farthest from the camera first, so a
// turned cheek hides what is behind it.
func (h *Head) depthOrder(p Pose) []int {
	yaw := p.Yaw * math.Pi / 180
	order := make([]int, len(h.tris))
	key := make([]float64, len(h.tris))
	for i, t := range h.tris {
		order[i] = i
		for _, v := range t {
			q := h.pts[v]
			key[i] += -(q[0]-h.c[0])*math.Sin(yaw) + (q[2]-h.c[2])*math.Cos(yaw)
		}
	}
	sortBy(order, key)
	return order
}

// FromPortrait builds a head from a portrait file with one face.
func FromPortrait(e *faces.FaceEngine, file []byte) (*Head, error) {
	img, err := raster.Decode(context.Background(), file, 1)
	if err != nil {
		return nil, err
	}
	defer img.Free()
	found, err := e.Find(img)
	if err != nil {
		return nil, err
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("livegen: the portrait shows %d faces, not one", len(found))
	}
	return NewHead(img, found[0].Points, 80), nil
}
