#ifndef VERIDOC_WARP_H
#define VERIDOC_WARP_H
#ifdef __cplusplus
extern "C" {
#endif

// vd_affine_gray fills dst (dw x dh, packed) from the 8-bit grey src: the
// source point of dst pixel (u, v) is (x0 + u*dxu + v*dxv, y0 + u*dyu + v*dyv),
// read bilinearly, or bicubically when enlarging by more than 1.5 (a small
// photo's band); with ss > 1 each dst pixel averages ss x ss such points
// spread over its footprint (for shrinking). Points outside src are white.
void vd_affine_gray(const unsigned char* src, int w, int h, int stride,
                    double x0, double y0, double dxu, double dyu, double dxv, double dyv,
                    unsigned char* dst, int dw, int dh, int ss);

#ifdef __cplusplus
}
#endif
#endif
