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

// Catmull-Rom weights of the four taps around a point at fraction t.
static inline void cubic_weights(double t, double w[4]) {
    const double t2 = t * t, t3 = t2 * t;
    w[0] = 0.5 * (-t3 + 2 * t2 - t);
    w[1] = 0.5 * (3 * t3 - 5 * t2 + 2);
    w[2] = 0.5 * (-3 * t3 + 4 * t2 + t);
    w[3] = 0.5 * (t3 - t2);
}

static inline double sample_cubic(const unsigned char* src, int w, int h, int stride, double fx, double fy) {
    if (fx < 1 || fy < 1) return sample(src, w, h, stride, fx, fy);
    const int x0 = (int)fx, y0 = (int)fy;
    if (x0 >= w - 2 || y0 >= h - 2) return sample(src, w, h, stride, fx, fy);
    double wx[4], wy[4];
    cubic_weights(fx - x0, wx);
    cubic_weights(fy - y0, wy);
    double sum = 0;
    for (int j = 0; j < 4; j++) {
        const unsigned char* p = src + (size_t)(y0 - 1 + j) * stride + x0 - 1;
        sum += wy[j] * (wx[0] * p[0] + wx[1] * p[1] + wx[2] * p[2] + wx[3] * p[3]);
    }
    return sum < 0 ? 0 : sum > 255 ? 255 : sum;
}

void vd_affine_gray(const unsigned char* src, int w, int h, int stride,
                    double x0, double y0, double dxu, double dyu, double dxv, double dyv,
                    unsigned char* dst, int dw, int dh, int ss) {
    if (ss <= 1) {
        // Enlarging by more than 1.5: bicubic keeps the glyphs' edges sharp
        // where bilinear would soften them.
        const int cubic = dxu * dxu + dyu * dyu < 0.44;
        for (int v = 0; v < dh; v++) {
            unsigned char* row = dst + (size_t)v * dw;
            double fx = x0 + v * dxv, fy = y0 + v * dyv;
            for (int u = 0; u < dw; u++, fx += dxu, fy += dyu)
                row[u] = (unsigned char)((cubic ? sample_cubic(src, w, h, stride, fx, fy) : sample(src, w, h, stride, fx, fy)) + 0.5);
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
