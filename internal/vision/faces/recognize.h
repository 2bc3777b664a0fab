#ifdef __cplusplus
extern "C" {
#endif
// The face descriptor ResNet (dlib_face_recognition_resnet_model_v1.dat).
// vd_descr_new returns NULL and sets *err (free it) when the file does not load.
void* vd_descr_new(const char* path, char** err);
void vd_descr_free(void* net);
// vd_descriptor aligns the face given by its box and 68 landmarks (x, y
// pairs, dlib's layout) to a 150 px chip with 0.25 padding, as dlib does, and
// writes its 128-float descriptor. It returns 0, or -1 on an error.
int vd_descriptor(void* net, const unsigned char* rgb, int w, int h, const int* box, const int* points, float* out);

// The CNN (MMOD) face detector (mmod_human_face_detector.dat).
void* vd_cnn_new(const char* path, char** err);
void vd_cnn_free(void* net);
// vd_cnn_find returns the number of faces (boxes: left, top, right, bottom), or -1.
int vd_cnn_find(void* net, const unsigned char* rgb, int w, int h, int* boxes, int max_faces);
#ifdef __cplusplus
}
#endif
