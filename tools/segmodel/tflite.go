package main

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A minimal reader of the TFLite flatbuffer (tensorflow/lite/schema/schema.fbs):
// only the tables and fields this converter needs. A flatbuffer table starts
// with a signed offset back to its vtable, whose uint16 entries give each
// field's offset inside the table (0: absent, so the default applies).
type fbTable struct {
	buf []byte
	pos uint32
}

func (t fbTable) u32(at uint32) uint32 { return binary.LittleEndian.Uint32(t.buf[at:]) }

// field returns the absolute position of field slot n, or 0 when it is absent.
func (t fbTable) field(n int) uint32 {
	vt := uint32(int64(t.pos) - int64(int32(t.u32(t.pos))))
	vtLen := binary.LittleEndian.Uint16(t.buf[vt:])
	at := uint32(4 + 2*n)
	if at >= uint32(vtLen) {
		return 0
	}
	off := binary.LittleEndian.Uint16(t.buf[vt+at:])
	if off == 0 {
		return 0
	}
	return t.pos + uint32(off)
}

func (t fbTable) int32(n int, def int32) int32 {
	if p := t.field(n); p != 0 {
		return int32(t.u32(p))
	}
	return def
}

func (t fbTable) byte(n int, def byte) byte {
	if p := t.field(n); p != 0 {
		return t.buf[p]
	}
	return def
}

// table follows the offset stored in field n.
func (t fbTable) table(n int) (fbTable, bool) {
	p := t.field(n)
	if p == 0 {
		return fbTable{}, false
	}
	return fbTable{t.buf, p + t.u32(p)}, true
}

// vector returns the start and length of the vector in field n.
func (t fbTable) vector(n int) (uint32, int) {
	p := t.field(n)
	if p == 0 {
		return 0, 0
	}
	v := p + t.u32(p)
	return v + 4, int(t.u32(v))
}

func (t fbTable) bytes(n int) []byte {
	start, l := t.vector(n)
	return t.buf[start : start+uint32(l)]
}

func (t fbTable) string(n int) string { return string(t.bytes(n)) }

func (t fbTable) ints(n int) []int {
	start, l := t.vector(n)
	out := make([]int, l)
	for i := range out {
		out[i] = int(int32(t.u32(start + uint32(4*i))))
	}
	return out
}

func (t fbTable) tables(n int) []fbTable {
	start, l := t.vector(n)
	out := make([]fbTable, l)
	for i := range out {
		at := start + uint32(4*i)
		out[i] = fbTable{t.buf, at + t.u32(at)}
	}
	return out
}

// TFLite builtin operator codes and tensor types used by the selfie model.
const (
	opAdd            = 0
	opAveragePool2D  = 1
	opConv2D         = 3
	opDepthwiseConv  = 4
	opDequantize     = 6
	opLogistic       = 14
	opMul            = 18
	opRelu           = 19
	opResizeBilinear = 23
	opCustom         = 32
	opMean           = 40
	opHardSwish      = 117

	typeFloat32 = 0
	typeFloat16 = 1
)

type tfTensor struct {
	Name   string
	Shape  []int
	Type   byte
	Buffer int
}

type tfOperator struct {
	Code          int    // builtin code
	Custom        string // custom op name when Code is opCustom
	Inputs        []int
	Outputs       []int
	Options       fbTable
	HasOptions    bool
	CustomOptions []byte
}

type tfModel struct {
	Tensors   []tfTensor
	Buffers   [][]byte
	Operators []tfOperator
	Inputs    []int
	Outputs   []int
}

func readTFLite(buf []byte) (m *tfModel, err error) {
	defer func() {
		// A malformed file indexes out of range: report it as an error.
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("malformed TFLite file: %v", r)
		}
	}()
	if len(buf) < 8 || string(buf[4:8]) != "TFL3" {
		return nil, errors.New("not a TFLite file (no TFL3 identifier)")
	}
	root := fbTable{buf, binary.LittleEndian.Uint32(buf)}
	m = &tfModel{}
	type opCode struct {
		code   int
		custom string
	}
	var codes []opCode
	for _, oc := range root.tables(1) {
		// builtin_code (slot 3) supersedes the deprecated byte (slot 0) when larger.
		c := int(oc.byte(0, 0))
		if bc := int(oc.int32(3, 0)); bc > c {
			c = bc
		}
		codes = append(codes, opCode{c, oc.string(1)})
	}
	for _, b := range root.tables(4) {
		m.Buffers = append(m.Buffers, b.bytes(0))
	}
	subgraphs := root.tables(2)
	if len(subgraphs) != 1 {
		return nil, fmt.Errorf("want one subgraph, got %d", len(subgraphs))
	}
	sg := subgraphs[0]
	for _, t := range sg.tables(0) {
		m.Tensors = append(m.Tensors, tfTensor{Name: t.string(3), Shape: t.ints(0), Type: t.byte(1, 0), Buffer: int(t.int32(2, 0))})
	}
	m.Inputs, m.Outputs = sg.ints(1), sg.ints(2)
	for _, o := range sg.tables(3) {
		idx := int(o.int32(0, 0))
		if idx >= len(codes) {
			return nil, fmt.Errorf("operator code %d out of range", idx)
		}
		op := tfOperator{Code: codes[idx].code, Custom: codes[idx].custom, Inputs: o.ints(1), Outputs: o.ints(2)}
		op.Options, op.HasOptions = o.table(4)
		if _, n := o.vector(5); n > 0 {
			op.CustomOptions = o.bytes(5)
		}
		m.Operators = append(m.Operators, op)
	}
	return m, nil
}
