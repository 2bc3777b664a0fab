// A small bridge to dlib's HOG face detector and shape predictor, without the
// face-recognition network go-face always runs: the photo pipeline needs
// boxes and landmarks only, and one detector per caller instead of a shared
// one behind a mutex.
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/serialize.h>
#include <chrono>
#include <cstring>
#include <exception>
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

void* vd_shapes_load(const char* path, char* err, int errlen) {
	auto* sp = new shape_predictor;
	try {
		deserialize(path) >> *sp;
		return sp;
	} catch (std::exception& e) {
		strncpy(err, e.what(), errlen - 1);
		err[errlen - 1] = 0;
		delete sp;
		return nullptr;
	}
}

void vd_shapes_free(void* sp) { delete static_cast<shape_predictor*>(sp); }

int vd_find(void* det, void* sp, const unsigned char* rgb, int w, int h, int* boxes, int* points, int max_faces, int max_points, long long* landmark_ns) {
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
			if (!sp) { // landmarks come from elsewhere
				n++;
				continue;
			}
			auto t0 = std::chrono::steady_clock::now();
			full_object_detection s = (*static_cast<shape_predictor*>(sp))(img, r);
			*landmark_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
			for (unsigned long i = 0; i < s.num_parts() && (int)i < max_points; i++) {
				points[2 * (n * max_points + i)] = s.part(i).x();
				points[2 * (n * max_points + i) + 1] = s.part(i).y();
			}
			n++;
		}
		return (int)rects.size();
	} catch (...) {
		return -1;
	}
}

}
