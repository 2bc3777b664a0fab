// Face descriptors and the CNN detector with dlib's networks (weights CC0),
// aligned on the landmarks of the face-api net: no shape predictor involved.
#include "recognize.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <dlib/dnn.h>
#include <dlib/image_transforms.h>

#include "resnet.hpp"

using namespace dlib;

using vd::anet_type; // resnet.hpp

// dlib's dnn_mmod_face_detection_ex.cpp network.
template <long num_filters, typename SUBNET> using con5d = con<num_filters,5,5,2,2,SUBNET>;
template <long num_filters, typename SUBNET> using con5  = con<num_filters,5,5,1,1,SUBNET>;
template <typename SUBNET> using downsampler  = relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16,SUBNET>>>>>>>>>;
template <typename SUBNET> using rcon5  = relu<affine<con5<45,SUBNET>>>;
using mmod_type = loss_mmod<con<1,9,9,1,1,rcon5<rcon5<rcon5<downsampler<input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;

static matrix<rgb_pixel> to_matrix(const unsigned char* rgb, int w, int h) {
    matrix<rgb_pixel> img(h, w);
    std::memcpy(&img(0, 0), rgb, size_t(w) * size_t(h) * 3);
    return img;
}

template <typename Net>
static void* load(const char* path, char** err) {
    try {
        Net* net = new Net;
        deserialize(path) >> *net;
        return net;
    } catch (std::exception& e) {
        *err = strdup(e.what());
        return nullptr;
    }
}

extern "C" void* vd_descr_new(const char* path, char** err) { return load<anet_type>(path, err); }
extern "C" void vd_descr_free(void* net) { delete static_cast<anet_type*>(net); }

extern "C" int vd_descriptor(void* net, const unsigned char* rgb, int w, int h, const int* box, const int* points, float* out) {
    try {
        matrix<rgb_pixel> img = to_matrix(rgb, w, h);
        std::vector<point> parts(68);
        for (int i = 0; i < 68; i++) parts[i] = point(points[2 * i], points[2 * i + 1]);
        full_object_detection shape(rectangle(box[0], box[1], box[2], box[3]), parts);
        matrix<rgb_pixel> chip;
        extract_image_chip(img, get_face_chip_details(shape, 150, 0.25), chip);
        matrix<float, 0, 1> d = (*static_cast<anet_type*>(net))(chip);
        for (int i = 0; i < 128; i++) out[i] = d(i);
        return 0;
    } catch (...) {
        return -1;
    }
}

extern "C" void* vd_cnn_new(const char* path, char** err) { return load<mmod_type>(path, err); }
extern "C" void vd_cnn_free(void* net) { delete static_cast<mmod_type*>(net); }

extern "C" int vd_cnn_find(void* net, const unsigned char* rgb, int w, int h, int* boxes, int max_faces) {
    try {
        matrix<rgb_pixel> img = to_matrix(rgb, w, h);
        auto dets = (*static_cast<mmod_type*>(net))(img);
        int n = 0;
        for (auto& d : dets) {
            if (n < max_faces) {
                boxes[4 * n] = d.rect.left();
                boxes[4 * n + 1] = d.rect.top();
                boxes[4 * n + 2] = d.rect.right();
                boxes[4 * n + 3] = d.rect.bottom();
            }
            n++;
        }
        return n;
    } catch (...) {
        return -1;
    }
}
