#include "dnnnet.h"
#ifdef __cplusplus
extern "C" {
#endif
// vd_seg_run segments src with the person segmentation net n (packed RGB, w×h) and writes alpha (w×h, 0–255):
// the net's probability upscaled bilinearly, its edge narrowed by a
// smoothstep between lo and hi and feathered by a Gaussian of sigma px.
// Returns 0, or -1 on an error.
int vd_seg_run(vd_net* n, const unsigned char* src, int w, int h, unsigned char* alpha, float lo, float hi, float sigma);
#ifdef __cplusplus
}
#endif
