// Face descriptors and the CNN detector with dlib's networks (weights CC0),
// aligned on the landmarks of the face-api net: no shape predictor involved.
#include "recognize.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <dlib/dnn.h>
#include <dlib/image_transforms.h>

using namespace dlib;

// dlib's dnn_face_recognition_ex.cpp network.
template <template <int,template<typename>class,int,typename> class block, int N, template<typename>class BN, typename SUBNET>
using residual = add_prev1<block<N,BN,1,tag1<SUBNET>>>;
template <template <int,template<typename>class,int,typename> class block, int N, template<typename>class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,BN,2,tag1<SUBNET>>>>>>;
template <int N, template <typename> class BN, int stride, typename SUBNET>
using block  = BN<con<N,3,3,1,1,relu<BN<con<N,3,3,stride,stride,SUBNET>>>>>;
template <int N, typename SUBNET> using ares      = relu<residual<block,N,affine,SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<block,N,affine,SUBNET>>;
template <typename SUBNET> using alevel0 = ares_down<256,SUBNET>;
template <typename SUBNET> using alevel1 = ares<256,ares<256,ares_down<256,SUBNET>>>;
template <typename SUBNET> using alevel2 = ares<128,ares<128,ares_down<128,SUBNET>>>;
template <typename SUBNET> using alevel3 = ares<64,ares<64,ares<64,ares_down<64,SUBNET>>>>;
template <typename SUBNET> using alevel4 = ares<32,ares<32,ares<32,SUBNET>>>;
using anet_type = loss_metric<fc_no_bias<128,avg_pool_everything<
                            alevel0<alevel1<alevel2<alevel3<alevel4<
                            max_pool<3,3,2,2,relu<affine<con<32,7,7,2,2,
                            input_rgb_image_sized<150>
                            >>>>>>>>>>>>;

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
