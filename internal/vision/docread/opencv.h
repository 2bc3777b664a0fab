#ifdef __cplusplus
extern "C" {
#endif
// vd_find_quad looks for a document's outline in an 8-bit grey image: the
// largest convex four-sided contour of its edges covering between 15 % and
// 97 % of the image. It writes the corners (x, y) clockwise from the top
// left into quad[8] and returns 1, or returns 0 when there is none.
int vd_find_quad(const unsigned char* pix, int w, int h, int stride, double* quad);
// vd_unwarp fills dst (dw×dh) with the quad of src (corners as vd_find_quad
// gives them) mapped to the whole of dst by a homography, bilinear, white
// outside src. It returns 0, or -1 on an error.
int vd_unwarp(const unsigned char* src, int sw, int sh, int stride, const double* quad, unsigned char* dst, int dw, int dh);
// vd_clahe equalises the contrast of g (w×h, packed) in place, tile by
// tile (tiles×1 across a band), the gain limited to clip: text under glare
// or in a shadow comes back to the contrast of the rest. 0, or -1.
int vd_clahe(unsigned char* g, int w, int h, int tiles, double clip);
#ifdef __cplusplus
}
#endif
