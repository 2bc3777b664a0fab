package livegen

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math"
	"math/rand/v2"

	xdraw "golang.org/x/image/draw"

	"github.com/veridoc/veridoc/internal/vision/liveness"
)

// FrameGap is the time between frames: the capture page's five a second.
const FrameGap = 200

// Script is the poses of a person doing steps: three frames looking at the
// camera, then four frames per step (half way, full, held, back), with a
// few degrees and pixels of unsteadiness. Amplitudes are drawn at random
// within what people do when asked.
func Script(steps []string, rng *rand.Rand) []Pose {
	jitter := func(p Pose) Pose {
		p.Yaw += rng.NormFloat64() * 1.5
		p.Pitch += rng.NormFloat64() * 1.5
		p.DX += rng.NormFloat64() * 3
		p.DY += rng.NormFloat64() * 3
		return p
	}
	rest := Pose{Scale: 1}
	var out []Pose
	for range 3 {
		out = append(out, jitter(rest))
	}
	for _, s := range steps {
		full := rest
		switch s {
		case liveness.TurnLeft:
			full.Yaw = 22 + rng.Float64()*10
		case liveness.TurnRight:
			full.Yaw = -22 - rng.Float64()*10
		case liveness.LookUp:
			full.Pitch = 16 + rng.Float64()*8
		case liveness.Blink:
			full.Blink = 1
		case liveness.MoveCloser:
			full.Scale = rest.Scale * (1.35 + rng.Float64()*0.15)
		}
		half := Pose{Yaw: full.Yaw / 2, Pitch: full.Pitch / 2, Scale: (rest.Scale + full.Scale) / 2, Blink: full.Blink * 0.6}
		back := rest
		if s == liveness.MoveCloser {
			rest, back = full, full // stays closer
		}
		out = append(out, jitter(half), jitter(full), jitter(full), jitter(back))
	}
	return out
}

// Sequence is frames with their times.
func Sequence(imgs []*image.RGBA, rng *rand.Rand) []liveness.Frame {
	out := make([]liveness.Frame, len(imgs))
	t := int64(rng.IntN(300))
	for i, img := range imgs {
		out[i] = liveness.Frame{JPEG: Camera(img, 2.5, rng), TMs: t}
		t += FrameGap + int64(rng.IntN(40))
	}
	return out
}

// Live renders the head following the script.
func (h *Head) Live(script []Pose) []*image.RGBA {
	out := make([]*image.RGBA, len(script))
	for i, p := range script {
		out[i] = h.Render(p)
	}
	return out
}

// Print renders the portrait as a flat print held before the camera by
// someone trying to follow the script: the whole picture turns and tilts
// as a plane (bent about its vertical axis by bend, 0–0.3), moves closer,
// and cannot blink. The print is a little duller than the person.
func (h *Head) Print(script []Pose, bend float64) []*image.RGBA {
	flat := &Head{tex: dull(h.tex), tris: h.tris, c: h.c, half: h.half}
	for _, q := range h.pts {
		u := (q[0] - h.c[0]) / (2 * h.half)
		flat.pts = append(flat.pts, [3]float64{q[0], q[1], h.c[2] - bend*u*u*h.half*2})
		flat.fixed = append(flat.fixed, false)
	}
	flat.c[2] = h.c[2]
	out := make([]*image.RGBA, len(script))
	for i, p := range script {
		p.Blink = 0
		out[i] = flat.renderPlane(p)
	}
	return out
}

// renderPlane renders a mesh whose points all move together (the ring and
// the border too: the print is the whole picture).
func (h *Head) renderPlane(p Pose) *image.RGBA {
	g := *h
	g.fixed = make([]bool, len(h.pts))
	return warp(g.tex, g.srcPoints(), g.projectAll(p), g.tris, g.depthOrder(p))
}

// projectAll projects every point with the full rotation.
func (h *Head) projectAll(p Pose) [][2]float64 {
	yaw, pitch := p.Yaw*math.Pi/180, p.Pitch*math.Pi/180
	dist := 10 * h.half
	s := p.Scale
	if s == 0 {
		s = 1
	}
	out := make([][2]float64, len(h.pts))
	for i, q := range h.pts {
		x, y, z := q[0]-h.c[0], q[1]-h.c[1], q[2]-h.c[2]
		c, sn := math.Cos(yaw), math.Sin(yaw)
		x, z = x*c+z*sn, -x*sn+z*c
		c, sn = math.Cos(pitch), math.Sin(pitch)
		y, z = y*c-z*sn, y*sn+z*c
		f := dist / (dist - (z + h.c[2]))
		out[i] = [2]float64{h.c[0] + x*f*s + p.DX, h.c[1] + y*f*s + p.DY}
	}
	return out
}

// dull lowers contrast and saturation a little, as a print does.
func dull(img *image.RGBA) *image.RGBA {
	out := image.NewRGBA(img.Bounds())
	for i := 0; i < len(img.Pix); i += 4 {
		r, g, b := float64(img.Pix[i]), float64(img.Pix[i+1]), float64(img.Pix[i+2])
		l := 0.299*r + 0.587*g + 0.114*b
		for k, v := range []float64{r, g, b} {
			v = l + 0.8*(v-l)
			out.Pix[i+k] = uint8(math.Min(255, 20+0.85*v))
		}
		out.Pix[i+3] = 255
	}
	return out
}

// Screen shows frames on a simulated screen filmed by the camera: smaller,
// inside a black bezel, with the display's gamma and the moiré of its pixel
// grid against the camera's.
func Screen(frames []*image.RGBA, rng *rand.Rand) []*image.RGBA {
	angle := rng.Float64() * math.Pi
	period := 2.6 + rng.Float64()*1.4
	out := make([]*image.RGBA, len(frames))
	for i, f := range frames {
		img := image.NewRGBA(image.Rect(0, 0, W, H))
		fill(img, color.RGBA{20, 20, 22, 255})
		const k = 0.86
		x0, y0 := W*(1-k)/2, H*(1-k)/2
		for y := int(y0); y < int(y0+H*k); y++ {
			for x := int(x0); x < int(x0+W*k); x++ {
				c := bilinear(f, (float64(x)-x0)/k, (float64(y)-y0)/k)
				m := 1 + 0.09*math.Sin(2*math.Pi*(float64(x)*math.Cos(angle)+float64(y)*math.Sin(angle))/period)
				for ch, v := range []uint8{c.R, c.G, c.B} {
					g := 255 * math.Pow(float64(v)/255, 1.25) * m
					img.Pix[y*img.Stride+x*4+ch] = uint8(math.Max(0, math.Min(255, g+8)))
				}
			}
		}
		out[i] = img
	}
	return out
}

// Frozen repeats one frame n times (each with its own sensor noise when
// sent through Sequence).
func Frozen(frame *image.RGBA, n int) []*image.RGBA {
	out := make([]*image.RGBA, n)
	for i := range out {
		out[i] = frame
	}
	return out
}

// StepsBy is one person at rest (live) and another doing the steps
// (other), both rendered from the same Script: its first three frames and
// each step's last (back at rest) from live, each step's way there from
// other. It is the attack where a picture of someone faces the camera and
// the attacker turns and nods in between.
func StepsBy(live, other []*image.RGBA) []*image.RGBA {
	out := make([]*image.RGBA, len(live))
	for i := range live {
		out[i] = live[i]
		if i >= 3 && (i-3)%4 != 3 {
			out[i] = other[i]
		}
	}
	return out
}

// Timeline is the pose at each moment of the capture page's plan
// (internal/web/capture/web/live.js) for steps, from the moment the camera
// starts: the same waits and frame counts, so a fake camera playing it
// shows each step while the page asks for it and takes its frames. Each
// pose is held from 300 ms into its prompt's pause to the end of its frames.
func Timeline(steps []string) func(ms int) Pose {
	type phase struct {
		from, to int
		pose     Pose
		blink    [2]int // closed between these times
	}
	rest := Pose{Scale: 1}
	t := 300 + 900 + 3*250 // the camera's start, the first pause, the rest frames
	var phases []phase
	for _, s := range steps {
		wait, frames, gap := 800, 4, 250
		if s == liveness.Blink {
			wait, frames, gap = 700, 7, 120
		}
		p := phase{from: t + 300, to: t + wait + frames*gap, pose: rest}
		switch s {
		case liveness.TurnLeft:
			p.pose.Yaw = 28
		case liveness.TurnRight:
			p.pose.Yaw = -28
		case liveness.LookUp:
			p.pose.Pitch = 20
		case liveness.MoveCloser:
			p.pose.Scale = 1.45
			rest.Scale = 1.45 // and stays there
		case liveness.Blink:
			p.blink = [2]int{t + wait, t + wait + 3*gap}
		}
		phases = append(phases, p)
		t = p.to
	}
	return func(ms int) Pose {
		pose := Pose{Scale: 1}
		for _, p := range phases {
			if ms >= p.from {
				pose.Scale = p.pose.Scale
			}
			if ms >= p.from && ms < p.to {
				pose = p.pose
				if p.blink[1] > 0 && (ms < p.blink[0] || ms >= p.blink[1]) {
					pose.Blink = 0
				} else if p.blink[1] > 0 {
					pose.Blink = 1
				}
			}
		}
		return pose
	}
}

// Y4M writes frames as a YUV4MPEG2 video (4:2:0, BT.601 limited range) at
// fps frames a second: what Chromium's fake camera plays.
func Y4M(w io.Writer, frames []*image.RGBA, fps int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n", W, H, fps)
	y := make([]byte, W*H)
	u, v := make([]byte, W*H/4), make([]byte, W*H/4)
	for _, f := range frames {
		for j := range H {
			for i := range W {
				o := j*f.Stride + i*4
				r, g, b := float64(f.Pix[o])/255, float64(f.Pix[o+1])/255, float64(f.Pix[o+2])/255
				y[j*W+i] = uint8(16 + 65.481*r + 128.553*g + 24.966*b + 0.5)
				if i%2 == 0 && j%2 == 0 {
					u[(j/2)*(W/2)+i/2] = uint8(128 - 37.797*r - 74.203*g + 112*b + 0.5)
					v[(j/2)*(W/2)+i/2] = uint8(128 + 112*r - 93.786*g - 18.214*b + 0.5)
				}
			}
		}
		bw.WriteString("FRAME\n")
		bw.Write(y)
		bw.Write(u)
		bw.Write(v)
	}
	return bw.Flush()
}

// Copy is what someone replaying frames sent to another session would
// send so that their digests differ: each frame decoded, resized to
// 70–100 % and saved again at JPEG quality 50–95, one draw for the whole
// sequence. Times stay.
func Copy(frames []liveness.Frame, rng *rand.Rand) ([]liveness.Frame, error) {
	return Edited(frames, 0.7+rng.Float64()*0.3, 1, 0, 50+rng.IntN(46))
}

// Edited is frames decoded, resized by scale, their levels multiplied by
// gain and lifted by lift (clipped to 0–255), saved again at JPEG quality
// q. Times stay.
func Edited(frames []liveness.Frame, scale, gain, lift float64, q int) ([]liveness.Frame, error) {
	out := make([]liveness.Frame, len(frames))
	for i, f := range frames {
		img, err := jpeg.Decode(bytes.NewReader(f.JPEG))
		if err != nil {
			return nil, err
		}
		b := img.Bounds()
		dst := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*scale), int(float64(b.Dy())*scale)))
		xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
		for j := range dst.Pix {
			if j%4 != 3 {
				dst.Pix[j] = uint8(math.Max(0, math.Min(255, math.Round(float64(dst.Pix[j])*gain+lift))))
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: q}); err != nil {
			return nil, err
		}
		out[i] = liveness.Frame{JPEG: buf.Bytes(), TMs: f.TMs}
	}
	return out, nil
}
