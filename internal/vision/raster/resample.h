#ifdef __cplusplus
extern "C" {
#endif
// Packed 8-bit RGB in and out; both return 0, or -1 on an error.
// vd_resize_area scales src (sw×sh) to dst (dw×dh) by area averaging.
int vd_resize_area(const unsigned char* src, int sw, int sh, unsigned char* dst, int dw, int dh);
// vd_box_shrink averages src (sw×sh) over n×n blocks into dst (sw/n × sh/n);
// the last sw%n columns and sh%n rows are left out.
int vd_box_shrink(const unsigned char* src, int sw, int sh, int n, unsigned char* dst);
// vd_warp fills dst (dw×dh): the pixel (u, v) takes src at
// (m[0]u + m[1]v + m[2], m[3]u + m[4]v + m[5]), pixel centres at whole
// coordinates, and bg outside src (NULL: src mirrored about its edges).
int vd_warp(const unsigned char* src, int sw, int sh, unsigned char* dst, int dw, int dh, const double* m, const unsigned char* bg);
// vd_warp_mask is vd_warp for one 8-bit channel (bilinear, 0 outside src).
int vd_warp_mask(const unsigned char* src, int sw, int sh, unsigned char* dst, int dw, int dh, const double* m);
#ifdef __cplusplus
}
#endif
#ifdef __cplusplus
extern "C" {
#endif
// vd_orient turns src (w×h) upright by its EXIF orientation (2–8) into dst,
// which is h×w for orientations 5–8.
int vd_orient(const unsigned char* src, int w, int h, int channels, int orientation, unsigned char* dst);
#ifdef __cplusplus
}
#endif
