package quality

import (
	"math"

	"github.com/veridoc/veridoc/internal/vision/faces"
)

// meanFace holds six points of an average head in millimetres (x right, y up,
// z towards the camera, the nose tip at the origin), the model widely used
// with these landmarks for head pose: nose tip, chin, outer eye corners,
// mouth corners.
var meanFace = []struct {
	mark    int
	x, y, z float64
}{
	{30, 0, 0, 0},
	{8, 0, -330, -65},
	{36, -225, 170, -135},
	{45, 225, 170, -135},
	{48, -150, -150, -125},
	{54, 150, -150, -125},
}

// headPose fits the mean face to the landmarks under weak perspective (an
// ID photo is taken from a metre or more, so depth within the face hardly
// changes the scale): the least-squares affine map from the model to the
// image, its rows made orthonormal, is the head's rotation. OFIQ fits a
// dense 3D model (3DDFA-V2) instead; this needs no network and answers
// within a few degrees on frontal and moderately turned faces.
func headPose(pts []faces.Point) (yaw, pitch, roll float64) {
	n := float64(len(meanFace))
	var cx, cy, cX, cY, cZ float64
	for _, m := range meanFace {
		cx += pts[m.mark].X / n
		cy += -pts[m.mark].Y / n // y up, as the model's
		cX, cY, cZ = cX+m.x/n, cY+m.y/n, cZ+m.z/n
	}
	var xX, yX [3]float64 // Σ x·Xᵀ, Σ y·Xᵀ
	var XX [3][3]float64  // Σ X·Xᵀ
	for _, m := range meanFace {
		X := [3]float64{m.x - cX, m.y - cY, m.z - cZ}
		x, y := pts[m.mark].X-cx, -pts[m.mark].Y-cy
		for i := range 3 {
			xX[i] += x * X[i]
			yX[i] += y * X[i]
			for j := range 3 {
				XX[i][j] += X[i] * X[j]
			}
		}
	}
	inv, ok := invert3(XX)
	if !ok {
		return 0, 0, 0
	}
	a1, a2 := mulRow(xX, inv), mulRow(yX, inv)
	r1 := unit(a1)
	r2 := unit(sub(a2, scale(r1, dot(a2, r1))))
	r3 := cross(r1, r2)
	// The face's forward axis (0, 0, 1) in the camera's frame is R's third
	// column; its x axis (1, 0, 0) the first.
	deg := 180 / math.Pi
	yaw = math.Atan2(r1[2], r3[2]) * deg
	pitch = math.Atan2(r2[2], r3[2])*deg + pitchOffset
	roll = -math.Atan2(r2[0], r1[0]) * deg
	return yaw, pitch, roll
}

// pitchOffset levels the mean face with the landmark net's points: the 600
// Congress studio portraits (../shared/data/faces, taken level) read a median
// pitch of -12.7° without it.
const pitchOffset = 12.7

type vec3 = [3]float64

func mulRow(r vec3, m [3][3]float64) vec3 {
	var out vec3
	for j := range 3 {
		for i := range 3 {
			out[j] += r[i] * m[i][j]
		}
	}
	return out
}

func dot(a, b vec3) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func scale(a vec3, k float64) vec3 { return vec3{a[0] * k, a[1] * k, a[2] * k} }

func sub(a, b vec3) vec3 { return vec3{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }

func unit(a vec3) vec3 {
	if l := math.Sqrt(dot(a, a)); l > 0 {
		return scale(a, 1/l)
	}
	return a
}

func cross(a, b vec3) vec3 {
	return vec3{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

// invert3 inverts a 3×3 matrix by its adjugate.
func invert3(m [3][3]float64) ([3][3]float64, bool) {
	var inv [3][3]float64
	c00 := m[1][1]*m[2][2] - m[1][2]*m[2][1]
	c01 := m[1][2]*m[2][0] - m[1][0]*m[2][2]
	c02 := m[1][0]*m[2][1] - m[1][1]*m[2][0]
	det := m[0][0]*c00 + m[0][1]*c01 + m[0][2]*c02
	if math.Abs(det) < 1e-12 {
		return inv, false
	}
	inv[0] = [3]float64{c00 / det, (m[0][2]*m[2][1] - m[0][1]*m[2][2]) / det, (m[0][1]*m[1][2] - m[0][2]*m[1][1]) / det}
	inv[1] = [3]float64{c01 / det, (m[0][0]*m[2][2] - m[0][2]*m[2][0]) / det, (m[0][2]*m[1][0] - m[0][0]*m[1][2]) / det}
	inv[2] = [3]float64{c02 / det, (m[0][1]*m[2][0] - m[0][0]*m[2][1]) / det, (m[0][0]*m[1][1] - m[0][1]*m[1][0]) / det}
	return inv, true
}
