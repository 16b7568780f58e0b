package bptt

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// The fast path: a forward pass and its hand-written backward for every classic cell (RNN with
// tanh or ReLU, LSTM, GRU) in a batch-first layout, the fastest train step measured on the
// pure-Go backend (docs/notes/gomlx.md, "Graph building and speed"):
//
//   - every per-step operand is [B, K] (batch first, features last), so that each matmul has
//     the contraction axis last in its left operand and first in its right one, [B, K] x [K, N],
//     the layout of the backend's fastest small kernels (N = H, not B, is the vectorised axis);
//   - z_t = [x_t, 1, h_{t-1}], [B, K] with K = D+1+H: the biases are folded into the weights as
//     a row multiplied by a column of ones;
//   - the cell's pre-activations are P blocks of H columns, each ONE matmul z_t [B, K] x W_pᵀ
//     [K, H] with its activation applied in the same node (the backend's FusedDense; no block
//     is sliced out of a wider tensor);
//   - the backward multiplies by each activation's derivative in one node from its output
//     (FusedActivationVJP), and its recursion is one matmul per step, δA_t [B, P·H] x W_h
//     [P·H, H];
//   - all weight gradients are ONE matmul Z [K, T·B] x δA [T·B, P·H], where δA stacks the δA_t
//     and Z holds the z_t transposed (a small transpose per fastChunk steps);
//   - the inputs x_t, the direct gradients and the output sequence are read and written per
//     step from and to PyTorch's batch-first [B, T, ·] tensors with no transpose.
//
// The blocks (rows of PyTorch's weights, gate order of torch.nn):
//
//	RNN   a = [W_ih | b_ih+b_hh | W_hh]                          h_t = act(a)
//	LSTM  i, f, g, o: [W_ik | b_ik+b_hk | W_hk]                   as in package recurrent
//	GRU   r, z: [W_ik | b_ik+b_hk | W_hk];  n_x = [W_in | b_in | 0];  n_h = [0 | b_hn | W_hn]
//	      n = tanh(n_x + r ⊙ n_h),  h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
//
// The GRU's zero blocks are constants, so the products of Z with δA hold the exact gradients of
// the real weights. Per-step slices are taken only of tensors that are not differentiated (the
// backward is hand-written), so graph size and run time stay linear in T.

// fastUseFused uses the backend's fused ops where it has them (the pure-Go backend does):
// FusedDense, a matmul whose activation is applied to the result in the same op, and
// FusedActivationVJP, the product of a gradient with the activation's derivative computed from
// its output (dOut ⊙ y(1-y) for the sigmoid, dOut ⊙ (1-y²) for tanh). Each saves nodes per
// step; the backend runs a node in about a microsecond plus its work, and at B=32, H=64 that
// overhead is most of an element-wise op's time.
var fastUseFused = true

// FastLayerTrace holds one layer's per-step values, batch first: all [B, rows].
type FastLayerTrace struct {
	Kind       recurrent.Kind
	B, T, D, H int
	Z          []*Node   // z_t = [x_t, 1, h_{t-1}], [B, D+1+H]
	Acts       [][]*Node // per step, the post-activation blocks: RNN h; LSTM i, f, g, o; GRU r, z, n
	NH         []*Node   // GRU: n_h = h_{t-1} W_hnᵀ + b_hn, [B, H]
	C, TC      []*Node   // LSTM: c_t and tanh(c_t), [B, H]
	H0, C0     *Node     // initial states, [B, H]
	HT         []*Node   // h_t, [B, H]
	Hs         []*Node   // h_t transposed, [H, B]: built for readers of that layout, computed only where read
	W          *Node     // the blocks stacked, [P·H, K]
}

// fastBlocks returns the cell's pre-activation blocks [H, K] in the order of FastLayerTrace.Acts
// (the GRU's n block split into n_x, n_h), built from PyTorch's weights.
func fastBlocks(kind recurrent.Kind, p recurrent.LayerParams) []*Node {
	H, D := p.WHH.Shape().Dim(1), p.WIH.Shape().Dim(1)
	gs := p.Gates(kind) // G gate blocks, PyTorch's order
	col := func(b *Node) *Node { return Reshape(b, H, 1) }
	full := func(k recurrent.Gate) *Node { // [W_ik | b_ik + b_hk | W_hk], [H, K]
		return Concatenate([]*Node{gs[k].WIH, col(Add(gs[k].BIH, gs[k].BHH)), gs[k].WHH}, 1)
	}
	if kind != recurrent.GRU {
		out := make([]*Node, len(gs))
		for k := range gs {
			out[k] = full(recurrent.Gate(k))
		}
		return out
	}
	n := gs[recurrent.GRUNew]
	out := make([]*Node, fastGRUBlocks)
	out[fastGRUNX] = Concatenate([]*Node{n.WIH, col(n.BIH), ZerosLike(n.WHH)}, 1)
	out[fastGRUNH] = Concatenate([]*Node{Zeros(p.WIH.Graph(), shapes.Make(p.WIH.DType(), H, D)), col(n.BHH), n.WHH}, 1)
	out[recurrent.GRUReset], out[recurrent.GRUUpdate] = full(recurrent.GRUReset), full(recurrent.GRUUpdate)
	return out
}

// The GRU's fast blocks: r and z at their gate positions, then the candidate's two halves.
const (
	fastGRUNX     = 2 // n_x = [W_in | b_in | 0]
	fastGRUNH     = 3 // n_h = [0 | b_hn | W_hn]
	fastGRUBlocks = 4
)

// fastActs returns the activation of each block of fastBlocks.
func fastActs(kind recurrent.Kind) []compute.ActivationType {
	const sig, tanh, none = compute.ActivationSigmoid, compute.ActivationTanh, compute.ActivationNone
	switch kind {
	case recurrent.RNNReLU:
		return []compute.ActivationType{compute.ActivationRelu}
	case recurrent.LSTM:
		acts := make([]compute.ActivationType, recurrent.LSTM.Gates())
		acts[recurrent.LSTMInput], acts[recurrent.LSTMForget], acts[recurrent.LSTMCandidate], acts[recurrent.LSTMOutput] = sig, sig, tanh, sig
		return acts
	case recurrent.GRU:
		acts := make([]compute.ActivationType, fastGRUBlocks)
		acts[recurrent.GRUReset], acts[recurrent.GRUUpdate], acts[fastGRUNX], acts[fastGRUNH] = sig, sig, none, none
		return acts
	}
	return []compute.ActivationType{tanh}
}

// fastFused reports whether the backend of g has the fused op (and fastUseFused is on).
func fastFused(g *Graph, op compute.OpType) bool {
	return fastUseFused && g.Backend().Capabilities().Operations[op]
}

// fastDense returns act(z wT) for z [B, K] and wT [K, N]: one FusedDense node, or a matmul and
// the activation.
func fastDense(z, wT *Node, act compute.ActivationType) *Node {
	if fastFused(z.Graph(), compute.OpTypeFusedDense) {
		return BackendFusedDense(z, wT, nil, compute.DenseConfig{
			Activation: compute.ActivationConfig{Type: act}, WeightLayout: compute.DenseLayoutInputOutputs})
	}
	a := DotGeneral(z, []int{1}, nil, wT, []int{0}, nil)
	switch act {
	case compute.ActivationSigmoid:
		return Sigmoid(a)
	case compute.ActivationTanh:
		return Tanh(a)
	case compute.ActivationRelu:
		return Max(a, ZerosLike(a))
	}
	return a
}

// fastActVJP returns d ⊙ act'(a), given y = act(a): one FusedActivationVJP node, or the same
// from y with element-wise ops.
func fastActVJP(y, d *Node, act compute.ActivationType) *Node {
	if fastFused(y.Graph(), compute.OpTypeFusedActivationVJP) {
		return BackendFusedActivationVJP(y, nil, d, compute.ActivationConfig{Type: act})
	}
	switch act {
	case compute.ActivationSigmoid:
		return Mul(d, Mul(y, OneMinus(y))) // σ' = σ(1 - σ)
	case compute.ActivationTanh:
		return Mul(d, OneMinus(Square(y))) // tanh' = 1 - tanh²
	case compute.ActivationRelu:
		return Where(GreaterThan(y, ZerosLike(d)), d, ZerosLike(d)) // [y > 0]
	}
	return d
}

// FastLayerForward runs one layer of a classic cell (PyTorch weights p) over the inputs xs
// (T × [B, D]) from h0, c0 ([B, H]; nil for zeros; c0 only for the LSTM).
func FastLayerForward(kind recurrent.Kind, p recurrent.LayerParams, xs []*Node, h0, c0 *Node) *FastLayerTrace {
	kind, err := recurrent.ParseKind(string(kind)) // "rnn" is rnn_tanh
	if err != nil {
		panic(err)
	}
	T := len(xs)
	if T == 0 {
		panic(fmt.Errorf("bptt.FastLayerForward: empty sequence"))
	}
	g := xs[0].Graph()
	dt := xs[0].DType()
	B, D := xs[0].Shape().Dim(0), xs[0].Shape().Dim(1)
	H := p.WHH.Shape().Dim(1)
	tr := &FastLayerTrace{Kind: kind, B: B, T: T, D: D, H: H}

	w := fastBlocks(kind, p) // P x [H, K]
	tr.W = Concatenate(w, 0) // [P·H, K]
	act := fastActs(kind)
	wT := make([]*Node, len(w)) // W_pᵀ, [K, H]
	for k := range w {
		wT[k] = Transpose(w[k], 0, 1)
	}

	ones := Ones(g, shapes.Make(dt, B, 1))
	h, c := h0, c0
	if h == nil {
		h = Zeros(g, shapes.Make(dt, B, H))
	}
	if kind == recurrent.LSTM && c == nil {
		c = Zeros(g, shapes.Make(dt, B, H))
	}
	tr.H0, tr.C0 = h, c
	for t := range T {
		z := Concatenate([]*Node{xs[t], ones, h}, 1) // [B, K]
		y := make([]*Node, len(wT))                  // [B, H] each: act_p(z W_pᵀ)
		for k := range wT {
			y[k] = fastDense(z, wT[k], act[k])
		}
		var acts []*Node
		switch kind {
		case recurrent.RNNTanh, recurrent.RNNReLU:
			h = y[0]
			acts = []*Node{h}
		case recurrent.LSTM:
			i, f, gg, o := y[recurrent.LSTMInput], y[recurrent.LSTMForget], y[recurrent.LSTMCandidate], y[recurrent.LSTMOutput]
			c = Add(Mul(f, c), Mul(i, gg))
			tc := Tanh(c)
			h = Mul(o, tc)
			acts = []*Node{i, f, gg, o}
			tr.C = append(tr.C, c)
			tr.TC = append(tr.TC, tc)
		case recurrent.GRU:
			r, zg, nx, nh := y[recurrent.GRUReset], y[recurrent.GRUUpdate], y[fastGRUNX], y[fastGRUNH]
			n := Tanh(Add(nx, Mul(r, nh)))
			h = Add(n, Mul(zg, Sub(h, n))) // (1 - z) ⊙ n + z ⊙ h_{t-1}
			acts = make([]*Node, recurrent.GRU.Gates())
			acts[recurrent.GRUReset], acts[recurrent.GRUUpdate], acts[recurrent.GRUNew] = r, zg, n
			tr.NH = append(tr.NH, nh)
		}
		tr.Z = append(tr.Z, z)
		tr.Acts = append(tr.Acts, acts)
		tr.HT = append(tr.HT, h)
		tr.Hs = append(tr.Hs, Transpose(h, 0, 1))
	}
	return tr
}

// FastLayerGrads runs the adjoint recursion backward through one layer. dH[t] is the direct
// gradient ∂L/∂h_t [B, H] (nil where no loss reads h_t). It returns the weight gradients in
// PyTorch's layout and recurrent.ParamNames order (weight_ih, weight_hh, bias_ih, bias_hh) and,
// if wantDX, ∂L/∂x_t [B, D] for every step (the direct gradient of the layer below).
func FastLayerGrads(tr *FastLayerTrace, dH []*Node, wantDX bool) (grads []*Node, dX []*Node) {
	if len(dH) != tr.T {
		panic(fmt.Errorf("bptt.FastLayerGrads: %d direct gradients for %d steps", len(dH), tr.T))
	}
	T, D, H := tr.T, tr.D, tr.H
	wH := SliceAxis(tr.W, 1, AxisRange(D+1, D+1+H)) // [P·H, H]
	dA := make([]*Node, T)                          // δA_t: the gradients of the pre-activation blocks, [B, P·H]
	var back, dc *Node                              // the recurrent part of δh_{t-1}, and (LSTM) δc_{t-1}
	for t := T - 1; t >= 0; t-- {
		dh := dH[t]
		switch {
		case dh == nil:
			dh = back
		case back != nil:
			dh = Add(dh, back)
		}
		if dh == nil { // no gradient reaches this step or any before it from above
			dh = ZerosLike(tr.HT[t])
		}
		hPrev := tr.H0
		if t > 0 {
			hPrev = tr.HT[t-1]
		}
		acts := tr.Acts[t]
		var blocks []*Node
		var direct *Node // a part of δh_{t-1} that bypasses the weights (GRU)
		const sig, tanh = compute.ActivationSigmoid, compute.ActivationTanh
		switch tr.Kind {
		case recurrent.RNNTanh:
			blocks = []*Node{fastActVJP(acts[0], dh, tanh)} // δa = δh ⊙ (1 - h²)
		case recurrent.RNNReLU:
			blocks = []*Node{fastActVJP(acts[0], dh, compute.ActivationRelu)} // δh ⊙ [h > 0]
		case recurrent.LSTM:
			i, f, g, o := acts[recurrent.LSTMInput], acts[recurrent.LSTMForget], acts[recurrent.LSTMCandidate], acts[recurrent.LSTMOutput]
			cPrev := tr.C0
			if t > 0 {
				cPrev = tr.C[t-1]
			}
			tc := tr.TC[t]
			dcT := fastActVJP(tc, Mul(dh, o), tanh) // δh ⊙ o ⊙ (1 - tanh²(c_t))
			if dc != nil {
				dcT = Add(dc, dcT)
			}
			blocks = make([]*Node, recurrent.LSTM.Gates())
			blocks[recurrent.LSTMInput] = fastActVJP(i, Mul(dcT, g), sig)      // δa_i
			blocks[recurrent.LSTMForget] = fastActVJP(f, Mul(dcT, cPrev), sig) // δa_f
			blocks[recurrent.LSTMCandidate] = fastActVJP(g, Mul(dcT, i), tanh) // δa_g
			blocks[recurrent.LSTMOutput] = fastActVJP(o, Mul(dh, tc), sig)     // δa_o
			dc = Mul(dcT, f)
		case recurrent.GRU:
			r, z, n := acts[recurrent.GRUReset], acts[recurrent.GRUUpdate], acts[recurrent.GRUNew]
			dn := fastActVJP(n, Mul(dh, OneMinus(z)), tanh) // δ(n_x + r ⊙ n_h)
			blocks = make([]*Node, fastGRUBlocks)
			blocks[recurrent.GRUReset] = fastActVJP(r, Mul(dn, tr.NH[t]), sig)       // δa_r
			blocks[recurrent.GRUUpdate] = fastActVJP(z, Mul(dh, Sub(hPrev, n)), sig) // δa_z
			blocks[fastGRUNX] = dn                                                   // δn_x
			blocks[fastGRUNH] = Mul(dn, r)                                           // δn_h
			direct = Mul(dh, z)
		}
		dA[t] = blocks[0]
		if len(blocks) > 1 {
			dA[t] = Concatenate(blocks, 1) // [B, P·H]
		}
		if t > 0 {
			back = DotGeneral(dA[t], []int{1}, nil, wH, []int{0}, nil) // [B, H]
			if direct != nil {
				back = Add(back, direct)
			}
		}
	}
	if wantDX {
		wX := SliceAxis(tr.W, 1, AxisRange(0, D)) // [P·H, D]
		dX = make([]*Node, T)
		for t := range T {
			dX[t] = DotGeneral(dA[t], []int{1}, nil, wX, []int{0}, nil) // [B, D]
		}
	}
	// All weight gradients at once: Z [K, T·B] x δA [T·B, P·H], contracting the last axis of the
	// left operand and the first of the right one.
	dWT := DotGeneral(fastStackColumns(tr.Z), []int{1}, nil, Concatenate(dA, 0), []int{0}, nil) // [K, P·H]
	dW := Transpose(dWT, 0, 1)                                                                  // [P·H, K]
	cols := func(rows *Node) (wih, b, whh *Node) {
		return SliceAxis(rows, 1, AxisRange(0, D)), Reshape(SliceAxis(rows, 1, AxisElem(D)), rows.Shape().Dim(0)),
			SliceAxis(rows, 1, AxisRange(D+1, D+1+H))
	}
	if tr.Kind != recurrent.GRU {
		wih, b, whh := cols(dW)
		return []*Node{wih, whh, b, b}, dX
	}
	// GRU: the input side is blocks r, z, n_x, the hidden side r, z, n_h.
	rows := func(from, to int) *Node { return SliceAxis(dW, 0, AxisRange(from*H, to*H)) } // blocks [from, to)
	wih, bih, _ := cols(rows(0, fastGRUNX+1))
	_, bhh, whh := cols(Concatenate([]*Node{rows(0, int(recurrent.GRUNew)), rows(fastGRUNH, fastGRUNH+1)}, 0))
	return []*Node{wih, whh, bih, bhh}, dX
}

// fastChunk is the number of steps whose z_t are transposed together by fastStackColumns.
var fastChunk = 4

// fastStackColumns returns the per-step z_t [B, K] as the columns of one [K, T·B] matrix
// (column t·B + b is row b of z_t): the z_t of fastChunk steps are stacked, [C·B, K] (a
// contiguous copy), transposed, [K, C·B], and the chunks joined along the columns. A transpose
// per step costs more nodes, one of the whole [T·B, K] more time: the backend's 2-D transpose
// is tiled, and with a row length of T·B = 8192 floats (a power of two) its column writes
// collide in the cache.
func fastStackColumns(z []*Node) *Node {
	var parts []*Node
	for t0 := 0; t0 < len(z); t0 += fastChunk {
		t1 := min(t0+fastChunk, len(z))
		block := z[t0]
		if t1-t0 > 1 {
			block = Concatenate(z[t0:t1], 0)
		}
		parts = append(parts, Transpose(block, 0, 1))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return Concatenate(parts, 1)
}
