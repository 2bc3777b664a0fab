// Passive anti-spoofing with OpenCV's dnn module (see antispoof.go).
#include <algorithm>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include "antispoof.h"
#include "dnnnet_internal.hpp"

extern "C" {

int vd_fas_run(vd_net* n, const unsigned char* src, int sw, int sh, int x, int y, int w, int h, float scale, float* probs) {
	try {
		if (w <= 0 || h <= 0 || sw < 2 || sh < 2) {
			return -1;
		}
		// CropImage._get_new_box upstream: the scale shrinks until the box
		// fits, the box moves back inside the image, ends are inclusive.
		double s = std::min({(double)(sh - 1) / h, (double)(sw - 1) / w, (double)scale});
		double nw = w * s, nh = h * s, cx = x + w / 2.0, cy = y + h / 2.0;
		double l = cx - nw / 2, t = cy - nh / 2, r = cx + nw / 2, b = cy + nh / 2;
		if (l < 0) { r -= l; l = 0; }
		if (t < 0) { b -= t; t = 0; }
		if (r > sw - 1) { l -= r - sw + 1; r = sw - 1; }
		if (b > sh - 1) { t -= b - sh + 1; b = sh - 1; }
		int il = std::max(0, (int)l), it = std::max(0, (int)t);
		int ir = std::min(sw - 1, (int)r), ib = std::min(sh - 1, (int)b);
		if (ir <= il || ib <= it) {
			return -1;
		}
		cv::Mat in(sh, sw, CV_8UC3, const_cast<unsigned char*>(src));
		cv::resize(in(cv::Rect(il, it, ir - il + 1, ib - it + 1)), n->small, cv::Size(80, 80), 0, 0, cv::INTER_LINEAR);
		// RGB to BGR, unscaled: the nets were trained on OpenCV's BGR frames.
		cv::dnn::blobFromImage(n->small, n->blob, 1.0, cv::Size(), cv::Scalar(), true, false, CV_32F);
		n->net.setInput(n->blob);
		cv::Mat out = n->net.forward();
		if (out.total() != 3) {
			return -1;
		}
		for (int i = 0; i < 3; i++) {
			probs[i] = out.ptr<float>()[i];
		}
		return 0;
	} catch (...) {
		return -1;
	}
}

}
