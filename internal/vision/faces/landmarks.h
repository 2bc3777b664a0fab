#include "dnnnet.h"
#ifdef __cplusplus
extern "C" {
#endif
// vd_lm_run runs the face-api.js 68-point net n on the square x0, y0, side
// of src (packed RGB, w×h; black outside it) at 112×112 and writes the 68
// points (x, y) in src px to out[136].
int vd_lm_run(vd_net* n, const unsigned char* src, int w, int h, double x0, double y0, double side, float* out);
#ifdef __cplusplus
}
#endif
