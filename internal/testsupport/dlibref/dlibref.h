#ifdef __cplusplus
extern "C" {
#endif
void* vd_ref_new(const char* predictor_path, char** err);
void vd_ref_free(void* ref);
// vd_ref_find detects faces with dlib's HOG detector and marks each with the
// 68-point shape predictor; points holds 136 ints per face. Returns the count or -1.
int vd_ref_find(void* ref, const unsigned char* rgb, int w, int h, int* boxes, int* points, int max_faces);
#ifdef __cplusplus
}
#endif
