// Affine resampling of grey images: levelling a photo and cutting a turned,
// scaled band out of it in one pass. In C: it runs on every document read.
#include "warp.h"

#include <stddef.h>

static inline double sample(const unsigned char* src, int w, int h, int stride, double fx, double fy) {
    // Truncation is floor for the points inside; the rest are white.
    if (fx < 0 || fy < 0) return 255;
    const int x0 = (int)fx, y0 = (int)fy;
    if (x0 >= w - 1 || y0 >= h - 1) return 255;
    const double ax = fx - x0, ay = fy - y0;
    const unsigned char* p = src + (size_t)y0 * stride + x0;
    const unsigned char* q = p + stride;
    const double top = p[0] + ax * (p[1] - p[0]);
    const double bot = q[0] + ax * (q[1] - q[0]);
    return top + ay * (bot - top);
}

void vd_affine_gray(const unsigned char* src, int w, int h, int stride,
                    double x0, double y0, double dxu, double dyu, double dxv, double dyv,
                    unsigned char* dst, int dw, int dh, int ss) {
    if (ss <= 1) {
        for (int v = 0; v < dh; v++) {
            unsigned char* row = dst + (size_t)v * dw;
            double fx = x0 + v * dxv, fy = y0 + v * dyv;
            for (int u = 0; u < dw; u++, fx += dxu, fy += dyu)
                row[u] = (unsigned char)(sample(src, w, h, stride, fx, fy) + 0.5);
        }
        return;
    }
    const double inv = 1.0 / (ss * ss);
    for (int v = 0; v < dh; v++) {
        unsigned char* row = dst + (size_t)v * dw;
        for (int u = 0; u < dw; u++) {
            double sum = 0;
            for (int j = 0; j < ss; j++) {
                const double dv = v + (j + 0.5) / ss - 0.5;
                for (int i = 0; i < ss; i++) {
                    const double du = u + (i + 0.5) / ss - 0.5;
                    sum += sample(src, w, h, stride, x0 + du * dxu + dv * dxv, y0 + du * dyu + dv * dyv);
                }
            }
            row[u] = (unsigned char)(sum * inv + 0.5);
        }
    }
}
