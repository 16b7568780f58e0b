package bptt

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// LayerGrads are the gradients of one layer, from Adjoint.
type LayerGrads struct {
	WIH, WHH, BIH, BHH *Node   // same shapes as the weights
	DX                 []*Node // ∂L/∂x_t for each step, [B, D]
	DH0, DC0           *Node   // ∂L/∂h_0 and (LSTM) ∂L/∂c_0, [B, H]
}

// CheckSupported says whether Adjoint handles a cell kind (nil) or why not: it handles every
// classic cell (the vanilla RNNs, the LSTM and the GRU; not the parallel minGRU/minLSTM, which
// have no h-to-h recursion).
func CheckSupported(kind recurrent.Kind) error {
	switch kind {
	case recurrent.RNNTanh, recurrent.RNNReLU, recurrent.LSTM, recurrent.GRU:
		return nil
	}
	return fmt.Errorf("bptt: the hand-written adjoint exists for rnn_tanh, rnn_relu, lstm and gru, not %q "+
		"(use autodiff for it)", kind)
}

// Adjoint runs the adjoint recursion backward in time through one layer.
//
//   - tr is the layer's forward trace (recurrent.RunLayer) and p its weights.
//   - dH[t] is the direct gradient g_t = ∂ℓ/∂h_t [B, H] arriving from above (nil for none).
//   - dhT, dcT are the gradients arriving at the final states (nil for none).
func Adjoint(tr *recurrent.Trace, p recurrent.LayerParams, dH []*Node, dhT, dcT *Node) LayerGrads {
	if err := CheckSupported(tr.Kind); err != nil {
		panic(err)
	}
	G := tr.Kind.Gates()
	T := len(tr.H)
	whh := p.GateBlocks(tr.Kind, recurrent.WeightHH) // G x [H, H], PyTorch's gate order
	wih := p.GateBlocks(tr.Kind, recurrent.WeightIH) // G x [H, D]
	zero := ZerosLike(tr.H0)
	at := func(list []*Node, t int) *Node {
		if list == nil || list[t] == nil {
			return zero
		}
		return list[t]
	}
	dh := at(dH, T-1)
	if dhT != nil {
		dh = Add(dh, dhT)
	}
	var dc *Node
	if tr.Kind == recurrent.LSTM {
		dc = zero
		if dcT != nil {
			dc = dcT
		}
	}
	da := make([][]*Node, G) // per gate, per step: δa_k,t [B, H]
	for k := range da {
		da[k] = make([]*Node, T)
	}
	// The GRU's n gate is the one place where the input and hidden pre-activations get different
	// gradients: n = tanh(a_in + r ⊙ a_hn), so δa_hn = δa_n ⊙ r (per step, [B, H]).
	var daHN []*Node
	if tr.Kind == recurrent.GRU {
		daHN = make([]*Node, T)
	}
	hidden := func(k int) []*Node { // per step, the gradient of gate k's hidden pre-activation W_hk h + b_hk
		if daHN != nil && recurrent.Gate(k) == recurrent.GRUNew {
			return daHN
		}
		return da[k]
	}
	for t := T - 1; t >= 0; t-- { // backward in time: step t waits for step t+1
		h := tr.H[t]
		switch tr.Kind {
		case recurrent.RNNTanh:
			da[recurrent.RNNGate][t] = Mul(dh, OneMinus(Square(h))) // δa = δh ⊙ (1 - h²)
		case recurrent.RNNReLU:
			da[recurrent.RNNGate][t] = Where(GreaterThan(h, ZerosLike(h)), dh, ZerosLike(dh)) // δa = δh ⊙ [h > 0]
		case recurrent.LSTM:
			gs := tr.LSTM(t)
			i, f, g, o := gs.I, gs.F, gs.G, gs.O
			cPrev := tr.C0
			if t > 0 {
				cPrev = tr.C[t-1]
			}
			tc := Tanh(tr.C[t])                                                    // [B, H]
			dc = Add(dc, Mul(Mul(dh, o), OneMinus(Square(tc))))                    // δc_t
			da[recurrent.LSTMInput][t] = Mul(Mul(dc, g), Mul(i, OneMinus(i)))      // δa_i
			da[recurrent.LSTMForget][t] = Mul(Mul(dc, cPrev), Mul(f, OneMinus(f))) // δa_f
			da[recurrent.LSTMCandidate][t] = Mul(Mul(dc, i), OneMinus(Square(g)))  // δa_g
			da[recurrent.LSTMOutput][t] = Mul(Mul(dh, tc), Mul(o, OneMinus(o)))    // δa_o
			dc = Mul(dc, f)                                                        // δc_{t-1} (before adding step t-1's own term)
		case recurrent.GRU: // h = (1 - z) ⊙ n + z ⊙ h_prev
			gs := tr.GRU(t)
			r, z, n, hn := gs.R, gs.Z, gs.N, gs.HN // hn = W_hn h_prev + b_hn
			hPrev := tr.H0
			if t > 0 {
				hPrev = tr.H[t-1]
			}
			dan := Mul(Mul(dh, OneMinus(z)), OneMinus(Square(n)))                         // δa_n = δh ⊙ (1 - z) ⊙ (1 - n²)
			da[recurrent.GRUReset][t] = Mul(Mul(dan, hn), Mul(r, OneMinus(r)))            // δa_r = δa_n ⊙ hn ⊙ r(1 - r)
			da[recurrent.GRUUpdate][t] = Mul(Mul(dh, Sub(hPrev, n)), Mul(z, OneMinus(z))) // δa_z = δh ⊙ (h_prev - n) ⊙ z(1 - z)
			da[recurrent.GRUNew][t] = dan                                                 // δa_in
			daHN[t] = Mul(dan, r)                                                         // δa_hn
		}
		// δh_{t-1} = g_{t-1} + Σ_k δa_hk W_hk: [B, H] x [H, H], contracting δa's H with W_hh's rows
		// (plus δh ⊙ z for the GRU, whose h_t holds z ⊙ h_{t-1} directly).
		var back *Node
		if tr.Kind == recurrent.GRU {
			back = Mul(dh, tr.GRU(t).Z)
		}
		for k := range G {
			term := DotGeneral(hidden(k)[t], []int{1}, nil, whh[k], []int{0}, nil)
			if back == nil {
				back = term
			} else {
				back = Add(back, term)
			}
		}
		if t > 0 {
			dh = Add(at(dH, t-1), back)
		} else {
			dh = back
		}
	}
	grads := LayerGrads{DH0: dh}
	if tr.Kind == recurrent.LSTM {
		grads.DC0 = dc
	}

	// The parallel part: sums over time as one contraction over (batch, time) each.
	hPrev := seq.StackTime(append([]*Node{tr.H0}, tr.H[:T-1]...), 1) // [B, T, H]
	var gWIH, gWHH, gBI, gBH []*Node
	var dX *Node
	for k := range G {
		dak := seq.StackTime(da[k], 1) // [B, T, H]
		dhk := dak                     // the hidden pre-activation's gradient
		if daHN != nil && recurrent.Gate(k) == recurrent.GRUNew {
			dhk = seq.StackTime(hidden(k), 1)
		}
		gWIH = append(gWIH, DotGeneral(dak, []int{0, 1}, nil, tr.X, []int{0, 1}, nil))  // [H, D]
		gWHH = append(gWHH, DotGeneral(dhk, []int{0, 1}, nil, hPrev, []int{0, 1}, nil)) // [H, H]
		gBI = append(gBI, ReduceSum(dak, 0, 1))                                         // [H]
		gBH = append(gBH, ReduceSum(dhk, 0, 1))                                         // [H]
		dxk := DotGeneral(dak, []int{2}, nil, wih[k], []int{0}, nil)                    // [B, T, D]
		if dX == nil {
			dX = dxk
		} else {
			dX = Add(dX, dxk)
		}
	}
	grads.WIH = Concatenate(gWIH, 0)
	grads.WHH = Concatenate(gWHH, 0)
	grads.BIH = Concatenate(gBI, 0)
	grads.BHH = Concatenate(gBH, 0) // = BIH but for the GRU's n gate
	grads.DX = seq.SplitTime(dX, 1) // T x [B, D]
	return grads
}

// StackAdjoint runs Adjoint through a stack of layers, top to bottom: the ∂L/∂x_t of layer l
// is the direct gradient arriving at layer l-1's h_t. dOut[t] is ∂L/∂(top h_t); dhn and dcn
// ([L] lists of [B, H], entries may be nil) arrive at the final states. It returns the weight
// gradients in recurrent.ParamNames order, ∂L/∂x_t of the bottom layer, and ∂L/∂h_0, ∂L/∂c_0
// per layer.
func StackAdjoint(traces []*recurrent.Trace, params []*Node, dOut []*Node, dhn, dcn []*Node) (
	weightGrads []*Node, dX []*Node, dh0, dc0 []*Node) {
	layers := recurrent.SplitParams(params)
	L := len(layers)
	gradLayers := make([]recurrent.LayerParams, L)
	dh0, dc0 = make([]*Node, L), make([]*Node, L)
	d := dOut
	get := func(list []*Node, l int) *Node {
		if list == nil {
			return nil
		}
		return list[l]
	}
	for l := L - 1; l >= 0; l-- {
		g := Adjoint(traces[l], layers[l], d, get(dhn, l), get(dcn, l))
		gradLayers[l] = recurrent.LayerParams{WIH: g.WIH, WHH: g.WHH, BIH: g.BIH, BHH: g.BHH}
		dh0[l], dc0[l] = g.DH0, g.DC0
		d = g.DX
	}
	return recurrent.Params(gradLayers), d, dh0, dc0
}
