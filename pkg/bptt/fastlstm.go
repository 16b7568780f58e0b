package bptt

import (
	"fmt"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// Experimental: a one-layer LSTM forward and hand-written backward in a features-by-batch
// layout, following the prototype recorded in docs/notes/gomlx.md (section "Graph building and
// speed on the pure-Go backend"):
//
//   - every per-step operand is [K, B] (features first, batch last);
//   - each gate's pre-activation is ONE matmul W_k [H, K] x z_t [K, B], where
//     z_t = [x_t; 1; h_{t-1}] (K = D+1+H) and W_k = [W_ik | b_ik+b_hk | W_hk]: the bias is folded
//     in as a row of ones, and no gate is sliced out of a wider tensor;
//   - the backward recursion is one matmul per step, W_hh^T [H, 4H] x δa_t [4H, B];
//   - all weight gradients are ONE matmul δA [4H, T*B] x Z [K, T*B] contracting the last axis of
//     both operands (no transposes in the backend).
//
// Per-step slices are taken only of tensors that are not differentiated (the backward is
// hand-written), so graph size and run time stay linear in T.

// fastSigmoidViaTanh computes the sigmoid gates as (1 + tanh(a/2)) / 2: the Go backend's Tanh
// is several times cheaper per element than its Logistic (which calls math.Exp in float64).
var fastSigmoidViaTanh = true

// fastFusedGates runs the four gate matmuls of a forward step as one [4H, K] x [K, B] matmul
// followed by row slices, instead of four [H, K] x [K, B] matmuls.
var fastFusedGates = false

// FastLSTMTrace holds the per-step values of FastLSTMForward, all [rows, B].
type FastLSTMTrace struct {
	B, T, D, H int
	Z          []*Node    // z_t = [x_t; 1; h_{t-1}], [D+1+H, B]
	Gates      [][4]*Node // post-activation i, f, g, o, [H, B]
	C          []*Node    // c_t, [H, B]
	TC         []*Node    // tanh(c_t), [H, B]
	C0         *Node      // [H, B]
	Hs         []*Node    // h_t, [H, B]
	WHHT       *Node      // W_hh^T [H, 4H]
}

// FastLSTMForward runs one LSTM layer (PyTorch weights p, gate order i, f, g, o) over x
// [B, T, D] from h0, c0 ([B, H], nil for zeros) in the features-by-batch layout.
func FastLSTMForward(p recurrent.LayerParams, x, h0, c0 *Node) *FastLSTMTrace {
	g := x.Graph()
	dt := x.DType()
	B, T, D := x.Shape().Dim(0), x.Shape().Dim(1), x.Shape().Dim(2)
	H := p.WHH.Shape().Dim(1)
	tr := &FastLSTMTrace{B: B, T: T, D: D, H: H}

	// Gate weights with the bias as an extra column: W_k = [W_ik | b_ik + b_hk | W_hk], [H, K].
	wih, whh := Split(p.WIH, 0, 4), Split(p.WHH, 0, 4)
	bias := Split(Add(p.BIH, p.BHH), 0, 4)
	var w [4]*Node
	for k := range 4 {
		w[k] = Concatenate([]*Node{wih[k], Reshape(bias[k], H, 1), whh[k]}, 1)
		if k != 2 && fastSigmoidViaTanh {
			w[k] = MulScalar(w[k], 0.5) // σ(a) = (1 + tanh(a/2)) / 2: the 1/2 folded into the weights
		}
	}
	wAll := Concatenate(w[:], 0) // [4H, K]
	sigmoid := Sigmoid
	if fastSigmoidViaTanh {
		sigmoid = func(a *Node) *Node { return AddScalar(MulScalar(Tanh(a), 0.5), 0.5) }
	}
	tr.WHHT = Transpose(p.WHH, 0, 1) // [H, 4H]

	// x [B, T, D] -> [T, D+1, B] with a row of ones: one transpose for the whole sequence.
	x1 := Concatenate([]*Node{TransposeAllDims(x, 1, 2, 0), Ones(g, shapes.Make(dt, T, 1, B))}, 1)

	toHB := func(s *Node) *Node { // [B, H] -> [H, B]
		return Transpose(s, 0, 1)
	}
	var h, c *Node
	if h0 != nil {
		h = toHB(h0)
	} else {
		h = Zeros(g, shapes.Make(dt, H, B))
	}
	if c0 != nil {
		c = toHB(c0)
	} else {
		c = Zeros(g, shapes.Make(dt, H, B))
	}
	tr.C0 = c
	for t := range T {
		xt := Reshape(SliceAxis(x1, 0, AxisElem(t)), D+1, B)
		z := Concatenate([]*Node{xt, h}, 0)                                                 // [K, B]
		a := func(k int) *Node { return DotGeneral(w[k], []int{1}, nil, z, []int{0}, nil) } // [H, B]
		if fastFusedGates {                                                                 // one [4H, K] x [K, B] matmul, then row blocks (contiguous slices)
			all := DotGeneral(wAll, []int{1}, nil, z, []int{0}, nil)
			a = func(k int) *Node { return SliceAxis(all, 0, AxisRange(k*H, (k+1)*H)) }
		}
		i, f, gg, o := sigmoid(a(0)), sigmoid(a(1)), Tanh(a(2)), sigmoid(a(3))
		c = Add(Mul(f, c), Mul(i, gg))
		tc := Tanh(c)
		h = Mul(o, tc)
		tr.Z = append(tr.Z, z)
		tr.Gates = append(tr.Gates, [4]*Node{i, f, gg, o})
		tr.C = append(tr.C, c)
		tr.TC = append(tr.TC, tc)
		tr.Hs = append(tr.Hs, h)
	}
	return tr
}

// Out returns the hidden states h_1..h_T as [B, T, H] (PyTorch's batch-first output).
func (tr *FastLSTMTrace) Out() *Node {
	return TransposeAllDims(Stack(tr.Hs, 0), 2, 0, 1) // [T, H, B] -> [B, T, H]
}

// FastLSTMGrads runs the adjoint recursion backward through tr, given the direct gradients
// dH = ∂L/∂h_t, and returns the weight gradients in PyTorch's layout and ParamNames order:
// weight_ih [4H, D], weight_hh [4H, H], bias_ih [4H], bias_hh [4H] (the two bias gradients are
// the same node). dH is either [B, T, H], a gradient at every step (no other gradient arrives
// at the final states), or [B, H], a gradient at the last hidden state h_T only (a loss on the
// last step, as in the adding problem); any other shape panics, as graph-building errors do.
func FastLSTMGrads(tr *FastLSTMTrace, dH *Node) []*Node {
	B, T, D, H := tr.B, tr.T, tr.D, tr.H
	var direct func(t int) *Node // ∂L/∂h_t as [H, B], or nil where no loss reads h_t
	switch dims := dH.Shape().Dimensions; {
	case len(dims) == 3 && dims[0] == B && dims[1] == T && dims[2] == H:
		dHT := TransposeAllDims(dH, 1, 2, 0) // [T, H, B]: one transpose for the whole sequence
		direct = func(t int) *Node { return Reshape(SliceAxis(dHT, 0, AxisElem(t)), H, B) }
	case len(dims) == 2 && dims[0] == B && dims[1] == H:
		last := Transpose(dH, 0, 1) // [H, B]
		direct = func(t int) *Node {
			if t == T-1 {
				return last
			}
			return nil
		}
	default:
		panic(fmt.Errorf("bptt.FastLSTMGrads: dH must be [B, T, H] = [%d, %d, %d] or [B, H] = [%d, %d], got %s",
			B, T, H, B, H, dH.Shape()))
	}
	dA := make([]*Node, T) // δa_t = [δa_i; δa_f; δa_g; δa_o], [4H, B]
	var back, dc *Node     // W_hh^T δa_{t+1} and δc_t (after ⊙ f_{t+1})
	for t := T - 1; t >= 0; t-- {
		dh := direct(t)
		switch {
		case dh == nil:
			dh = back
		case back != nil:
			dh = Add(dh, back)
		}
		i, f, g, o := tr.Gates[t][0], tr.Gates[t][1], tr.Gates[t][2], tr.Gates[t][3]
		tc := tr.TC[t]
		cPrev := tr.C0
		if t > 0 {
			cPrev = tr.C[t-1]
		}
		dcT := Mul(Mul(dh, o), OneMinus(Square(tc)))
		if dc != nil {
			dcT = Add(dc, dcT)
		}
		dai := Mul(Mul(dcT, g), Mul(i, OneMinus(i)))
		daf := Mul(Mul(dcT, cPrev), Mul(f, OneMinus(f)))
		dag := Mul(Mul(dcT, i), OneMinus(Square(g)))
		dao := Mul(Mul(dh, tc), Mul(o, OneMinus(o)))
		dA[t] = Concatenate([]*Node{dai, daf, dag, dao}, 0) // [4H, B]
		if t > 0 {
			back = DotGeneral(tr.WHHT, []int{1}, nil, dA[t], []int{0}, nil) // [H, B]
			dc = Mul(dcT, f)
		}
	}
	// All weight gradients at once: [4H, T*B] x [K, T*B], contracting the last axis of both.
	dAll := Concatenate(dA, 1)
	zAll := Concatenate(tr.Z, 1)
	dW := DotGeneral(dAll, []int{1}, nil, zAll, []int{1}, nil) // [4H, K]
	gWIH := SliceAxis(dW, 1, AxisRange(0, D))
	gB := Reshape(SliceAxis(dW, 1, AxisElem(D)), 4*H)
	gWHH := SliceAxis(dW, 1, AxisRange(D+1, D+1+H))
	return []*Node{gWIH, gWHH, gB, gB}
}

// FastLSTMTraceFrom converts the trace of the existing forward pass (recurrent.RunLayer, [B, H]
// per step) of an LSTM layer with weights p to the features-by-batch layout, so that
// FastLSTMGrads can run without a second forward pass. It transposes each per-step family
// (gates, cell and hidden states) once as a whole [T, B, H] -> [T, H, B].
func FastLSTMTraceFrom(tr *recurrent.Trace, p recurrent.LayerParams) *FastLSTMTrace {
	x := tr.X
	g := x.Graph()
	B, T, D := x.Shape().Dim(0), x.Shape().Dim(1), x.Shape().Dim(2)
	H := p.WHH.Shape().Dim(1)
	ft := &FastLSTMTrace{B: B, T: T, D: D, H: H, WHHT: Transpose(p.WHH, 0, 1)}
	thb := func(steps []*Node) *Node { // T x [B, H] -> [T, H, B]
		return TransposeAllDims(recurrent.StackTime(steps, 0), 0, 2, 1)
	}
	step := func(n *Node, t int) *Node { return Reshape(SliceAxis(n, 0, AxisElem(t)), H, B) }
	var gates [4][]*Node
	for _, gs := range tr.Gates {
		for k := range 4 {
			gates[k] = append(gates[k], gs[k])
		}
	}
	var gT [4]*Node
	for k := range 4 {
		gT[k] = thb(gates[k])
	}
	c := thb(tr.C)
	tc := Tanh(c)
	hPrev := thb(append([]*Node{tr.H0}, tr.H[:T-1]...))
	x1 := Concatenate([]*Node{TransposeAllDims(x, 1, 2, 0), Ones(g, shapes.Make(x.DType(), T, 1, B))}, 1)
	ft.C0 = Transpose(tr.C0, 0, 1)
	for t := range T {
		xt := Reshape(SliceAxis(x1, 0, AxisElem(t)), D+1, B)
		ft.Z = append(ft.Z, Concatenate([]*Node{xt, step(hPrev, t)}, 0))
		ft.Gates = append(ft.Gates, [4]*Node{step(gT[0], t), step(gT[1], t), step(gT[2], t), step(gT[3], t)})
		ft.C = append(ft.C, step(c, t))
		ft.TC = append(ft.TC, step(tc, t))
	}
	return ft
}
