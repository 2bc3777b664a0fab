// A small bridge to dlib's HOG face detector, without the face-recognition
// network go-face always runs: the photo pipeline needs boxes only (the
// landmarks come from the landmark net), and one detector per caller instead
// of a shared one behind a mutex.
#include <dlib/image_processing/frontal_face_detector.h>
#include "hog.h"

using namespace dlib;

extern "C" {

void* vd_detector_new(void) {
	try {
		return new frontal_face_detector(get_frontal_face_detector());
	} catch (...) {
		return nullptr;
	}
}

void vd_detector_free(void* d) { delete static_cast<frontal_face_detector*>(d); }

int vd_find(void* det, const unsigned char* rgb, int w, int h, int* boxes, int max_faces) {
	try {
		matrix<rgb_pixel> img(h, w);
		for (int y = 0; y < h; y++) {
			const unsigned char* row = rgb + (size_t)y * w * 3;
			for (int x = 0; x < w; x++) {
				img(y, x) = rgb_pixel(row[3 * x], row[3 * x + 1], row[3 * x + 2]);
			}
		}
		std::vector<rectangle> rects = (*static_cast<frontal_face_detector*>(det))(img);
		int n = 0;
		for (const auto& r : rects) {
			if (n >= max_faces) break;
			boxes[4 * n] = r.left();
			boxes[4 * n + 1] = r.top();
			boxes[4 * n + 2] = r.right() + 1;
			boxes[4 * n + 3] = r.bottom() + 1;
			n++;
		}
		return (int)rects.size();
	} catch (...) {
		return -1;
	}
}

}
