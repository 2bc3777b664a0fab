// ONNX models in OpenCV's dnn module (see dnnnet.go).
#include <opencv2/core.hpp>
#include "dnnnet.h"
#include "dnnnet_internal.hpp"

extern "C" {

vd_net* vd_net_new(const unsigned char* onnx, size_t len) {
	try {
		auto* n = new vd_net;
		n->net = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(onnx), len);
		n->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
		n->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
		return n;
	} catch (...) {
		return nullptr;
	}
}

void vd_net_free(vd_net* n) { delete n; }

}
