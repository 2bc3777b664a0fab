#ifdef __cplusplus
extern "C" {
#endif
// vd_jpeg_encode compresses packed 8-bit RGB with libjpeg(-turbo): a JFIF
// header with the DPI and nothing else (no EXIF, no profile). subsample
// selects 4:2:0 chroma (else 4:4:4). On success it returns 0 and a buffer
// the caller frees with free(); -1 on an error.
int vd_jpeg_encode(const unsigned char* rgb, int w, int h, int quality, int subsample, int optimize, int dpi, unsigned char** out, unsigned long* outlen);
#ifdef __cplusplus
}
#endif
#ifdef __cplusplus
extern "C" {
#endif
// vd_jpeg_size reads a JPEG's header and gives the size it decodes to at
// eighths/8 of its size (1–8). It returns 0, 1 when the file's colour space
// cannot be decoded to RGB here (CMYK), or -1 when the header is bad.
int vd_jpeg_size(const unsigned char* buf, unsigned long len, int eighths, int* w, int* h);
// vd_jpeg_decode decodes into out (w×h×channels, from vd_jpeg_size):
// channels 3 is RGB, 1 grey. Any warning of libjpeg (a truncated or corrupt
// file) fails the decode: -1. A file with more than max_scans scans, or a
// decode still running after budget_ms, stops at once: -2.
int vd_jpeg_decode(const unsigned char* buf, unsigned long len, int eighths, int channels, unsigned char* out, int w, int h,
	int max_scans, long budget_ms);
// vd_jpeg_luma_coefs reads the lowest quantised DCT coefficients of a
// JPEG's first component (the luma) without decoding pixels: for each of
// *bw×*bh blocks the 4×4 of frequencies 0–3 across and down (row by row)
// into *out (freed with free()), and that component's steps for them into
// quant (16). max_blocks
// bounds the size; budget_ms and max_scans as for vd_jpeg_decode. 0 on
// success, -1 for a bad or too large file, -2 when a limit stopped it.
int vd_jpeg_luma_coefs(const unsigned char* buf, unsigned long len, long max_blocks, int max_scans, long budget_ms,
	int* bw, int* bh, unsigned short* quant, short** out);
// vd_jpeg_encode_sheet encodes a sheet of paper (pw×ph white) with copies of
// photo (w×h) in cols×rows at (x0 + c·step_x, y0 + r·step_y), each with a
// grey line one pixel outside, one scanline at a time (no sheet in memory).
int vd_jpeg_encode_sheet(const unsigned char* photo, int w, int h, int pw, int ph, int x0, int y0, int step_x, int step_y,
	int cols, int rows, int quality, int dpi, unsigned char** out, unsigned long* outlen);
#ifdef __cplusplus
}
#endif
