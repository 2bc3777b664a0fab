// Builds dlib_face_recognition_resnet_model_v1.dat (dlib's 29-layer face
// descriptor ResNet, the network of dlib's dnn_face_recognition_ex.cpp) from the
// flat weights written by ../main.go:  convert WEIGHTS.f32 OUT.dat
#include <dlib/dnn.h>

#include "../../../internal/vision/faces/resnet.hpp"
#include <cstdint>
#include <fstream>
#include <iostream>
#include <vector>

using namespace dlib;

using vd::anet_type;

struct Tensor { std::vector<uint32_t> shape; std::vector<float> data; };

static std::vector<Tensor> load(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open weights");
    auto u32 = [&]() { uint32_t v; in.read(reinterpret_cast<char*>(&v), 4); return v; };
    std::vector<Tensor> out(u32());
    for (auto& t : out) {
        t.shape.resize(u32());
        size_t n = 1;
        for (auto& d : t.shape) { d = u32(); n *= d; }
        t.data.resize(n);
        in.read(reinterpret_cast<char*>(t.data.data()), n * 4);
    }
    if (!in) throw std::runtime_error("weights file truncated");
    return out;
}

// Layers are visited from the output backwards, so tensors are taken from the
// end of the list; each layer's tensors keep their manifest order.
struct Filler {
    std::vector<Tensor>* ts;
    Tensor pop() {
        if (ts->empty()) throw std::runtime_error("ran out of tensors");
        Tensor t = std::move(ts->back()); ts->pop_back(); return t;
    }
    void operator()(affine_& l) {
        Tensor beta = pop(), gamma = pop();
        auto g = l.get_gamma(); auto b = l.get_beta();
        if (g.size() != gamma.data.size() || b.size() != beta.data.size()) throw std::runtime_error("affine size mismatch");
        std::copy(gamma.data.begin(), gamma.data.end(), g.host());
        std::copy(beta.data.begin(), beta.data.end(), b.host());
    }
    template <long F, long R, long C, int SY, int SX, int PY, int PX>
    void operator()(con_<F,R,C,SY,SX,PY,PX>& l) {
        Tensor bias = pop(), filt = pop();  // filt: TF HWIO
        tensor& p = l.get_layer_params();
        const size_t H = filt.shape[0], W = filt.shape[1], I = filt.shape[2], O = filt.shape[3];
        if ((size_t)p.size() != H*W*I*O + O || O != (size_t)F) throw std::runtime_error("con size mismatch");
        float* dst = p.host();
        for (size_t o = 0; o < O; ++o)
            for (size_t i = 0; i < I; ++i)
                for (size_t h = 0; h < H; ++h)
                    for (size_t w = 0; w < W; ++w)
                        dst[((o*I + i)*H + h)*W + w] = filt.data[((h*W + w)*I + i)*O + o];
        std::copy(bias.data.begin(), bias.data.end(), dst + H*W*I*O);
    }
    template <unsigned long N, fc_bias_mode M>
    void operator()(fc_<N,M>& l) {
        Tensor w = pop();  // (in, out), dlib's layout too
        tensor& p = l.get_layer_params();
        if ((size_t)p.size() != w.data.size()) throw std::runtime_error("fc size mismatch");
        std::copy(w.data.begin(), w.data.end(), p.host());
    }
};

int main(int argc, char** argv) {
    if (argc != 3) { std::cerr << "usage: convert WEIGHTS.f32 OUT.dat\n"; return 2; }
    try {
        std::vector<Tensor> ts = load(argv[1]);
        anet_type net;
        // Batch-norm folded into affine layers works per channel (CONV_MODE).
        visit_computational_layers(net, [](affine_& l) { l = affine_(CONV_MODE); });
        // One forward pass sizes every layer's parameters.
        matrix<rgb_pixel> img(150, 150);
        assign_all_pixels(img, rgb_pixel(128, 128, 128));
        net(img);
        Filler f{&ts};
        visit_computational_layers(net, f);
        if (!ts.empty()) throw std::runtime_error("unused tensors left");
        net.clean();
        serialize(argv[2]) << net;
    } catch (std::exception& e) {
        std::cerr << "convert: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
