package quality

import "math"

// stdLuma is the luminance quantisation table of the JPEG standard (ITU-T
// T.81 Annex K), which libjpeg and nearly every encoder scale by quality.
var stdLuma = [64]int{
	16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
	14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
	18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
	49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
}

// JPEGQuality estimates the quality (1–100, libjpeg's scale) a JPEG was
// saved at from its luminance quantisation table: the quality whose scaled
// standard table has the closest sum. 0 when src is not a JPEG or has no
// table. Compression artefacts are blocks of 8×8 source pixels, so what
// they cost a finished photo depends on this and on how far the photo was
// shrunk (OFIQ's CompressionArtifacts runs a trained net on the pixels).
func JPEGQuality(src []byte) int {
	table, ok := lumaTable(src)
	if !ok {
		return 0
	}
	var sum float64
	for _, v := range table {
		sum += float64(v)
	}
	best, bestDiff := 0, math.Inf(1)
	for q := 1; q <= 100; q++ {
		s := 200 - 2*q
		if q < 50 {
			s = 5000 / q
		}
		var t float64
		for _, v := range stdLuma {
			t += float64(min(255, max(1, (v*s+50)/100)))
		}
		if d := math.Abs(t - sum); d < bestDiff {
			best, bestDiff = q, d
		}
	}
	return best
}

// lumaTable finds quantisation table 0 in the segments before the scan.
func lumaTable(b []byte) ([64]int, bool) {
	var t [64]int
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return t, false
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return t, false
		}
		marker := b[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			return t, false
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		end := i + 2 + n
		if n < 2 || end > len(b) {
			return t, false
		}
		if marker == 0xDB {
			for j := i + 4; j < end; {
				pq, id := b[j]>>4, b[j]&15
				size := 64
				if pq == 1 {
					size = 128
				}
				if j+1+size > end {
					return t, false
				}
				if id == 0 {
					for k := range 64 {
						if pq == 1 {
							t[k] = int(b[j+1+2*k])<<8 | int(b[j+2+2*k])
						} else {
							t[k] = int(b[j+1+k])
						}
					}
					return t, true
				}
				j += 1 + size
			}
		}
		i = end
	}
	return t, false
}
