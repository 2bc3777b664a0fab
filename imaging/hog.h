#ifdef __cplusplus
extern "C" {
#endif
void* vd_detector_new(void);
void vd_detector_free(void* d);
void* vd_shapes_load(const char* path, char* err, int errlen);
void vd_shapes_free(void* sp);
// vd_find detects faces in packed RGB pixels and, when sp is not NULL, their
// landmarks. It returns
// the number of faces found (boxes and points are filled for at most
// max_faces), or -1 on an error. It adds the time the landmarks took to
// *landmark_ns.
int vd_find(void* det, void* sp, const unsigned char* rgb, int w, int h, int* boxes, int* points, int max_faces, int max_points, long long* landmark_ns);
#ifdef __cplusplus
}
#endif
