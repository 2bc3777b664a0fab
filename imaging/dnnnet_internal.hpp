// The C++ side of vd_net, shared by the nets' run functions.
#include <opencv2/dnn.hpp>

struct vd_net {
	cv::dnn::Net net;
};
