// Command landmarkmodel converts the face-api.js 68-point landmark net (npm
// @vladmandic/face-api, MIT; model/face_landmark_68_model.bin and its
// manifest, uint8-quantized TF.js weights) into ONNX (opset 14) that OpenCV's
// dnn module reads:
//
//	go run ./tools/landmarkmodel MANIFEST.json OUT.onnx
//
// The net takes a 112×112 RGB crop, (pixel − mean RGB) / 255, in NCHW. Four
// dense blocks (a strided convolution, then three depthwise-separable
// convolutions whose outputs are summed with ReLUs between) take it to
// 7×7×256; a 7×7 average pool and a fully connected layer give 136 numbers:
// the 68 points' x and y as shares of the crop's side.
package main

import (
	"fmt"
	"os"

	"github.com/veridoc/veridoc/tools/internal/onnxw"
	"github.com/veridoc/veridoc/tools/internal/tfjs"
)

type tensor struct {
	shape []int
	data  []float32
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: landmarkmodel MANIFEST.json OUT.onnx")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "landmarkmodel:", err)
		os.Exit(1)
	}
}

func run(manifestPath, out string) error {
	w, err := load(manifestPath)
	if err != nil {
		return err
	}
	g, err := build(w)
	if err != nil {
		return err
	}
	return os.WriteFile(out, g.Model("veridoc tools/landmarkmodel"), 0o644)
}

// load reads the weights by name.
func load(manifestPath string) (map[string]tensor, error) {
	ts, err := tfjs.Load(manifestPath)
	if err != nil {
		return nil, err
	}
	out := map[string]tensor{}
	for _, t := range ts {
		out[t.Name] = tensor{shape: t.Shape, data: t.Data}
	}
	return out, nil
}

type builder struct {
	w map[string]tensor
	g onnxw.Graph
	n int
}

func (b *builder) name(s string) string { b.n++; return fmt.Sprintf("%s_%d", s, b.n) }

func (b *builder) node(op string, inputs []string, attrs ...onnxw.Attr) string {
	out := b.name(op)
	b.g.Nodes = append(b.g.Nodes, onnxw.Node{Op: op, Name: out, Inputs: inputs, Outputs: []string{out}, Attrs: attrs})
	return out
}

func (b *builder) constant(name string, dims []int, data []float32) string {
	b.g.Initializers = append(b.g.Initializers, onnxw.Initializer{Name: name, Dims: dims, F32: data})
	return name
}

func (b *builder) get(name string) (tensor, error) {
	t, ok := b.w[name]
	if !ok {
		return tensor{}, fmt.Errorf("weight %s missing", name)
	}
	return t, nil
}

// hwioToOIHW turns TF's conv filters [h, w, in, out] into ONNX's [out, in, h, w].
func hwioToOIHW(t tensor) ([]int, []float32) {
	h, w, in, out := t.shape[0], t.shape[1], t.shape[2], t.shape[3]
	data := make([]float32, len(t.data))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for i := 0; i < in; i++ {
				for o := 0; o < out; o++ {
					data[((o*in+i)*h+y)*w+x] = t.data[((y*w+x)*in+i)*out+o]
				}
			}
		}
	}
	return []int{out, in, h, w}, data
}

// samePads: TF's SAME padding along an axis of size in (the odd pixel after).
func samePads(in, k, stride int) (int, int) {
	out := (in + stride - 1) / stride
	total := max(0, (out-1)*stride+k-in)
	return total / 2, total - total/2
}

func convAttrs(k, stride, size, group int) []onnxw.Attr {
	b, a := samePads(size, k, stride)
	return []onnxw.Attr{onnxw.IntsAttr("kernel_shape", k, k), onnxw.IntsAttr("strides", stride, stride),
		onnxw.IntsAttr("pads", b, b, a, a), onnxw.IntAttr("group", group)}
}

// conv is a full convolution with bias.
func (b *builder) conv(x, prefix string, stride, size int) (string, error) {
	f, err := b.get(prefix + "/filters")
	if err != nil {
		return "", err
	}
	bias, err := b.get(prefix + "/bias")
	if err != nil {
		return "", err
	}
	dims, data := hwioToOIHW(f)
	return b.node("Conv", []string{x, b.constant(prefix+"/W", dims, data), b.constant(prefix+"/B", bias.shape, bias.data)},
		convAttrs(dims[2], stride, size, 1)...), nil
}

// separable is TF's separableConv2d plus bias: a depthwise convolution, then
// a pointwise one carrying the bias.
func (b *builder) separable(x, prefix string, stride, size int) (string, error) {
	dw, err := b.get(prefix + "/depthwise_filter")
	if err != nil {
		return "", err
	}
	pw, err := b.get(prefix + "/pointwise_filter")
	if err != nil {
		return "", err
	}
	bias, err := b.get(prefix + "/bias")
	if err != nil {
		return "", err
	}
	// Depthwise [h, w, c, 1] → [c, 1, h, w].
	h, w, c := dw.shape[0], dw.shape[1], dw.shape[2]
	dwData := make([]float32, len(dw.data))
	for y := 0; y < h; y++ {
		for xx := 0; xx < w; xx++ {
			for ci := 0; ci < c; ci++ {
				dwData[(ci*h+y)*w+xx] = dw.data[(y*w+xx)*c+ci]
			}
		}
	}
	zero := make([]float32, c)
	d := b.node("Conv", []string{x, b.constant(prefix+"/DW", []int{c, 1, h, w}, dwData), b.constant(prefix+"/DB", []int{c}, zero)},
		convAttrs(h, stride, size, c)...)
	pDims, pData := hwioToOIHW(pw)
	return b.node("Conv", []string{d, b.constant(prefix+"/PW", pDims, pData), b.constant(prefix+"/B", bias.shape, bias.data)},
		convAttrs(1, 1, (size+stride-1)/stride, 1)...), nil
}

// dense is face-api's denseBlock4.
func (b *builder) dense(x, prefix string, first bool, size int) (string, int, error) {
	var out1 string
	var err error
	if first {
		out1, err = b.conv(x, prefix+"/conv0", 2, size)
	} else {
		out1, err = b.separable(x, prefix+"/conv0", 2, size)
	}
	if err != nil {
		return "", 0, err
	}
	size = (size + 1) / 2
	out1 = b.node("Relu", []string{out1})
	out2, err := b.separable(out1, prefix+"/conv1", 1, size)
	if err != nil {
		return "", 0, err
	}
	sum2 := b.node("Add", []string{out1, out2})
	out3, err := b.separable(b.node("Relu", []string{sum2}), prefix+"/conv2", 1, size)
	if err != nil {
		return "", 0, err
	}
	sum3 := b.node("Add", []string{sum2, out3})
	out4, err := b.separable(b.node("Relu", []string{sum3}), prefix+"/conv3", 1, size)
	if err != nil {
		return "", 0, err
	}
	return b.node("Relu", []string{b.node("Add", []string{sum3, out4})}), size, nil
}

func build(w map[string]tensor) (*onnxw.Graph, error) {
	b := &builder{w: w}
	b.g = onnxw.Graph{Name: "face_landmark_68", Input: "input", InputDims: []int{1, 3, 112, 112}, Output: "landmarks", OutputDims: []int{1, 136}}
	x, size := "input", 112
	var err error
	for i := 0; i < 4; i++ {
		if x, size, err = b.dense(x, fmt.Sprintf("dense%d", i), i == 0, size); err != nil {
			return nil, err
		}
	}
	if size != 7 {
		return nil, fmt.Errorf("the blocks end at %d×%d, want 7×7", size, size)
	}
	pooled := b.node("Flatten", []string{b.node("GlobalAveragePool", []string{x})}, onnxw.IntAttr("axis", 1))
	fw, err := b.get("fc/weights")
	if err != nil {
		return nil, err
	}
	fb, err := b.get("fc/bias")
	if err != nil {
		return nil, err
	}
	// Gemm with the weights as [out, in] and transB, the form OpenCV 4.6 reads.
	in, out := fw.shape[0], fw.shape[1]
	wt := make([]float32, len(fw.data))
	for i := 0; i < in; i++ {
		for o := 0; o < out; o++ {
			wt[o*in+i] = fw.data[i*out+o]
		}
	}
	b.node("Gemm", []string{pooled, b.constant("fc/W", []int{out, in}, wt), b.constant("fc/B", fb.shape, fb.data)}, onnxw.IntAttr("transB", 1))
	// The graph's output carries its declared name.
	b.g.Nodes[len(b.g.Nodes)-1].Outputs = []string{"landmarks"}
	return &b.g, nil
}
