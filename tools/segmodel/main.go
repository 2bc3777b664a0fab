// Command segmodel converts MediaPipe's Selfie Segmentation model (npm
// @mediapipe/selfie_segmentation, Apache-2.0; TFLite) into ONNX (opset 14)
// that OpenCV's dnn module reads:
//
//	go run ./tools/segmodel selfie_segmentation.tflite OUT.onnx
//
// TFLite is NHWC, ONNX here NCHW: convolution weights go from OHWI to OIHW,
// depthwise from 1HWC to C1HW (group C), and the fp16 weights are widened to
// float32. MediaPipe's custom op Convolution2DTransposeBias is a standard
// ConvTranspose with bias. The input is 1×3×256×256 RGB in [0,1]; the output
// 1×1×256×256 is the probability that a pixel belongs to the person.
package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"

	"github.com/veridoc/veridoc/tools/internal/onnxw"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: segmodel MODEL.tflite OUT.onnx")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "segmodel:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	buf, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	m, err := readTFLite(buf)
	if err != nil {
		return err
	}
	g, err := convert(m)
	if err != nil {
		return err
	}
	return os.WriteFile(out, g.Model("veridoc tools/segmodel"), 0o644)
}

// converter holds the graph being built and the constant tensors (weights
// after DEQUANTIZE) by TFLite tensor index.
type converter struct {
	m      *tfModel
	g      onnxw.Graph
	consts map[int][]float32
}

func convert(m *tfModel) (*onnxw.Graph, error) {
	if len(m.Inputs) != 1 || len(m.Outputs) != 1 {
		return nil, fmt.Errorf("want one input and one output, got %d and %d", len(m.Inputs), len(m.Outputs))
	}
	c := &converter{m: m, consts: map[int][]float32{}}
	in, out := m.Tensors[m.Inputs[0]], m.Tensors[m.Outputs[0]]
	c.g = onnxw.Graph{Name: "selfie_segmentation", Input: in.Name, InputDims: nchw(in.Shape), Output: out.Name, OutputDims: nchw(out.Shape)}
	for i, op := range m.Operators {
		if err := c.op(op); err != nil {
			return nil, fmt.Errorf("operator %d (%d %s): %w", i, op.Code, op.Custom, err)
		}
	}
	return &c.g, nil
}

// nchw maps a 4-D NHWC shape to NCHW.
func nchw(s []int) []int {
	if len(s) != 4 {
		return s
	}
	return []int{s[0], s[3], s[1], s[2]}
}

func (c *converter) name(t int) string { return c.m.Tensors[t].Name }

// constant returns the float32 data of a constant tensor: a dequantized one,
// or a float32 buffer.
func (c *converter) constant(t int) ([]float32, error) {
	if v, ok := c.consts[t]; ok {
		return v, nil
	}
	tt := c.m.Tensors[t]
	data := c.m.Buffers[tt.Buffer]
	switch {
	case tt.Type == typeFloat32 && len(data) > 0:
		v := make([]float32, len(data)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		return v, nil
	case tt.Type == typeFloat16 && len(data) > 0:
		v := make([]float32, len(data)/2)
		for i := range v {
			v[i] = halfToFloat(binary.LittleEndian.Uint16(data[2*i:]))
		}
		return v, nil
	}
	return nil, fmt.Errorf("tensor %s is not a constant", tt.Name)
}

func (c *converter) emit(op string, inputs []string, output string, attrs ...onnxw.Attr) {
	c.g.Nodes = append(c.g.Nodes, onnxw.Node{Op: op, Name: output, Inputs: inputs, Outputs: []string{output}, Attrs: attrs})
}

// emitActivated emits an op whose TFLite form fuses an activation: the op
// writes output directly, or output+"/pre" followed by the activation.
func (c *converter) emitActivated(fused byte, op string, inputs []string, output string, attrs ...onnxw.Attr) error {
	switch fused {
	case 0:
		c.emit(op, inputs, output, attrs...)
	case 1:
		c.emit(op, inputs, output+"/pre", attrs...)
		c.emit("Relu", []string{output + "/pre"}, output)
	default:
		return fmt.Errorf("fused activation %d not supported", fused)
	}
	return nil
}

func (c *converter) op(op tfOperator) error {
	ins := make([]string, len(op.Inputs))
	for i, t := range op.Inputs {
		ins[i] = c.name(t)
	}
	out := c.name(op.Outputs[0])
	switch op.Code {
	case opDequantize:
		v, err := c.constant(op.Inputs[0])
		if err != nil {
			return err
		}
		c.consts[op.Outputs[0]] = v
	case opConv2D, opDepthwiseConv:
		return c.conv(op, ins[0], out)
	case opCustom:
		if op.Custom != "Convolution2DTransposeBias" {
			return fmt.Errorf("custom op %q not supported", op.Custom)
		}
		return c.transposeConv(op, ins[0], out)
	case opAveragePool2D:
		o := op.Options
		in := c.m.Tensors[op.Inputs[0]].Shape
		fw, fh := int(o.int32(3, 0)), int(o.int32(4, 0))
		if fw != in[2] || fh != in[1] || o.byte(5, 0) != 0 {
			return fmt.Errorf("only global average pooling is supported (filter %dx%d on %v)", fw, fh, in)
		}
		c.emit("GlobalAveragePool", ins[:1], out)
	case opAdd, opMul:
		kind := map[int]string{opAdd: "Add", opMul: "Mul"}[op.Code]
		return c.emitActivated(op.Options.byte(0, 0), kind, ins[:2], out)
	case opRelu:
		c.emit("Relu", ins[:1], out)
	case opLogistic:
		c.emit("Sigmoid", ins[:1], out)
	case opHardSwish:
		c.emit("HardSwish", ins[:1], out)
	case opResizeBilinear:
		in, res := c.m.Tensors[op.Inputs[0]].Shape, c.m.Tensors[op.Outputs[0]].Shape
		mode := "asymmetric"
		if op.HasOptions {
			switch {
			case op.Options.byte(2, 0) != 0:
				mode = "align_corners"
			case op.Options.byte(3, 0) != 0:
				mode = "half_pixel"
			}
		}
		scales := out + "/scales"
		c.g.Initializers = append(c.g.Initializers, onnxw.Initializer{Name: scales, Dims: []int{4},
			F32: []float32{1, 1, float32(res[1]) / float32(in[1]), float32(res[2]) / float32(in[2])}})
		c.emit("Resize", []string{ins[0], "", scales}, out, onnxw.StrAttr("mode", "linear"), onnxw.StrAttr("coordinate_transformation_mode", mode))
	default:
		return fmt.Errorf("builtin op %d not supported", op.Code)
	}
	return nil
}

// samePads is TensorFlow's SAME padding along one axis: the extra pixel goes
// after, which ONNX's explicit pads can say.
func samePads(in, k, stride, dilation int) (int, int) {
	eff := (k-1)*dilation + 1
	outSize := (in + stride - 1) / stride
	total := max(0, (outSize-1)*stride+eff-in)
	return total / 2, total - total/2
}

func (c *converter) conv(op tfOperator, input, out string) error {
	o := op.Options
	var fused byte
	depthwise := op.Code == opDepthwiseConv
	padding := o.byte(0, 0)
	sw, sh := int(o.int32(1, 1)), int(o.int32(2, 1))
	dw, dh := 1, 1
	if depthwise {
		if dm := o.int32(3, 1); dm != 1 {
			return fmt.Errorf("depth multiplier %d not supported", dm)
		}
		fused = o.byte(4, 0)
		dw, dh = int(o.int32(5, 1)), int(o.int32(6, 1))
	} else {
		fused = o.byte(3, 0)
		dw, dh = int(o.int32(4, 1)), int(o.int32(5, 1))
	}
	w, err := c.constant(op.Inputs[1])
	if err != nil {
		return err
	}
	b, err := c.constant(op.Inputs[2])
	if err != nil {
		return err
	}
	ws := c.m.Tensors[op.Inputs[1]].Shape // OHWI, or 1HWC for depthwise
	in := c.m.Tensors[op.Inputs[0]].Shape // NHWC
	kh, kw := ws[1], ws[2]
	var dims []int
	var group int
	var data []float32
	if depthwise {
		ch := ws[3]
		dims, group = []int{ch, 1, kh, kw}, ch
		data = make([]float32, len(w))
		for y := 0; y < kh; y++ {
			for x := 0; x < kw; x++ {
				for ci := 0; ci < ch; ci++ {
					data[(ci*kh+y)*kw+x] = w[(y*kw+x)*ch+ci]
				}
			}
		}
	} else {
		oc, ic := ws[0], ws[3]
		dims, group = []int{oc, ic, kh, kw}, 1
		data = make([]float32, len(w))
		for o := 0; o < oc; o++ {
			for y := 0; y < kh; y++ {
				for x := 0; x < kw; x++ {
					for i := 0; i < ic; i++ {
						data[((o*ic+i)*kh+y)*kw+x] = w[((o*kh+y)*kw+x)*ic+i]
					}
				}
			}
		}
	}
	pt, pb, pl, pr := 0, 0, 0, 0
	if padding == 0 { // SAME
		pt, pb = samePads(in[1], kh, sh, dh)
		pl, pr = samePads(in[2], kw, sw, dw)
	}
	wName, bName := out+"/W", out+"/B"
	c.g.Initializers = append(c.g.Initializers,
		onnxw.Initializer{Name: wName, Dims: dims, F32: data},
		onnxw.Initializer{Name: bName, Dims: []int{len(b)}, F32: b})
	return c.emitActivated(fused, "Conv", []string{input, wName, bName}, out,
		onnxw.IntsAttr("kernel_shape", kh, kw), onnxw.IntsAttr("strides", sh, sw), onnxw.IntsAttr("dilations", dh, dw),
		onnxw.IntsAttr("pads", pt, pl, pb, pr), onnxw.IntAttr("group", group))
}

// transposeConv converts Convolution2DTransposeBias: its custom options are
// TfLiteTransposeConvParams {padding, stride_width, stride_height} as int32s,
// its kernel OHWI.
func (c *converter) transposeConv(op tfOperator, input, out string) error {
	if len(op.CustomOptions) < 12 {
		return fmt.Errorf("custom options too short (%d bytes)", len(op.CustomOptions))
	}
	sw := int(int32(binary.LittleEndian.Uint32(op.CustomOptions[4:])))
	sh := int(int32(binary.LittleEndian.Uint32(op.CustomOptions[8:])))
	w, err := c.constant(op.Inputs[1])
	if err != nil {
		return err
	}
	b, err := c.constant(op.Inputs[2])
	if err != nil {
		return err
	}
	ws := c.m.Tensors[op.Inputs[1]].Shape
	oc, kh, kw, ic := ws[0], ws[1], ws[2], ws[3]
	in, res := c.m.Tensors[op.Inputs[0]].Shape, c.m.Tensors[op.Outputs[0]].Shape
	// ONNX ConvTranspose weights are (C_in, C_out, kH, kW).
	data := make([]float32, len(w))
	for o := 0; o < oc; o++ {
		for y := 0; y < kh; y++ {
			for x := 0; x < kw; x++ {
				for i := 0; i < ic; i++ {
					data[((i*oc+o)*kh+y)*kw+x] = w[((o*kh+y)*kw+x)*ic+i]
				}
			}
		}
	}
	// Padding that gives the recorded output size: out = s·(in−1) + k − pads.
	ph := sh*(in[1]-1) + kh - res[1]
	pw := sw*(in[2]-1) + kw - res[2]
	if ph < 0 || pw < 0 {
		return fmt.Errorf("output %v larger than a transpose convolution of %v gives", res, in)
	}
	wName, bName := out+"/W", out+"/B"
	c.g.Initializers = append(c.g.Initializers,
		onnxw.Initializer{Name: wName, Dims: []int{ic, oc, kh, kw}, F32: data},
		onnxw.Initializer{Name: bName, Dims: []int{len(b)}, F32: b})
	c.emit("ConvTranspose", []string{input, wName, bName}, out,
		onnxw.IntsAttr("kernel_shape", kh, kw), onnxw.IntsAttr("strides", sh, sw),
		onnxw.IntsAttr("pads", ph/2, pw/2, ph-ph/2, pw-pw/2))
	return nil
}

// halfToFloat widens an IEEE 754 half-precision value.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int((h >> 10) & 0x1f)
	frac := uint32(h & 0x3ff)
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		v := float32(frac) / 1024 * float32(math.Pow(2, -14))
		if sign != 0 {
			return -v
		}
		return v
	case exp == 31:
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | frac<<13)
}
