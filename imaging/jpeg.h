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
