// Face landmarks with OpenCV's dnn module (see landmarks.go).
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include "dnnnet_internal.hpp"
#include "landmarks.h"

extern "C" {

int vd_lm_run(vd_net* n, const unsigned char* src, int w, int h, double x0, double y0, double side, float* out) {
	try {
		const int size = 112;
		cv::Mat in(h, w, CV_8UC3, const_cast<unsigned char*>(src));
		// Output pixel (u, v) takes src at x0 + (u + 0.5)·k − 0.5, k = side/112.
		double k = side / size;
		cv::Mat m = (cv::Mat_<double>(2, 3) << k, 0, x0 + 0.5 * k - 0.5, 0, k, y0 + 0.5 * k - 0.5);
		cv::Mat crop;
		cv::warpAffine(in, crop, m, cv::Size(size, size), cv::INTER_AREA | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
		cv::Mat blob = cv::dnn::blobFromImage(crop, 1.0 / 255, cv::Size(), cv::Scalar(122.782, 117.001, 104.298), false, false, CV_32F);
		n->net.setInput(blob);
		cv::Mat res = n->net.forward();
		if (res.total() != 136) {
			return -1;
		}
		const float* p = res.ptr<float>();
		for (int i = 0; i < 68; i++) {
			out[2 * i] = (float)(x0 + p[2 * i] * side);
			out[2 * i + 1] = (float)(y0 + p[2 * i + 1] * side);
		}
		return 0;
	} catch (...) {
		return -1;
	}
}

}
