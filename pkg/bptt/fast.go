package bptt

import (
	"fmt"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// The fast path: a forward pass and its hand-written backward for every classic cell (RNN with
// tanh or ReLU, LSTM, GRU) in a features-by-batch layout, the fastest train step measured on
// the pure-Go backend (docs/notes/gomlx.md, "Graph building and speed"):
//
//   - every per-step operand is [K, B] (features first, batch last);
//   - z_t = [x_t; 1; h_{t-1}], [K, B] with K = D+1+H: the biases are folded into the weights as
//     a column multiplied by a row of ones;
//   - the cell's pre-activations are P blocks of H rows, each ONE matmul W_p [H, K] x z_t [K, B]
//     (no block is sliced out of a wider tensor);
//   - the backward recursion is one matmul per step, W_h^T [H, P·H] x δA_t [P·H, B];
//   - all weight gradients are ONE matmul δA [P·H, T·B] x Z [K, T·B], contracting the last axis
//     of both operands (no transposes in the backend).
//
// The blocks (rows of PyTorch's weights, gate order of torch.nn):
//
//	RNN   a = [W_ih | b_ih+b_hh | W_hh]                          h_t = act(a)
//	LSTM  i, f, g, o: [W_ik | b_ik+b_hk | W_hk]                   as in package recurrent
//	GRU   r, z: [W_ik | b_ik+b_hk | W_hk];  n_x = [W_in | b_in | 0];  n_h = [0 | b_hn | W_hn]
//	      n = tanh(n_x + r ⊙ n_h),  h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
//
// The GRU's zero blocks are constants, so δA's products with Z hold the exact gradients of the
// real weights. Per-step slices are taken only of tensors that are not differentiated (the
// backward is hand-written), so graph size and run time stay linear in T.

// fastSigmoidViaTanh computes the sigmoid gates as (1 + tanh(a/2)) / 2: the Go backend's Tanh
// is several times cheaper per element than its Logistic (which calls math.Exp in float64).
var fastSigmoidViaTanh = true

// fastClearUpper passes each per-step matmul result through clearUpper.
var fastClearUpper = true

// clearUpper returns x through a Concatenate with an empty operand: a copy of x (Go's memmove,
// which for more than 2 KiB ends with VZEROUPPER). The AVX-512/AVX2 matmul kernels of the
// pure-Go backend's SIMD build leave the upper halves of the vector registers dirty, and until
// something clears them, every scalar SSE instruction that follows is slower: math.Tanh took
// about 2.3x longer, the element-wise loops up to 2.7x (docs/notes/simd.md).
func clearUpper(x *Node) *Node {
	if !fastClearUpper {
		return x
	}
	dims := x.Shape().Clone().Dimensions
	dims[0] = 0
	return Concatenate([]*Node{x, Zeros(x.Graph(), shapes.Make(x.DType(), dims...))}, 0)
}

// FastLayerTrace holds one layer's per-step values, all [rows, B].
type FastLayerTrace struct {
	Kind       recurrent.Kind
	B, T, D, H int
	Z          []*Node   // z_t = [x_t; 1; h_{t-1}], [D+1+H, B]
	Acts       [][]*Node // per step, the post-activation blocks: RNN h; LSTM i, f, g, o; GRU r, z, n
	NH         []*Node   // GRU: n_h = W_hn h_{t-1} + b_hn, [H, B]
	C, TC      []*Node   // LSTM: c_t and tanh(c_t), [H, B]
	H0, C0     *Node     // initial states, [H, B]
	Hs         []*Node   // h_t, [H, B]
	W          *Node     // the blocks stacked, [P·H, K] (without the sigmoids' 1/2)
}

// blocks returns the cell's pre-activation blocks [H, K] in the order of FastLayerTrace.Acts
// (the GRU's n block split into n_x, n_h), built from PyTorch's weights.
func fastBlocks(kind recurrent.Kind, p recurrent.LayerParams) []*Node {
	G := kind.Gates()
	H, D := p.WHH.Shape().Dim(1), p.WIH.Shape().Dim(1)
	wih, whh := Split(p.WIH, 0, G), Split(p.WHH, 0, G)
	bih, bhh := Split(p.BIH, 0, G), Split(p.BHH, 0, G)
	col := func(b *Node) *Node { return Reshape(b, H, 1) }
	full := func(k int) *Node { // [W_ik | b_ik + b_hk | W_hk], [H, K]
		return Concatenate([]*Node{wih[k], col(Add(bih[k], bhh[k])), whh[k]}, 1)
	}
	if kind != recurrent.GRU {
		out := make([]*Node, G)
		for k := range G {
			out[k] = full(k)
		}
		return out
	}
	nx := Concatenate([]*Node{wih[2], col(bih[2]), ZerosLike(whh[2])}, 1)
	nh := Concatenate([]*Node{Zeros(p.WIH.Graph(), shapes.Make(p.WIH.DType(), H, D)), col(bhh[2]), whh[2]}, 1)
	return []*Node{full(0), full(1), nx, nh}
}

// sigmoidBlocks reports which blocks go through a sigmoid.
func sigmoidBlock(kind recurrent.Kind, k int) bool {
	switch kind {
	case recurrent.LSTM:
		return k != 2
	case recurrent.GRU:
		return k < 2
	}
	return false
}

// FastLayerForward runs one layer of a classic cell (PyTorch weights p) over the inputs xs
// (T × [D, B]) from h0, c0 ([H, B]; nil for zeros; c0 only for the LSTM).
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
	D, B := xs[0].Shape().Dim(0), xs[0].Shape().Dim(1)
	H := p.WHH.Shape().Dim(1)
	tr := &FastLayerTrace{Kind: kind, B: B, T: T, D: D, H: H}

	w := fastBlocks(kind, p) // P x [H, K]
	tr.W = Concatenate(w, 0) // [P·H, K]
	sigmoid := Sigmoid
	if fastSigmoidViaTanh {
		for k := range w {
			if sigmoidBlock(kind, k) {
				w[k] = MulScalar(w[k], 0.5) // σ(a) = (1 + tanh(a/2)) / 2: the 1/2 folded into the weights
			}
		}
		sigmoid = func(a *Node) *Node { return AddScalar(MulScalar(Tanh(a), 0.5), 0.5) }
	}

	ones := Ones(g, shapes.Make(dt, 1, B))
	h, c := h0, c0
	if h == nil {
		h = Zeros(g, shapes.Make(dt, H, B))
	}
	if kind == recurrent.LSTM && c == nil {
		c = Zeros(g, shapes.Make(dt, H, B))
	}
	tr.H0, tr.C0 = h, c
	for t := range T {
		z := Concatenate([]*Node{xs[t], ones, h}, 0) // [K, B]
		var pre [4]*Node
		for k := range w { // [H, B] each, computed before any activation
			pre[k] = clearUpper(DotGeneral(w[k], []int{1}, nil, z, []int{0}, nil))
		}
		a := func(k int) *Node { return pre[k] }
		var acts []*Node
		switch kind {
		case recurrent.RNNTanh:
			h = Tanh(a(0))
			acts = []*Node{h}
		case recurrent.RNNReLU:
			h = Max(a(0), ZerosLike(h))
			acts = []*Node{h}
		case recurrent.LSTM:
			i, f, gg, o := sigmoid(a(0)), sigmoid(a(1)), Tanh(a(2)), sigmoid(a(3))
			c = Add(Mul(f, c), Mul(i, gg))
			tc := Tanh(c)
			h = Mul(o, tc)
			acts = []*Node{i, f, gg, o}
			tr.C = append(tr.C, c)
			tr.TC = append(tr.TC, tc)
		case recurrent.GRU:
			r, zg, nh := sigmoid(a(0)), sigmoid(a(1)), a(3)
			n := Tanh(Add(a(2), Mul(r, nh)))
			h = Add(n, Mul(zg, Sub(h, n))) // (1 - z) ⊙ n + z ⊙ h_{t-1}
			acts = []*Node{r, zg, n}
			tr.NH = append(tr.NH, nh)
		}
		tr.Z = append(tr.Z, z)
		tr.Acts = append(tr.Acts, acts)
		tr.Hs = append(tr.Hs, h)
	}
	return tr
}

// FastLayerGrads runs the adjoint recursion backward through one layer. dH[t] is the direct
// gradient ∂L/∂h_t [H, B] (nil where no loss reads h_t). It returns the weight gradients in
// PyTorch's layout and recurrent.ParamNames order (weight_ih, weight_hh, bias_ih, bias_hh) and,
// if wantDX, ∂L/∂x_t [D, B] for every step (the direct gradient of the layer below).
func FastLayerGrads(tr *FastLayerTrace, dH []*Node, wantDX bool) (grads []*Node, dX []*Node) {
	if len(dH) != tr.T {
		panic(fmt.Errorf("bptt.FastLayerGrads: %d direct gradients for %d steps", len(dH), tr.T))
	}
	T, D, H := tr.T, tr.D, tr.H
	wHT := Transpose(SliceAxis(tr.W, 1, AxisRange(D+1, D+1+H)), 0, 1) // [H, P·H]
	dA := make([]*Node, T)                                            // δA_t: the gradients of the pre-activation blocks, [P·H, B]
	var back, dc *Node                                                // the recurrent part of δh_{t-1}, and (LSTM) δc_{t-1}
	for t := T - 1; t >= 0; t-- {
		dh := dH[t]
		switch {
		case dh == nil:
			dh = back
		case back != nil:
			dh = Add(dh, back)
		}
		if dh == nil { // no gradient reaches this step or any before it from above
			dh = ZerosLike(tr.Hs[t])
		}
		hPrev := tr.H0
		if t > 0 {
			hPrev = tr.Hs[t-1]
		}
		acts := tr.Acts[t]
		var blocks []*Node
		var direct *Node // a part of δh_{t-1} that bypasses the weights (GRU)
		switch tr.Kind {
		case recurrent.RNNTanh:
			blocks = []*Node{Mul(dh, OneMinus(Square(acts[0])))} // δa = δh ⊙ (1 - h²)
		case recurrent.RNNReLU:
			blocks = []*Node{Where(GreaterThan(acts[0], ZerosLike(dh)), dh, ZerosLike(dh))} // δh ⊙ [h > 0]
		case recurrent.LSTM:
			i, f, g, o := acts[0], acts[1], acts[2], acts[3]
			cPrev := tr.C0
			if t > 0 {
				cPrev = tr.C[t-1]
			}
			tc := tr.TC[t]
			dcT := Mul(Mul(dh, o), OneMinus(Square(tc)))
			if dc != nil {
				dcT = Add(dc, dcT)
			}
			blocks = []*Node{
				Mul(Mul(dcT, g), Mul(i, OneMinus(i))),     // δa_i
				Mul(Mul(dcT, cPrev), Mul(f, OneMinus(f))), // δa_f
				Mul(Mul(dcT, i), OneMinus(Square(g))),     // δa_g
				Mul(Mul(dh, tc), Mul(o, OneMinus(o))),     // δa_o
			}
			dc = Mul(dcT, f)
		case recurrent.GRU:
			r, z, n := acts[0], acts[1], acts[2]
			dn := Mul(Mul(dh, OneMinus(z)), OneMinus(Square(n))) // δ(n_x + r ⊙ n_h)
			blocks = []*Node{
				Mul(Mul(dn, tr.NH[t]), Mul(r, OneMinus(r))),      // δa_r
				Mul(Mul(dh, Sub(hPrev, n)), Mul(z, OneMinus(z))), // δa_z
				dn,         // δn_x
				Mul(dn, r), // δn_h
			}
			direct = Mul(dh, z)
		}
		dA[t] = blocks[0]
		if len(blocks) > 1 {
			dA[t] = Concatenate(blocks, 0) // [P·H, B]
		}
		if t > 0 {
			back = clearUpper(DotGeneral(wHT, []int{1}, nil, dA[t], []int{0}, nil)) // [H, B]
			if direct != nil {
				back = Add(back, direct)
			}
		}
	}
	if wantDX {
		wXT := Transpose(SliceAxis(tr.W, 1, AxisRange(0, D)), 0, 1) // [D, P·H]
		dX = make([]*Node, T)
		for t := range T {
			dX[t] = clearUpper(DotGeneral(wXT, []int{1}, nil, dA[t], []int{0}, nil)) // [D, B]
		}
	}
	// All weight gradients at once: [P·H, T·B] x [K, T·B], contracting the last axis of both.
	dW := clearUpper(DotGeneral(Concatenate(dA, 1), []int{1}, nil, Concatenate(tr.Z, 1), []int{1}, nil)) // [P·H, K]
	cols := func(rows *Node) (wih, b, whh *Node) {
		return SliceAxis(rows, 1, AxisRange(0, D)), Reshape(SliceAxis(rows, 1, AxisElem(D)), rows.Shape().Dim(0)),
			SliceAxis(rows, 1, AxisRange(D+1, D+1+H))
	}
	if tr.Kind != recurrent.GRU {
		wih, b, whh := cols(dW)
		return []*Node{wih, whh, b, b}, dX
	}
	// GRU: the input side is blocks r, z, n_x (rows 0..3H), the hidden side r, z, n_h.
	wih, bih, _ := cols(SliceAxis(dW, 0, AxisRange(0, 3*H)))
	_, bhh, whh := cols(Concatenate([]*Node{SliceAxis(dW, 0, AxisRange(0, 2*H)), SliceAxis(dW, 0, AxisRange(3*H, 4*H))}, 0))
	return []*Node{wih, whh, bih, bhh}, dX
}
