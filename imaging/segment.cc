// Person segmentation with OpenCV's dnn module (see segment.go).
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include "dnnnet_internal.hpp"
#include "segment.h"

extern "C" {

int vd_seg_run(vd_net* n, const unsigned char* src, int w, int h, unsigned char* alpha, float lo, float hi, float sigma) {
	try {
		const int side = 256; // the net's input
		cv::Mat in(h, w, CV_8UC3, const_cast<unsigned char*>(src));
		cv::Mat small;
		cv::resize(in, small, cv::Size(side, side), 0, 0, w > side && h > side ? cv::INTER_AREA : cv::INTER_LINEAR);
		// RGB in [0, 1], NCHW.
		cv::Mat blob = cv::dnn::blobFromImage(small, 1.0 / 255, cv::Size(), cv::Scalar(), false, false, CV_32F);
		n->net.setInput(blob);
		cv::Mat out = n->net.forward();
		if (out.total() != (size_t)side * side) {
			return -1;
		}
		cv::Mat prob(side, side, CV_32F, out.ptr<float>());
		cv::Mat up;
		cv::resize(prob, up, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
		// Smoothstep between lo and hi: a crisp edge that keeps its anti-aliasing.
		float span = hi - lo;
		cv::Mat soft(h, w, CV_32F);
		for (int y = 0; y < h; y++) {
			const float* p = up.ptr<float>(y);
			float* q = soft.ptr<float>(y);
			for (int x = 0; x < w; x++) {
				float t = (p[x] - lo) / span;
				t = t < 0 ? 0 : (t > 1 ? 1 : t);
				q[x] = t * t * (3 - 2 * t);
			}
		}
		if (sigma > 0) {
			cv::GaussianBlur(soft, soft, cv::Size(), sigma);
		}
		cv::Mat dst(h, w, CV_8U, alpha);
		soft.convertTo(dst, CV_8U, 255);
		return dst.data == alpha ? 0 : -1;
	} catch (...) {
		return -1;
	}
}

}
