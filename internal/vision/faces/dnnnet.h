#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif
// An ONNX model loaded into OpenCV's dnn module. One net serves one caller
// at a time.
typedef struct vd_net vd_net;
// vd_net_new reads the model from memory; NULL on an error.
vd_net* vd_net_new(const unsigned char* onnx, size_t len);
void vd_net_free(vd_net* n);
#ifdef __cplusplus
}
#endif
