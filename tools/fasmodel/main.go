// Command fasmodel converts a MiniFASNet anti-spoofing net (minivision-ai
// Silent-Face-Anti-Spoofing, Apache-2.0; a PyTorch state dict in the legacy
// pickled format) into ONNX (opset 14) for OpenCV's dnn module:
//
//	go run ./tools/fasmodel minifasnet_v2_2.7_80x80.pth OUT.onnx
//
// The state dict holds only weights; the layer order and strides are
// MiniFASNet's (src/model_lib/MiniFASNet.py upstream) and the channel counts
// come from the weights, so V1, V2, V1SE and V2SE all convert. Every
// BatchNorm is folded into the convolution or linear layer before it, so the
// graph is Conv, PRelu, Add, the SE block's pooling, Gemm and a closing
// Softmax. The input is 1×3×80×80 BGR in 0–255 (upstream does not scale it);
// the output 1×3 holds the class probabilities, class 1 = a live face.
package main

import (
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/nlpodyssey/gopickle/pytorch"
	"github.com/nlpodyssey/gopickle/types"

	"github.com/veridoc/veridoc/tools/internal/onnxw"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: fasmodel MODEL.pth OUT.onnx")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "fasmodel:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	w, err := loadWeights(in)
	if err != nil {
		return err
	}
	g, err := convert(w)
	if err != nil {
		return err
	}
	return os.WriteFile(out, g.Model("veridoc tools/fasmodel"), 0o644)
}

// tensor is one weight: its shape and values in row-major order.
type tensor struct {
	dims []int
	v    []float32
}

// loadWeights reads a state dict's float tensors by name, without the
// "module." prefix that DataParallel training leaves.
func loadWeights(path string) (map[string]tensor, error) {
	obj, err := pytorch.Load(path)
	if err != nil {
		return nil, err
	}
	d, ok := obj.(*types.OrderedDict)
	if !ok {
		return nil, fmt.Errorf("%s holds a %T, not a state dict", path, obj)
	}
	w := map[string]tensor{}
	for e := d.List.Front(); e != nil; e = e.Next() {
		en := e.Value.(*types.OrderedDictEntry)
		name, _ := en.Key.(string)
		t, ok := en.Value.(*pytorch.Tensor)
		if !ok {
			continue
		}
		fs, ok := t.Source.(*pytorch.FloatStorage)
		if !ok {
			continue // num_batches_tracked (int64) is not a weight
		}
		n := 1
		for _, s := range t.Size {
			n *= s
		}
		if !contiguous(t.Size, t.Stride) || t.StorageOffset+n > len(fs.Data) {
			return nil, fmt.Errorf("%s: tensor is not stored contiguously", name)
		}
		if len(name) > 7 && name[:7] == "module." {
			name = name[7:]
		}
		w[name] = tensor{dims: t.Size, v: fs.Data[t.StorageOffset : t.StorageOffset+n]}
	}
	return w, nil
}

func contiguous(size, stride []int) bool {
	want := 1
	for i := len(size) - 1; i >= 0; i-- {
		if size[i] > 1 && stride[i] != want {
			return false
		}
		want *= size[i]
	}
	return true
}

// converter builds the graph; cur is the name of the last output.
type converter struct {
	w   map[string]tensor
	g   onnxw.Graph
	cur string
	err error
}

func convert(w map[string]tensor) (*onnxw.Graph, error) {
	c := &converter{w: w, cur: "input"}
	c.g = onnxw.Graph{Name: "minifasnet", Input: "input", InputDims: []int{1, 3, 80, 80}, Output: "prob", OutputDims: []int{1, 3}}
	c.block("conv1", 2, true)
	c.block("conv2_dw", 1, true)
	c.unit("conv_23", 2, false)
	for _, stage := range []string{"conv_3", "conv_34", "conv_4", "conv_45", "conv_5"} {
		if _, ok := w[stage+".conv.conv.weight"]; ok {
			c.unit(stage, 2, false) // the downsampling units
			continue
		}
		for i := 0; ; i++ {
			p := stage + ".model." + strconv.Itoa(i)
			if _, ok := w[p+".conv.conv.weight"]; !ok {
				if i == 0 {
					c.fail("no layer %s", p)
				}
				break
			}
			c.unit(p, 1, true)
		}
	}
	c.block("conv_6_sep", 1, true)
	c.block("conv_6_dw", 1, false)
	c.emit("Flatten", "flat", []string{c.cur}, onnxw.IntAttr("axis", 1))
	c.linear("linear", "bn")
	c.linear("prob", "")
	c.emit("Softmax", "prob", []string{c.cur}, onnxw.IntAttr("axis", 1))
	return &c.g, c.err
}

func (c *converter) fail(format string, a ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, a...)
	}
}

func (c *converter) get(name string) tensor {
	t, ok := c.w[name]
	if !ok {
		c.fail("the state dict has no %s", name)
	}
	return t
}

func (c *converter) emit(op, out string, in []string, attrs ...onnxw.Attr) {
	c.g.Nodes = append(c.g.Nodes, onnxw.Node{Op: op, Name: out, Inputs: in, Outputs: []string{out}, Attrs: attrs})
	c.cur = out
}

func (c *converter) constant(name string, dims []int, v []float32) string {
	c.g.Initializers = append(c.g.Initializers, onnxw.Initializer{Name: name, Dims: dims, F32: v})
	return name
}

// unit is MiniFASNet's Depth_Wise: 1×1 expand, 3×3 depthwise with stride,
// 1×1 project; a residual unit adds its input back, after the SE block
// where it has one.
func (c *converter) unit(p string, stride int, residual bool) {
	in := c.cur
	c.block(p+".conv", 1, true)
	c.block(p+".conv_dw", stride, true)
	c.block(p+".project", 1, false)
	if _, ok := c.w[p+".se_module.fc1.weight"]; ok {
		c.se(p + ".se_module")
	}
	if residual {
		c.emit("Add", p+"/add", []string{in, c.cur})
	}
}

// block is a convolution with its BatchNorm folded in, then PReLU when
// prelu is set. A weight of shape [C,1,k,k] on C channels is depthwise.
func (c *converter) block(p string, stride int, prelu bool) {
	c.conv(p+".conv.weight", p+".bn", p, stride)
	if prelu {
		s := c.get(p + ".prelu.weight")
		slope := c.constant(p+".prelu.weight", []int{len(s.v), 1, 1}, s.v)
		c.emit("PRelu", p+"/prelu", []string{c.cur, slope})
	}
}

// conv emits a bias-free convolution with the BatchNorm bn folded into it.
func (c *converter) conv(weight, bn, out string, stride int) {
	w := c.get(weight)
	if len(w.dims) != 4 || c.err != nil {
		c.fail("%s: want a 4-D convolution weight", weight)
		return
	}
	oc, icg, k := w.dims[0], w.dims[1], w.dims[2]
	group := 1
	if icg == 1 && oc > 1 {
		group = oc
	}
	wv, b := c.foldBN(bn, w.v, oc)
	pad := 0
	if k == 3 {
		pad = 1 // MiniFASNet pads its 3×3 kernels by 1; the closing k×k by 0
	}
	wn := c.constant(out+".w", w.dims, wv)
	bnm := c.constant(out+".b", []int{oc}, b)
	c.emit("Conv", out+"/conv", []string{c.cur, wn, bnm},
		onnxw.IntsAttr("kernel_shape", k, w.dims[3]), onnxw.IntsAttr("strides", stride, stride),
		onnxw.IntsAttr("pads", pad, pad, pad, pad), onnxw.IntAttr("group", group))
}

// foldBN scales each output channel's weights (rows of w) by γ/√(σ²+ε) and
// returns them with the bias β − μ·γ/√(σ²+ε).
func (c *converter) foldBN(bn string, w []float32, out int) ([]float32, []float32) {
	gamma, beta := c.get(bn+".weight"), c.get(bn+".bias")
	mean, varc := c.get(bn+".running_mean"), c.get(bn+".running_var")
	if c.err != nil || len(gamma.v) != out || len(beta.v) != out || len(mean.v) != out || len(varc.v) != out || len(w)%out != 0 {
		c.fail("%s: BatchNorm does not fit %d channels", bn, out)
		return w, make([]float32, out)
	}
	per := len(w) / out
	wv := make([]float32, len(w))
	b := make([]float32, out)
	for o := 0; o < out; o++ {
		s := float64(gamma.v[o]) / math.Sqrt(float64(varc.v[o])+1e-5)
		for i := 0; i < per; i++ {
			wv[o*per+i] = float32(float64(w[o*per+i]) * s)
		}
		b[o] = float32(float64(beta.v[o]) - float64(mean.v[o])*s)
	}
	return wv, b
}

// se is the squeeze-and-excitation block: global mean, 1×1 down with BN and
// ReLU, 1×1 up with BN and a sigmoid, which scales the block's input.
func (c *converter) se(p string) {
	in := c.cur
	c.emit("GlobalAveragePool", p+"/pool", []string{in})
	c.conv(p+".fc1.weight", p+".bn1", p+"/fc1", 1)
	c.emit("Relu", p+"/relu", []string{c.cur})
	c.conv(p+".fc2.weight", p+".bn2", p+"/fc2", 1)
	c.emit("Sigmoid", p+"/sigmoid", []string{c.cur})
	c.emit("Mul", p+"/scale", []string{in, c.cur})
}

// linear is a bias-free fully connected layer, with the BatchNorm1d bn
// folded in when bn is not empty.
func (c *converter) linear(p, bn string) {
	w := c.get(p + ".weight")
	if len(w.dims) != 2 || c.err != nil {
		c.fail("%s: want a 2-D weight", p)
		return
	}
	out := w.dims[0]
	wv, b := w.v, make([]float32, out)
	if bn != "" {
		wv, b = c.foldBN(bn, w.v, out)
	}
	wn := c.constant(p+".w", w.dims, wv)
	bnm := c.constant(p+".b", []int{out}, b)
	c.emit("Gemm", p+"/gemm", []string{c.cur, wn, bnm}, onnxw.IntAttr("transB", 1))
}
