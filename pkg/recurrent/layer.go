package recurrent

import (
	"fmt"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// LayerParams are the graph nodes of one layer's weights, in PyTorch's layout.
type LayerParams struct {
	WIH *Node // weight_ih [G*H, D]
	WHH *Node // weight_hh [G*H, H]
	BIH *Node // bias_ih [G*H]
	BHH *Node // bias_hh [G*H]
}

// SplitParams groups a flat list of ParamsPerLayer*L nodes (ParamNames order) into layers.
func SplitParams(params []*Node) []LayerParams {
	layers := make([]LayerParams, len(params)/ParamsPerLayer)
	for l := range layers {
		at := func(p Param) *Node { return params[ParamIndex(l, p)] }
		layers[l] = LayerParams{WIH: at(WeightIH), WHH: at(WeightHH), BIH: at(BiasIH), BHH: at(BiasHH)}
	}
	return layers
}

// Params is the inverse of SplitParams: the nodes of the layers in ParamNames order.
func Params(layers []LayerParams) []*Node {
	out := make([]*Node, 0, ParamsPerLayer*len(layers))
	for _, p := range layers {
		out = append(out, p.WIH, p.WHH, p.BIH, p.BHH)
	}
	return out
}

// gates is one layer's weights split into per-gate blocks, done once per graph, outside the
// time loop, so that the loop never slices a gate out of a [B, G*H] tensor.
//
// The recurrent blocks are transposed once, to W_hk^T [H_in, H_out], so that the per-step
// matmul h [B, H] x W^T [H, H] has its contraction axis last in h and first in W^T: the
// layout the Go backend's small-matmul kernels run fastest (measured: 1.1x without SIMD,
// 2.7x with GOEXPERIMENT=simd, against contracting the last axis of both). Their gradients
// use the same layout (projection, projection.go).
type gates struct {
	wih      []*Node     // G blocks of [H, D]
	bih, bhh []*Node     // G blocks of [H]
	whh      *projection // the recurrent blocks W_hk^T [H_in, H_out], with their custom VJP
}

func splitGates(p LayerParams, G int) gates {
	return gates{wih: Split(p.WIH, 0, G), bih: Split(p.BIH, 0, G), bhh: Split(p.BHH, 0, G),
		whh: newProjection(p.WHH, G)}
}

// Trace holds every per-step value of one layer's forward pass; the hand-written BPTT
// (package bptt) reads it.
type Trace struct {
	Kind  Kind
	X     *Node     // the layer's input sequence [B, T, D]
	H0    *Node     // [B, H]
	C0    *Node     // [B, H], LSTM only
	H     []*Node   // h_1..h_T, each [B, H]
	C     []*Node   // c_1..c_T, LSTM only
	Gates [][]*Node // per step, the values the cell keeps; read them by name with LSTM(t) and GRU(t)
}

// inputProjections computes, for every time step at once, the part of each gate's
// pre-activation that does not depend on h_{t-1}: x_t W_ik^T + bias, as one matmul per gate over
// the whole sequence. It returns, per step, the G gates' input parts [B, H].
//
// The biases folded in are b_ik + b_hk, except where the cell keeps b_hk apart (the GRU's
// candidate, whose b_hn must stay inside the reset product r ⊙ (W_hn h + b_hn)).
func inputProjections(cl cell, gw gates, x *Node) [][]*Node {
	G := len(gw.wih)
	perGate := make([][]*Node, G)
	for k := range G {
		bias := gw.bih[k]
		if cl.foldsHiddenBias(Gate(k)) {
			bias = Add(bias, gw.bhh[k])
		}
		perGate[k] = seq.SplitTime(seq.Linear(x, gw.wih[k], bias), 1) // T x [B, H]
	}
	perStep := make([][]*Node, len(perGate[0]))
	for t := range perStep {
		perStep[t] = make([]*Node, G)
		for k := range G {
			perStep[t][k] = perGate[k][t]
		}
	}
	return perStep
}

// RunLayer runs one layer over the sequence x [B, T, D] from h0 (and c0 for the LSTM), each
// [B, H], and returns the trace of every step. The sequential part is the loop over t; each
// step is the cell's equations (rnn.go, lstm.go, gru.go).
func RunLayer(kind Kind, p LayerParams, x, h0, c0 *Node) *Trace {
	cl := cellOf(kind)
	gw := splitGates(p, cl.gates())
	xp := inputProjections(cl, gw, x) // T x G x [B, H]: the parallel part
	tr := &Trace{Kind: kind, X: x, H0: h0, C0: c0}
	bhh := make([]*Node, len(gw.bhh)) // the hidden biases kept apart, [B, H]
	for k, b := range gw.bhh {
		if !cl.foldsHiddenBias(Gate(k)) {
			bhh[k] = BroadcastToDims(ExpandAxes(b, 0), h0.Shape().Dimensions...) // [B, H]
		}
	}
	h, c := h0, c0
	for t := range xp { // the sequential part: step t needs h_{t-1}
		hp := gw.whh.step(h) // G x [B, H]: h_{t-1} W_hk^T
		var gs []*Node
		h, c, gs = cl.step(xp[t], hp, bhh, h, c)
		if gs != nil {
			tr.Gates = append(tr.Gates, gs)
		}
		if cl.hasCellState() {
			tr.C = append(tr.C, c)
		}
		tr.H = append(tr.H, h)
	}
	return tr
}

// Forward runs a stack of layers over x [B, T, D]. params holds 4 nodes per layer in
// ParamNames order; h0 and c0 are [L, B, H] or nil for zeros (c0 only for the LSTM).
// It returns out [B, T, H] (the top layer's hidden states), hn [L, B, H] and, for the LSTM,
// cn [L, B, H], plus the per-layer traces.
//
// The shapes of params, x, h0 and c0 are checked against each other when the graph is built
// (CheckInput's checks, with the configuration read from the parameters' shapes): a mismatch
// panics with an error that says what was expected, as graph-building errors do in GoMLX (an
// Exec returns it as its error).
func Forward(kind Kind, params []*Node, x, h0, c0 *Node) (out, hn, cn *Node, traces []*Trace) {
	if _, err := graphConfig(kind, params, x, h0, c0); err != nil {
		panic(err)
	}
	layers := SplitParams(params)
	L := len(layers)
	B := x.Shape().Dim(0)
	H := layers[0].WHH.Shape().Dim(1)
	g := x.Graph()
	if h0 == nil {
		h0 = Zeros(g, shapes.Make(x.DType(), L, B, H))
	}
	if kind.HasCellState() && c0 == nil {
		c0 = Zeros(g, shapes.Make(x.DType(), L, B, H))
	}
	var hFinal, cFinal []*Node
	input := x
	for l, p := range layers {
		var cl *Node
		if kind.HasCellState() {
			cl = Squeeze(SliceAxis(c0, 0, AxisElem(l)), 0)
		}
		tr := RunLayer(kind, p, input, Squeeze(SliceAxis(h0, 0, AxisElem(l)), 0), cl)
		traces = append(traces, tr)
		hFinal = append(hFinal, tr.H[len(tr.H)-1])
		if kind.HasCellState() {
			cFinal = append(cFinal, tr.C[len(tr.C)-1])
		}
		input = seq.StackTime(tr.H, 1) // [B, T, H]
	}
	out = input
	hn = Stack(hFinal, 0)
	if kind.HasCellState() {
		cn = Stack(cFinal, 0)
	}
	return out, hn, cn, traces
}

// graphConfig reads the configuration of a stack from its parameter nodes and checks them, x,
// h0 and c0 against it (CheckInput).
func graphConfig(kind Kind, params []*Node, x, h0, c0 *Node) (Config, error) {
	if len(params) == 0 || len(params)%ParamsPerLayer != 0 {
		return Config{}, fmt.Errorf("recurrent: got %d parameter nodes, want 4 per layer (%v for one layer)",
			len(params), ParamNames(1))
	}
	for i, p := range params {
		if p == nil {
			return Config{}, fmt.Errorf("recurrent: parameter %s is nil", ParamNames(len(params) / ParamsPerLayer)[i])
		}
	}
	if x == nil {
		return Config{}, fmt.Errorf("recurrent: x is nil, want a [batch, time, features] node")
	}
	wih, whh := params[0].Shape(), params[1].Shape()
	if wih.Rank() != 2 || whh.Rank() != 2 {
		return Config{}, fmt.Errorf("recurrent: weight_ih_l0 and weight_hh_l0 must be matrices, got shapes %s and %s", wih, whh)
	}
	cfg := Config{Kind: kind, InputSize: wih.Dim(1), HiddenSize: whh.Dim(1), NumLayers: len(params) / ParamsPerLayer, DType: wih.DType}
	if err := checkParamShapes(cfg, params); err != nil {
		return cfg, err
	}
	return cfg, checkNodes(cfg, x, h0, c0)
}

// checkParamShapes checks parameter nodes against a configuration's LayerShapes.
func checkParamShapes(cfg Config, params []*Node) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	names := ParamNames(cfg.NumLayers)
	if len(params) != len(names) {
		return fmt.Errorf("recurrent: got %d parameter nodes, want %d (%v)", len(params), len(names), names)
	}
	for i, p := range params {
		want := shapes.Make(cfg.DType, cfg.ParamShape(i)...)
		if p == nil {
			return fmt.Errorf("recurrent: parameter %s is nil", names[i])
		}
		if !p.Shape().Equal(want) {
			return fmt.Errorf("recurrent: %s has shape %s, want %s", names[i], p.Shape(), want)
		}
	}
	return nil
}

// checkNodes is CheckInput for graph nodes (h0 and c0 may be nil).
func checkNodes(cfg Config, x, h0, c0 *Node) error {
	if x == nil {
		return fmt.Errorf("recurrent: x is nil, want a [batch, time, %d] node", cfg.InputSize)
	}
	return CheckInput(cfg, x.Shape(), seq.ShapeOf(h0), seq.ShapeOf(c0))
}
