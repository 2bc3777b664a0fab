// PDF417 through zxing-cpp 1.4 (Debian libzxing-dev, Apache-2.0).
#include "pdf417.h"

#include <cmath>
#include <cstring>

#define ZX_USE_UTF8 1 // text() as UTF-8; we only read bytes()
#include <ZXing/ReadBarcode.h>

extern "C" int vd_read_pdf417(const unsigned char* gray, int width, int height, int stride,
                              unsigned char* out, int cap, int* corners) {
    try {
        ZXing::DecodeHints hints;
        hints.setFormats(ZXing::BarcodeFormat::PDF417);
        hints.setTryHarder(true);
        hints.setTryRotate(true); // upside down or sideways; skew is the caller's
        ZXing::ImageView view(gray, width, height, ZXing::ImageFormat::Lum, stride);
        ZXing::Result r = ZXing::ReadBarcode(view, hints);
        if (!r.isValid()) return -1;
        const auto& b = r.bytes();
        if ((int)b.size() > cap) return -2;
        std::memcpy(out, b.data(), b.size());
        const auto& p = r.position();
        for (int i = 0; i < 4; i++) {
            corners[2 * i] = p[i].x;
            corners[2 * i + 1] = p[i].y;
        }
        return (int)b.size();
    } catch (...) {
        return -1;
    }
}

extern "C" void vd_rotate_gray(const unsigned char* src, int w, int h, int stride, double deg, unsigned char* dst) {
    const double sn = std::sin(deg * M_PI / 180), cs = std::cos(deg * M_PI / 180);
    const double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
    for (int y = 0; y < h; y++) {
        const double dy = y - cy;
        // The source of (0, y), turned back by deg; then one step per x.
        double fx = -cx * cs + dy * sn + cx, fy = cx * sn + dy * cs + cy;
        unsigned char* row = dst + size_t(y) * w;
        for (int x = 0; x < w; x++, fx += cs, fy -= sn) {
            const int x0 = int(std::floor(fx)), y0 = int(std::floor(fy));
            if (x0 < 0 || y0 < 0 || x0 >= w - 1 || y0 >= h - 1) {
                row[x] = 255;
                continue;
            }
            const double ax = fx - x0, ay = fy - y0;
            const unsigned char* p = src + size_t(y0) * stride + x0;
            const unsigned char* q = p + stride;
            const double top = p[0] + ax * (p[1] - p[0]);
            const double bot = q[0] + ax * (q[1] - q[0]);
            row[x] = (unsigned char)(top + ay * (bot - top) + 0.5);
        }
    }
}
