// The C++ side of vd_net, shared by the nets' run functions.
#include <opencv2/dnn.hpp>

struct vd_net {
	cv::dnn::Net net;
	// A run's input, kept from one run to the next: fresh buffers cost page
	// faults on every run (see segment.cc).
	cv::Mat small, blob;
};
