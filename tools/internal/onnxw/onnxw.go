// Package onnxw writes ONNX models: a minimal writer (onnx/onnx.proto, MIT): only the messages and fields
// a plain feed-forward graph needs, encoded with protowire. Repeated scalars
// are written unpacked, as proto2 (which onnx.proto is) does by default.
package onnxw

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

const (
	onnxFloat = 1 // TensorProto.DataType FLOAT
	onnxInt64 = 7

	attrFloat = 1 // AttributeProto.AttributeType
	attrInt   = 2
	attrStr   = 3
	attrInts  = 7
)

// Attr is a node attribute.
type Attr struct {
	name string
	kind int
	i    int64
	f    float32
	s    string
	ints []int64
}

// IntAttr, StrAttr and IntsAttr make attributes.
func IntAttr(name string, v int) Attr { return Attr{name: name, kind: attrInt, i: int64(v)} }
func StrAttr(name, v string) Attr     { return Attr{name: name, kind: attrStr, s: v} }
func IntsAttr(name string, v ...int) Attr {
	a := Attr{name: name, kind: attrInts}
	for _, x := range v {
		a.ints = append(a.ints, int64(x))
	}
	return a
}

// Node is one operator.
type Node struct {
	Op      string
	Name    string
	Inputs  []string
	Outputs []string
	Attrs   []Attr
}

// Initializer is a constant tensor (float32, or int64 when IsInt).
type Initializer struct {
	Name  string
	Dims  []int
	F32   []float32
	I64   []int64
	IsInt bool
}

// Graph is a feed-forward graph with one float input and one float output.
type Graph struct {
	Name         string
	Nodes        []Node
	Initializers []Initializer
	Input        string
	InputDims    []int
	Output       string
	OutputDims   []int
}

func bytesField(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func stringField(b []byte, num protowire.Number, v string) []byte {
	return bytesField(b, num, []byte(v))
}

func varintField(b []byte, num protowire.Number, v int64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func (a Attr) encode() []byte {
	var b []byte
	b = stringField(b, 1, a.name)
	switch a.kind {
	case attrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.f))
	case attrInt:
		b = varintField(b, 3, a.i)
	case attrStr:
		b = stringField(b, 4, a.s)
	case attrInts:
		for _, v := range a.ints {
			b = varintField(b, 8, v)
		}
	}
	return varintField(b, 20, int64(a.kind))
}

func (n Node) encode() []byte {
	var b []byte
	for _, in := range n.Inputs {
		b = stringField(b, 1, in)
	}
	for _, out := range n.Outputs {
		b = stringField(b, 2, out)
	}
	b = stringField(b, 3, n.Name)
	b = stringField(b, 4, n.Op)
	for _, a := range n.Attrs {
		b = bytesField(b, 5, a.encode())
	}
	return b
}

func (t Initializer) encode() []byte {
	var b []byte
	for _, d := range t.Dims {
		b = varintField(b, 1, int64(d))
	}
	var raw []byte
	if t.IsInt {
		b = varintField(b, 2, onnxInt64)
		for _, v := range t.I64 {
			raw = binary.LittleEndian.AppendUint64(raw, uint64(v))
		}
	} else {
		b = varintField(b, 2, onnxFloat)
		for _, v := range t.F32 {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
		}
	}
	b = stringField(b, 8, t.Name)
	return bytesField(b, 9, raw)
}

// valueInfo is a float tensor of fixed shape.
func valueInfo(name string, dims []int) []byte {
	var shape []byte
	for _, d := range dims {
		shape = bytesField(shape, 1, varintField(nil, 1, int64(d)))
	}
	tensor := varintField(nil, 1, onnxFloat)
	tensor = bytesField(tensor, 2, shape)
	typ := bytesField(nil, 1, tensor)
	b := stringField(nil, 1, name)
	return bytesField(b, 2, typ)
}

// Model encodes g as an ONNX model at IR version 7, opset 14.
func (g Graph) Model(producer string) []byte {
	var gb []byte
	for _, n := range g.Nodes {
		gb = bytesField(gb, 1, n.encode())
	}
	gb = stringField(gb, 2, g.Name)
	for _, t := range g.Initializers {
		gb = bytesField(gb, 5, t.encode())
	}
	gb = bytesField(gb, 11, valueInfo(g.Input, g.InputDims))
	gb = bytesField(gb, 12, valueInfo(g.Output, g.OutputDims))

	var b []byte
	b = varintField(b, 1, 7)
	b = stringField(b, 2, producer)
	b = bytesField(b, 7, gb)
	opset := stringField(nil, 1, "")
	opset = varintField(opset, 2, 14)
	return bytesField(b, 8, opset)
}
