#include "dnnnet.h"
#ifdef __cplusplus
extern "C" {
#endif
// vd_fas_run crops the square-ish region (x, y, w, h) of src (packed RGB,
// sw×sh) as MiniFASNet's reference does (the box scaled about its centre,
// shifted to stay inside), resizes it to 80×80 and runs the net n on it as
// BGR in 0–255. probs receives the 3 class probabilities. Returns 0, or -1
// on an error.
int vd_fas_run(vd_net* n, const unsigned char* src, int sw, int sh, int x, int y, int w, int h, float scale, float* probs);
#ifdef __cplusplus
}
#endif
