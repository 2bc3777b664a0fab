// Resampling with OpenCV's imgproc. libvips 8.14 (Debian 12) shrinks an
// image held in memory several times slower than one streamed from a
// decoder (its shrink has a line cache for sequential sources only), and the
// pipeline decodes each upload once into memory and cuts everything from it.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <algorithm>
#include <cmath>
#include "resample.h"

namespace {
// One thread per call: each photo worker owns a core, as libvips is set up.
const int single_threaded = (cv::setNumThreads(0), 0);
}

// shrink scales roi by about 1/k: first by a whole factor with box averaging
// (OpenCV's fast path for whole ratios), then by what remains above 1.2 with
// area averaging on the smaller image; the caller interpolates the rest.
// fx, fy are the sizes' actual ratios.
static cv::Mat shrink(const cv::Mat& roi, double k, double* fx, double* fy) {
	cv::Mat cur = roi;
	// A whole factor a little above k is fine too (the interpolation after it
	// enlarges by at most 10%): OpenCV's area averaging by other ratios is
	// several times slower.
	int n = (int)std::floor(k * 1.1);
	if (n >= 2 && roi.cols >= 2 * n && roi.rows >= 2 * n) {
		cv::Mat boxed;
		cv::resize(roi(cv::Rect(0, 0, roi.cols / n * n, roi.rows / n * n)), boxed, cv::Size(roi.cols / n, roi.rows / n), 0, 0, cv::INTER_AREA);
		cur = boxed;
	}
	double rest = k * cur.cols / roi.cols;
	if (rest > 1.2) {
		cv::Mat out;
		cv::resize(cur, out, cv::Size(std::max(1, (int)std::lround(cur.cols / rest)), std::max(1, (int)std::lround(cur.rows / rest))), 0, 0, cv::INTER_AREA);
		cur = out;
	}
	*fx = (double)cur.cols / roi.cols;
	*fy = (double)cur.rows / roi.rows;
	return cur;
}

extern "C" {

int vd_resize_area(const unsigned char* src, int sw, int sh, unsigned char* dst, int dw, int dh) {
	try {
		cv::Mat in(sh, sw, CV_8UC3, const_cast<unsigned char*>(src));
		cv::Mat out(dh, dw, CV_8UC3, dst);
		double fx, fy;
		cv::Mat small = shrink(in, std::max((double)sw / dw, (double)sh / dh), &fx, &fy);
		if (small.cols == dw && small.rows == dh) {
			small.copyTo(out);
		} else {
			// At most 1.2 times: bilinear is enough, and far quicker than area.
			cv::resize(small, out, out.size(), 0, 0, cv::INTER_LINEAR);
		}
		return out.data == dst ? 0 : -1;
	} catch (...) {
		return -1;
	}
}

int vd_box_shrink(const unsigned char* src, int sw, int sh, int n, unsigned char* dst) {
	try {
		cv::Mat in(sh, sw, CV_8UC3, const_cast<unsigned char*>(src));
		cv::Mat out(sh / n, sw / n, CV_8UC3, dst);
		cv::resize(in(cv::Rect(0, 0, out.cols * n, out.rows * n)), out, out.size(), 0, 0, cv::INTER_AREA);
		return out.data == dst ? 0 : -1;
	} catch (...) {
		return -1;
	}
}

int vd_warp(const unsigned char* src, int sw, int sh, unsigned char* dst, int dw, int dh, const double* m, const unsigned char* bg) {
	try {
		cv::Mat in(sh, sw, CV_8UC3, const_cast<unsigned char*>(src));
		cv::Mat out(dh, dw, CV_8UC3, dst);
		// No background colour: mirror the photo about its edges.
		cv::Scalar fill = bg ? cv::Scalar(bg[0], bg[1], bg[2]) : cv::Scalar();
		int border = bg ? cv::BORDER_CONSTANT : cv::BORDER_REFLECT_101;
		// The source footprint of the output, with room for the kernels.
		double k = std::sqrt(std::fabs(m[0] * m[4] - m[1] * m[3])); // source px per output px
		double xs[4], ys[4];
		int i = 0;
		for (double u : {-0.5, dw - 0.5}) {
			for (double v : {-0.5, dh - 0.5}) {
				xs[i] = m[0] * u + m[1] * v + m[2];
				ys[i] = m[3] * u + m[4] * v + m[5];
				i++;
			}
		}
		double pad = 3 * std::max(1.0, k) + 2;
		int x0 = std::max(0, (int)std::floor(*std::min_element(xs, xs + 4) - pad));
		int y0 = std::max(0, (int)std::floor(*std::min_element(ys, ys + 4) - pad));
		int x1 = std::min(sw, (int)std::ceil(*std::max_element(xs, xs + 4) + pad));
		int y1 = std::min(sh, (int)std::ceil(*std::max_element(ys, ys + 4) + pad));
		if (x1 <= x0 || y1 <= y0) {
			if (!bg) {
				return -1;
			}
			out.setTo(fill);
			return 0;
		}
		cv::Mat roi = in(cv::Rect(x0, y0, x1 - x0, y1 - y0));
		// Shrinking: average areas down to the output's scale first, so the
		// interpolation after it only turns and shifts by a fraction of a pixel.
		double fx = 1, fy = 1;
		cv::Mat small = k > 1.2 ? shrink(roi, k, &fx, &fy) : roi;
		// Source pixel centre x lands at (x - x0 + 0.5)·fx - 0.5 in small.
		cv::Mat map = (cv::Mat_<double>(2, 3) << m[0] * fx, m[1] * fx, (m[2] - x0 + 0.5) * fx - 0.5,
			m[3] * fy, m[4] * fy, (m[5] - y0 + 0.5) * fy - 0.5);
		cv::warpAffine(small, out, map, out.size(), cv::INTER_CUBIC | cv::WARP_INVERSE_MAP, border, fill);
		return out.data == dst ? 0 : -1;
	} catch (...) {
		return -1;
	}
}

int vd_warp_mask(const unsigned char* src, int sw, int sh, unsigned char* dst, int dw, int dh, const double* m) {
	try {
		cv::Mat in(sh, sw, CV_8U, const_cast<unsigned char*>(src));
		cv::Mat out(dh, dw, CV_8U, dst);
		cv::Mat map = (cv::Mat_<double>(2, 3) << m[0], m[1], m[2], m[3], m[4], m[5]);
		cv::warpAffine(in, out, map, out.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT, cv::Scalar(0));
		return out.data == dst ? 0 : -1;
	} catch (...) {
		return -1;
	}
}

int vd_orient(const unsigned char* src, int w, int h, int channels, int orientation, unsigned char* dst) {
	try {
		const int type = channels == 1 ? CV_8UC1 : CV_8UC3;
		cv::Mat in(h, w, type, const_cast<unsigned char*>(src));
		bool turned = orientation >= 5 && orientation <= 8;
		cv::Mat out(turned ? w : h, turned ? h : w, type, dst);
		switch (orientation) {
		case 2: cv::flip(in, out, 1); break;
		case 3: cv::flip(in, out, -1); break;
		case 4: cv::flip(in, out, 0); break;
		case 5: cv::transpose(in, out); break;
		case 6: cv::rotate(in, out, cv::ROTATE_90_CLOCKWISE); break;
		case 7: {
			cv::Mat t;
			cv::transpose(in, t);
			cv::flip(t, out, -1);
			break;
		}
		case 8: cv::rotate(in, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
		default: in.copyTo(out);
		}
		return out.data == dst ? 0 : -1;
	} catch (...) {
		return -1;
	}
}

}
