package recurrent

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
)

// # The cell contract
//
// A cell takes x_t and h_{t-1} (and c_{t-1}, for a cell with a cell state) and returns h_t
// (and c_t). Its weights are PyTorch's four tensors per layer (Param), each the G gate blocks of
// H rows stacked in PyTorch's gate order; a gate is read by its name (LSTMInput, GRUReset, ...),
// never by position. Each cell is one file that holds its equations once: rnn.go, lstm.go,
// gru.go. The other implementations of the same equations — the fast path's forward and its
// hand-written backward (package bptt), the adjoint of RunLayer's trace (bptt.Adjoint), DEER's
// cell and Jacobian (package deer) — are checked against Step in one table-driven test
// (contract_test.go, one row per cell).

// Param names one of the four tensors of a layer, in PyTorch's state_dict order.
type Param int

// The tensors of a layer (ParamNames order).
const (
	WeightIH Param = iota // weight_ih_l{l} [G*H, D_l]
	WeightHH              // weight_hh_l{l} [G*H, H]
	BiasIH                // bias_ih_l{l} [G*H]
	BiasHH                // bias_hh_l{l} [G*H]

	ParamsPerLayer = 4 // tensors per layer
)

// ParamIndex is the position of layer l's tensor p in a flat list in ParamNames order.
func ParamIndex(l int, p Param) int { return ParamsPerLayer*l + int(p) }

// ParamAt is the inverse of ParamIndex: the layer and the tensor at position i.
func ParamAt(i int) (l int, p Param) { return i / ParamsPerLayer, Param(i % ParamsPerLayer) }

// Gate is the position of a gate block in a cell's stacked weights: rows [k*H, (k+1)*H) of
// weight_ih, weight_hh, bias_ih and bias_hh. Each cell's file names its gates, in PyTorch's
// order (RNNGate; LSTMInput, LSTMForget, LSTMCandidate, LSTMOutput; GRUReset, GRUUpdate,
// GRUNew).
type Gate int

// GateParams are one gate's blocks of a layer's weights.
type GateParams struct {
	WIH *Node // [H, D]
	WHH *Node // [H, H]
	BIH *Node // [H]
	BHH *Node // [H]
}

// Tensor returns the layer's tensor t.
func (p LayerParams) Tensor(t Param) *Node {
	return [ParamsPerLayer]*Node{WeightIH: p.WIH, WeightHH: p.WHH, BiasIH: p.BIH, BiasHH: p.BHH}[t]
}

// GateBlocks splits one of the layer's tensors into the kind's G gate blocks, in PyTorch's
// order: index the result with the cell's Gate names.
func (p LayerParams) GateBlocks(kind Kind, t Param) []*Node {
	return Split(p.Tensor(t), 0, kind.Gates())
}

// Gates splits a layer's weights into the kind's gate blocks, in PyTorch's order: index the
// result with the cell's Gate names.
func (p LayerParams) Gates(kind Kind) []GateParams {
	G := kind.Gates()
	wih, whh, bih, bhh := Split(p.WIH, 0, G), Split(p.WHH, 0, G), Split(p.BIH, 0, G), Split(p.BHH, 0, G)
	gs := make([]GateParams, G)
	for k := range gs {
		gs[k] = GateParams{WIH: wih[k], WHH: whh[k], BIH: bih[k], BHH: bhh[k]}
	}
	return gs
}

// cell is what each cell's file implements.
type cell interface {
	// gates is G, the number of gate blocks.
	gates() int
	// hasCellState reports whether the state is the pair (h, c).
	hasCellState() bool
	// foldsHiddenBias reports whether gate k's hidden bias b_hk is added to its input part
	// x W_ik^T + b_ik (true for every gate but the GRU's candidate, whose b_hn stays inside the
	// reset product).
	foldsHiddenBias(k Gate) bool
	// step is one step. xp[k] is gate k's input part x_t W_ik^T + b_ik (+ b_hk if folded),
	// hp[k] its hidden part h_{t-1} W_hk^T, bhh[k] is b_hk broadcast to [B, H] where it is not
	// folded (else nil); all [B, H], as are h and c (c nil without a cell state). It returns
	// h_t, c_t and the per-step values the trace keeps (Trace.Gates).
	step(xp, hp, bhh []*Node, h, c *Node) (hNext, cNext *Node, gates []*Node)
}

// cells maps each kind to its cell (a new cell adds its row here and its Kind in kind.go).
var cells = map[Kind]cell{
	RNNTanh: rnnCell{relu: false},
	RNNReLU: rnnCell{relu: true},
	LSTM:    lstmCell{},
	GRU:     gruCell{},
}

// cellOf returns the cell of a kind (ParseKind's spelling); it panics for an unknown kind.
func cellOf(kind Kind) cell {
	if c, ok := cells[kind]; ok {
		return c
	}
	panic(fmt.Sprintf("recurrent: unknown cell kind %q", kind))
}

// Step is one step of a layer from its inputs, the reference for every implementation of the
// cell: x [B, D] and h, c [B, H] (c nil without a cell state) give h_t and c_t (nil without a
// cell state). It computes the gates' input parts x W_ik^T + b per step; RunLayer computes the
// same for all steps at once and runs the same equations (the cell's step).
func Step(kind Kind, p LayerParams, x, h, c *Node) (hNext, cNext *Node) {
	cl := cellOf(kind)
	gs := p.Gates(kind)
	B, H := h.Shape().Dim(0), h.Shape().Dim(1)
	xp, hp, bhh := make([]*Node, len(gs)), make([]*Node, len(gs)), make([]*Node, len(gs))
	for k, gp := range gs {
		bias := gp.BIH
		if cl.foldsHiddenBias(Gate(k)) {
			bias = Add(bias, gp.BHH)
		} else {
			bhh[k] = BroadcastToDims(ExpandAxes(gp.BHH, 0), B, H) // [B, H]
		}
		xp[k] = Add(DotGeneral(x, []int{1}, nil, gp.WIH, []int{1}, nil), BroadcastToDims(ExpandAxes(bias, 0), B, H)) // [B, H]
		hp[k] = DotGeneral(h, []int{1}, nil, gp.WHH, []int{1}, nil)                                                  // [B, H]
	}
	hNext, cNext, _ = cl.step(xp, hp, bhh, h, c)
	return hNext, cNext
}
