#ifdef __cplusplus
extern "C" {
#endif
void* vd_detector_new(void);
void vd_detector_free(void* d);
// vd_find detects faces in packed RGB pixels. It returns the number found
// (boxes holds left, top, right, bottom for at most max_faces), or -1 on an
// error.
int vd_find(void* det, const unsigned char* rgb, int w, int h, int* boxes, int max_faces);
#ifdef __cplusplus
}
#endif
