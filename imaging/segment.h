#ifdef __cplusplus
extern "C" {
#endif
// A person segmentation net (MediaPipe Selfie Segmentation as ONNX) in
// OpenCV's dnn module. One net serves one caller at a time.
typedef struct vd_segnet vd_segnet;
// vd_seg_new reads the ONNX model from memory; NULL on an error.
vd_segnet* vd_seg_new(const unsigned char* onnx, size_t len);
void vd_seg_free(vd_segnet* n);
// vd_seg_run segments src (packed RGB, w×h) and writes alpha (w×h, 0–255):
// the net's probability upscaled bilinearly, its edge narrowed by a
// smoothstep between lo and hi and feathered by a Gaussian of sigma px.
// Returns 0, or -1 on an error.
int vd_seg_run(vd_segnet* n, const unsigned char* src, int w, int h, unsigned char* alpha, float lo, float hi, float sigma);
#ifdef __cplusplus
}
#endif
