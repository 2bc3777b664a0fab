package idphoto

import (
	"image"
	"image/color"
	"math"
)

// Background cleanup limits: only a light, uniform background is touched,
// and never by more than maxShift per channel, so a photo that needs a new
// background keeps its warning instead of getting a fake one.
const (
	cleanMinLuma = 150.0
	cleanMaxSD   = 12.0
	maxShift     = 60.0
)

// cleanBackground moves a light, uniform background towards the spec's
// colour. It grows the background from the photo's top and upper sides
// through pixels close to the background's mean colour, never inside the
// head (an ellipse inside crown, chin and cheeks), and shifts those pixels by
// the difference of the means, keeping their shading, with the shift fading
// out towards the tolerance. It reports whether it changed anything.
// pix is packed 8-bit RGB of a w×h image; head is in its coordinates.
func cleanBackground(pix []byte, w, h int, head image.Rectangle, eyeY float64, want color.RGBA) bool {
	if w < 20 || h < 20 {
		return false
	}
	mean, lm, sd, n := backgroundStats(func(x, y int) (float64, float64, float64) {
		i := 3 * (y*w + x)
		return float64(pix[i]), float64(pix[i+1]), float64(pix[i+2])
	}, w, h, head, eyeY)
	if n < 50 || lm < cleanMinLuma || sd > cleanMaxSD {
		return false
	}
	shift := [3]float64{}
	moved := false
	for c, v := range [3]float64{float64(want.R), float64(want.G), float64(want.B)} {
		shift[c] = math.Max(-maxShift, math.Min(maxShift, v-mean[c]))
		moved = moved || math.Abs(shift[c]) >= 2
	}
	if !moved {
		return false
	}
	tol := math.Max(18, 3*sd)
	dist := func(i int) float64 {
		dr, dg, db := float64(pix[i])-mean[0], float64(pix[i+1])-mean[1], float64(pix[i+2])-mean[2]
		return math.Sqrt(dr*dr + dg*dg + db*db)
	}
	bgMask := fillBackground(w, h, head, eyeY, func(p int) bool { return dist(3*p) <= tol })
	// Full shift near the mean colour, fading to none at the tolerance, so a
	// gradient or an edge gets no hard seam.
	changed := 0
	for p, bgp := range bgMask {
		if !bgp {
			continue
		}
		k := math.Max(0, math.Min(1, (tol-dist(3*p))/(tol/2)))
		for c := 0; c < 3; c++ {
			i := 3*p + c
			pix[i] = uint8(math.Max(0, math.Min(255, math.Round(float64(pix[i])+k*shift[c]))))
		}
		changed++
	}
	return changed > 0
}

// fillBackground grows the background from the top edge and the upper sides
// (above the eyes) through pixels close to its colour, never into the head:
// the ellipse inside the head box (crown to chin), a little smaller, so the
// fill reaches the hair line (hair not of the background's colour stops it by
// itself), and the neck and shoulders below it.
func fillBackground(w, h int, head image.Rectangle, eyeY float64, close func(p int) bool) []bool {
	cx, cy := float64(head.Min.X+head.Max.X)/2, float64(head.Min.Y+head.Max.Y)/2
	rx, ry := float64(head.Dx())*0.42, float64(head.Dy())*0.42
	inHead := func(x, y int) bool {
		dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
		return dx*dx+dy*dy <= 1 || (y > head.Max.Y && math.Abs(float64(x)-cx) < rx)
	}
	mask := make([]bool, w*h)
	queue := make([]int, 0, w*h/4)
	seed := func(x, y int) {
		p := y*w + x
		if !mask[p] && !inHead(x, y) && close(p) {
			mask[p] = true
			queue = append(queue, p)
		}
	}
	for x := 0; x < w; x++ {
		seed(x, 0)
	}
	for y := 0; y < int(eyeY) && y < h; y++ {
		seed(0, y)
		seed(w-1, y)
	}
	for len(queue) > 0 {
		p := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		x, y := p%w, p/w
		if x > 0 {
			seed(x-1, y)
		}
		if x < w-1 {
			seed(x+1, y)
		}
		if y > 0 {
			seed(x, y-1)
		}
		if y < h-1 {
			seed(x, y+1)
		}
	}
	return mask
}

// backgroundStats samples the bands beside the head, above the eyes: the
// mean colour, mean luma, luma deviation and the number of samples.
func backgroundStats(at func(x, y int) (r, g, b float64), w, h int, head image.Rectangle, eyeY float64) (mean [3]float64, luma, sd float64, n int) {
	var sum [3]float64
	var lumaSum, lumaSq float64
	yTop, yBot := h/50, int(math.Max(float64(h/50+2), math.Min(eyeY, float64(h)/2)))
	for y := yTop; y < yBot; y += 2 {
		for x := w * 3 / 100; x < w*97/100; x += 2 {
			if x >= head.Min.X-w/20 && x < head.Max.X+w/20 {
				continue
			}
			r, g, b := at(x, y)
			sum[0], sum[1], sum[2] = sum[0]+r, sum[1]+g, sum[2]+b
			l := 0.299*r + 0.587*g + 0.114*b
			lumaSum, lumaSq = lumaSum+l, lumaSq+l*l
			n++
		}
	}
	if n == 0 {
		return mean, 0, 0, 0
	}
	mean = [3]float64{sum[0] / float64(n), sum[1] / float64(n), sum[2] / float64(n)}
	luma = lumaSum / float64(n)
	sd = math.Sqrt(math.Max(0, lumaSq/float64(n)-luma*luma))
	return mean, luma, sd, n
}

// mayClean tells from the small detection copy whether the background could
// be cleaned, so the full-size pixels are read only when it may.
func mayClean(img image.Image, g Geometry, want color.RGBA) bool {
	b := img.Bounds()
	headH := g.HeadHeight()
	cx := g.EyeMid().X
	head := image.Rect(int(cx-0.4*headH), int(g.Crown.Y), int(cx+0.4*headH), int(g.Chin.Y))
	mean, lm, sd, n := backgroundStats(func(x, y int) (float64, float64, float64) {
		r, gg, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
		return float64(r >> 8), float64(gg >> 8), float64(bb >> 8)
	}, b.Dx(), b.Dy(), head, g.EyeMid().Y)
	if n < 20 || lm < cleanMinLuma-5 || sd > cleanMaxSD+4 {
		return false
	}
	d := math.Abs(mean[0]-float64(want.R)) + math.Abs(mean[1]-float64(want.G)) + math.Abs(mean[2]-float64(want.B))
	return d >= 4
}
