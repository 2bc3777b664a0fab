// PDF417 through zxing-cpp 1.4 (Debian libzxing-dev, Apache-2.0).
#include "pdf417.h"

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
