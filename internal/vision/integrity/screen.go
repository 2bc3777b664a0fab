package integrity

import (
	"image"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
)

// spectrumSide is the side of the square the spectrum is taken of: large
// enough to resolve a screen's pixel pitch (1.5–5 camera pixels) from its
// neighbours, small enough to stay near 16 ms (BenchmarkScreenPeak).
const spectrumSide = 512

// ScreenPeak measures how far the third strongest isolated peak of the
// image's brightness spectrum stands above its neighbourhood (natural log
// of the magnitude ratio). A photo of a screen shows the screen's pixel grid, and
// the moiré it beats into with the camera's, as sharp peaks away from the
// centre; paper, print and a camera's noise give a spectrum that falls off
// smoothly. The centre square of the image is measured at full
// resolution; the JPEG block grid's own peaks (multiples of an eighth of
// the sampling rate on both axes) and the lowest frequencies (page
// layout, text lines) are left out. 0 for an image smaller than 256 px.
func ScreenPeak(g *image.Gray) float64 {
	n := spectrumSide
	for n > 256 && (g.Rect.Dx() < n || g.Rect.Dy() < n) {
		n /= 2
	}
	if g.Rect.Dx() < n || g.Rect.Dy() < n {
		return 0
	}
	mag := logSpectrum(g, n)
	half := n/2 + 1
	// A summed-area table over the spectrum, rows wrapped by 4 on each
	// side (vertical frequencies are periodic), for the ring means.
	const pad = 4
	rows := n + 2*pad
	sat := make([]float64, (rows+1)*(half+1))
	for r := 0; r < rows; r++ {
		v := ((r-pad)%n + n) % n
		var line float64
		for u := 0; u < half; u++ {
			line += mag[v*half+u]
			sat[(r+1)*(half+1)+u+1] = sat[r*(half+1)+u+1] + line
		}
	}
	box := func(r0, u0, r1, u1 int) float64 { // rows r0..r1-1, bins u0..u1-1 of the padded spectrum
		return sat[r1*(half+1)+u1] - sat[r0*(half+1)+u1] - sat[r1*(half+1)+u0] + sat[r0*(half+1)+u0]
	}
	var top [3]float64 // the three strongest, strongest first
	for i := range top {
		top[i] = math.Inf(-1)
	}
	for v := 0; v < n; v++ {
		fv := min(v, n-v) // |vertical frequency| in bins
		r := v + pad
		for u := 5; u < half-5; u++ {
			if u < n/32 && fv < n/32 || nearGrid(u, n) && nearGrid(fv, n) || fv < 3 {
				continue
			}
			ring := (box(r-4, u-4, r+5, u+5) - box(r-1, u-1, r+2, u+2)) / 72
			p := mag[v*half+u] - ring
			switch {
			case p > top[0]:
				top = [3]float64{p, top[0], top[1]}
			case p > top[1]:
				top[1], top[2] = p, top[1]
			case p > top[2]:
				top[2] = p
			}
		}
	}
	// The third strongest: one bright bin can be chance; a screen's grid
	// and its moiré give several (harmonics, both axes).
	return max(top[2], 0)
}

// logSpectrum is the log magnitude of the 2-D Fourier transform of the
// centre n×n of g (mean removed, Hann window), rows of n/2+1 bins.
func logSpectrum(g *image.Gray, n int) []float64 {
	x0, y0 := g.Rect.Min.X+(g.Rect.Dx()-n)/2, g.Rect.Min.Y+(g.Rect.Dy()-n)/2
	win := make([]float64, n)
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
	}
	var mean float64
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			mean += float64(g.GrayAt(x0+x, y0+y).Y)
		}
	}
	mean /= float64(n * n)
	half := n/2 + 1
	rows := make([]complex128, n*half)
	rfft := fourier.NewFFT(n)
	seq := make([]float64, n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			seq[x] = (float64(g.GrayAt(x0+x, y0+y).Y) - mean) * win[x] * win[y]
		}
		rfft.Coefficients(rows[y*half:(y+1)*half], seq)
	}
	cfft := fourier.NewCmplxFFT(n)
	col := make([]complex128, n)
	out := make([]float64, n*half)
	for u := 0; u < half; u++ {
		for v := 0; v < n; v++ {
			col[v] = rows[v*half+u]
		}
		cfft.Coefficients(col, col)
		for v := 0; v < n; v++ {
			out[v*half+u] = math.Log(cmplx.Abs(col[v]) + 1e-9)
		}
	}
	return out
}

// nearGrid tells whether a frequency bin lies within one bin of a multiple
// of n/8, where an 8×8 block grid puts its peaks.
func nearGrid(f, n int) bool {
	step := n / 8
	r := f % step
	return r <= 1 || r >= step-1
}
