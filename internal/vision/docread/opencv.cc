// OpenCV's imgproc for documents: the outline and its perspective (edges,
// contours, the polygon they approximate, the homography that flattens it)
// and local contrast (CLAHE).
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <algorithm>
#include <cmath>
#include <vector>
#include "opencv.h"

namespace {
// Corners clockwise from the top left: the top left has the least x+y, the
// bottom right the most; the top right the least y-x, the bottom left the most.
void order(const std::vector<cv::Point>& p, double* q) {
	auto by = [&](auto key, bool least) {
		return *std::min_element(p.begin(), p.end(), [&](const cv::Point& a, const cv::Point& b) {
			return least ? key(a) < key(b) : key(a) > key(b);
		});
	};
	auto sum = [](const cv::Point& a) { return a.x + a.y; };
	auto diff = [](const cv::Point& a) { return a.y - a.x; };
	cv::Point c[4] = {by(sum, true), by(diff, true), by(sum, false), by(diff, false)};
	for (int i = 0; i < 4; i++) {
		q[2 * i] = c[i].x;
		q[2 * i + 1] = c[i].y;
	}
}
}  // namespace

extern "C" int vd_find_quad(const unsigned char* pix, int w, int h, int stride, double* quad) {
	try {
		cv::Mat g(h, w, CV_8UC1, const_cast<unsigned char*>(pix), stride), blurred, edges;
		cv::GaussianBlur(g, blurred, cv::Size(5, 5), 0);
		// Edge thresholds from the image's own median: a dim photo's page
		// edge is as much an edge as a bright one's.
		std::vector<unsigned char> v(blurred.begin<unsigned char>(), blurred.end<unsigned char>());
		std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
		double med = v[v.size() / 2];
		cv::Canny(blurred, edges, std::max(10.0, 0.4 * med), std::max(30.0, 1.0 * med));
		cv::dilate(edges, edges, cv::Mat(), cv::Point(-1, -1), 1);
		std::vector<std::vector<cv::Point>> contours;
		cv::findContours(edges, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
		double area = double(w) * h, best = 0;
		std::vector<cv::Point> found;
		for (const auto& c : contours) {
			std::vector<cv::Point> hull, poly;
			cv::convexHull(c, hull);
			double a = cv::contourArea(hull);
			if (a < 0.15 * area || a > 0.97 * area || a <= best) {
				continue;
			}
			cv::approxPolyDP(hull, poly, 0.02 * cv::arcLength(hull, true), true);
			if (poly.size() != 4 || !cv::isContourConvex(poly)) {
				continue;
			}
			best = a;
			found = poly;
		}
		if (found.empty()) {
			return 0;
		}
		order(found, quad);
		return 1;
	} catch (...) {
		return 0;
	}
}

extern "C" int vd_unwarp(const unsigned char* src, int sw, int sh, int stride, const double* quad, unsigned char* dst, int dw, int dh) {
	try {
		cv::Mat s(sh, sw, CV_8UC1, const_cast<unsigned char*>(src), stride);
		cv::Mat d(dh, dw, CV_8UC1, dst);
		cv::Point2f from[4], to[4] = {{0, 0}, {float(dw - 1), 0}, {float(dw - 1), float(dh - 1)}, {0, float(dh - 1)}};
		for (int i = 0; i < 4; i++) {
			from[i] = cv::Point2f(float(quad[2 * i]), float(quad[2 * i + 1]));
		}
		cv::warpPerspective(s, d, cv::getPerspectiveTransform(from, to), d.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255));
		return 0;
	} catch (...) {
		return -1;
	}
}

extern "C" int vd_clahe(unsigned char* g, int w, int h, int tiles, double clip) {
	try {
		cv::Mat m(h, w, CV_8UC1, g);
		cv::createCLAHE(clip, cv::Size(tiles, 1))->apply(m, m);
		return 0;
	} catch (...) {
		return -1;
	}
}
