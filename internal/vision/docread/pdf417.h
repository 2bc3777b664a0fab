#ifndef VERIDOC_PDF417_H
#define VERIDOC_PDF417_H
#ifdef __cplusplus
extern "C" {
#endif

// vd_read_pdf417 looks for a PDF417 symbol in an 8-bit grey image and copies
// its bytes to out. It returns their count, -1 when no symbol was read, -2
// when out is too small. corners gets the symbol's four corners (x, y pairs).
int vd_read_pdf417(const unsigned char* gray, int width, int height, int stride,
                   unsigned char* out, int cap, int* corners);

#ifdef __cplusplus
}
#endif
#endif
