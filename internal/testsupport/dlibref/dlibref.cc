// dlib's HOG detector and 68-point shape predictor, as a reference for tests.
#include "dlibref.h"

#include <cstdlib>
#include <cstring>

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>

using namespace dlib;

struct ref {
    frontal_face_detector det = get_frontal_face_detector();
    shape_predictor sp;
};

extern "C" void* vd_ref_new(const char* path, char** err) {
    try {
        ref* r = new ref;
        deserialize(path) >> r->sp;
        return r;
    } catch (std::exception& e) {
        *err = strdup(e.what());
        return nullptr;
    }
}

extern "C" void vd_ref_free(void* r) { delete static_cast<ref*>(r); }

extern "C" int vd_ref_find(void* p, const unsigned char* rgb, int w, int h, int* boxes, int* points, int max_faces) {
    try {
        ref* r = static_cast<ref*>(p);
        matrix<rgb_pixel> img(h, w);
        std::memcpy(&img(0, 0), rgb, size_t(w) * size_t(h) * 3);
        std::vector<rectangle> rects = r->det(img);
        int n = 0;
        for (auto& rc : rects) {
            if (n >= max_faces) break;
            full_object_detection s = r->sp(img, rc);
            boxes[4 * n] = rc.left();
            boxes[4 * n + 1] = rc.top();
            boxes[4 * n + 2] = rc.right() + 1;
            boxes[4 * n + 3] = rc.bottom() + 1;
            for (int i = 0; i < 68; i++) {
                points[136 * n + 2 * i] = s.part(i).x();
                points[136 * n + 2 * i + 1] = s.part(i).y();
            }
            n++;
        }
        return n;
    } catch (...) {
        return -1;
    }
}
