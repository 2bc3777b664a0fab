package livegen

import "math"

// triangulate is Bowyer–Watson Delaunay triangulation of pts (a hundred
// points here, so the simple quadratic form). It returns triangles as
// index triples.
func triangulate(pts [][2]float64) [][3]int {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, minY = math.Min(minX, p[0]), math.Min(minY, p[1])
		maxX, maxY = math.Max(maxX, p[0]), math.Max(maxY, p[1])
	}
	d := math.Max(maxX-minX, maxY-minY) * 20
	cx, cy := (minX+maxX)/2, (minY+maxY)/2
	all := append(append([][2]float64{}, pts...), [2]float64{cx - d, cy - d}, [2]float64{cx + d, cy - d}, [2]float64{cx, cy + d})
	n := len(pts)
	tris := [][3]int{{n, n + 1, n + 2}}
	for i := range pts {
		var bad [][3]int
		var keep [][3]int
		for _, t := range tris {
			if inCircle(all[t[0]], all[t[1]], all[t[2]], all[i]) {
				bad = append(bad, t)
			} else {
				keep = append(keep, t)
			}
		}
		// The hole's boundary: edges of exactly one bad triangle.
		count := map[[2]int]int{}
		for _, t := range bad {
			for k := range 3 {
				count[edge(t[k], t[(k+1)%3])]++
			}
		}
		for _, t := range bad {
			for k := range 3 {
				if e := edge(t[k], t[(k+1)%3]); count[e] == 1 {
					keep = append(keep, [3]int{e[0], e[1], i})
				}
			}
		}
		tris = keep
	}
	var out [][3]int
	for _, t := range tris {
		if t[0] < n && t[1] < n && t[2] < n {
			out = append(out, t)
		}
	}
	return out
}

func edge(a, b int) [2]int {
	if a > b {
		a, b = b, a
	}
	return [2]int{a, b}
}

// inCircle tells whether p lies inside the circle through a, b, c.
func inCircle(a, b, c, p [2]float64) bool {
	ax, ay := a[0]-p[0], a[1]-p[1]
	bx, by := b[0]-p[0], b[1]-p[1]
	cx, cy := c[0]-p[0], c[1]-p[1]
	det := (ax*ax+ay*ay)*(bx*cy-cx*by) - (bx*bx+by*by)*(ax*cy-cx*ay) + (cx*cx+cy*cy)*(ax*by-bx*ay)
	orient := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	if orient < 0 {
		det = -det
	}
	return det > 0
}
