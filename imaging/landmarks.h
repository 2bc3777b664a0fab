#ifdef __cplusplus
extern "C" {
#endif
// The face-api.js 68-point landmark net (ONNX) in OpenCV's dnn module.
typedef struct vd_lmnet vd_lmnet;
vd_lmnet* vd_lm_new(const unsigned char* onnx, size_t len);
void vd_lm_free(vd_lmnet* n);
// vd_lm_run reads the square x0, y0, side of src (packed RGB, w×h; black
// outside it) at 112×112 and writes the 68 points (x, y) in src px to out[136].
int vd_lm_run(vd_lmnet* n, const unsigned char* src, int w, int h, double x0, double y0, double side, float* out);
#ifdef __cplusplus
}
#endif
