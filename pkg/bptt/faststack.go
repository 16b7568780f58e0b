package bptt

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// FastStack is the fast path through a stack of layers: layer l > 0 reads the hidden states
// of layer l-1, step by step, in the batch-first layout.
type FastStack struct {
	Layers []*FastLayerTrace
}

// FastForward runs a stack of classic layers (params in recurrent.ParamNames order) over x
// [B, T, D] from h0, c0 ([L, B, H]; nil for zeros; c0 only for the LSTM), as
// recurrent.Forward does, recording what FastGrads needs.
func FastForward(kind recurrent.Kind, params []*Node, x, h0, c0 *Node) *FastStack {
	if x.Rank() != 3 {
		panic(fmt.Errorf("bptt.FastForward: x must be [B, T, D], got %s", x.Shape()))
	}
	layers := recurrent.SplitParams(params)
	xs := fastSteps(x)                    // T x [B, D]
	state := func(s *Node, l int) *Node { // [L, B, H] -> layer l's [B, H]
		if s == nil {
			return nil
		}
		return Reshape(SliceAxis(s, 0, AxisElem(l)), s.Shape().Dim(1), s.Shape().Dim(2))
	}
	st := &FastStack{}
	for l, p := range layers {
		var c *Node
		if kind == recurrent.LSTM {
			c = state(c0, l)
		}
		tr := FastLayerForward(kind, p, xs, state(h0, l), c)
		st.Layers = append(st.Layers, tr)
		xs = tr.HT
	}
	return st
}

// fastSteps splits a batch-first sequence v [B, T, F] into its T steps [B, F]: one transpose to
// [T, B, F] (the backend copies rows of F values for this permutation), then each step's block,
// contiguous there, by a Gather, which the backend does as one copy (a Slice copies element by
// element, about twice as long here; slicing v itself reads rows T·F values apart, which also
// collide in the cache).
func fastSteps(v *Node) []*Node {
	T := v.Shape().Dim(1)
	vT := TransposeAllDims(v, 1, 0, 2) // [T, B, F]
	steps := make([]*Node, T)
	for t := range T {
		steps[t] = Gather(vT, Const(v.Graph(), []int32{int32(t)})) // [B, F]
	}
	return steps
}

// Out returns the top layer's hidden states h_1..h_T as [B, T, H] (PyTorch's batch-first output).
func (st *FastStack) Out() *Node {
	top := st.Layers[len(st.Layers)-1]
	hs := Reshape(Concatenate(top.HT, 0), top.T, top.B, top.H) // [T, B, H]: the h_t copied one after the other
	return TransposeAllDims(hs, 1, 0, 2)                       // [B, T, H]: rows of H values copied into place
}

// Final returns the final states h_T and (LSTM; nil otherwise) c_T of every layer, [L, B, H].
func (st *FastStack) Final() (hn, cn *Node) {
	var hs, cs []*Node
	for _, tr := range st.Layers {
		hs = append(hs, tr.HT[tr.T-1])
		if tr.Kind == recurrent.LSTM {
			cs = append(cs, tr.C[tr.T-1])
		}
	}
	hn = Stack(hs, 0)
	if cs != nil {
		cn = Stack(cs, 0)
	}
	return hn, cn
}

// FastGrads runs the adjoint recursion backward through the stack, top layer first, given the
// direct gradients of the top layer's hidden states. dH is either [B, T, H], a gradient at
// every step (a loss on every step's output), or [B, H], a gradient at the last hidden state h_T
// only (a loss on the last step, as in the adding problem); no gradient arrives at the final
// states otherwise. It returns the weight gradients in recurrent.ParamNames order. Any other
// shape of dH panics, as graph-building errors do.
func FastGrads(st *FastStack, dH *Node) []*Node {
	top := st.Layers[len(st.Layers)-1]
	B, T, H := top.B, top.T, top.H
	direct := make([]*Node, T)
	switch dims := dH.Shape().Dimensions; {
	case len(dims) == 3 && dims[0] == B && dims[1] == T && dims[2] == H:
		direct = fastSteps(dH)
	case len(dims) == 2 && dims[0] == B && dims[1] == H:
		direct[T-1] = dH
	default:
		panic(fmt.Errorf("bptt.FastGrads: dH must be [B, T, H] = [%d, %d, %d] or [B, H] = [%d, %d], got %s",
			B, T, H, B, H, dH.Shape()))
	}
	L := len(st.Layers)
	grads := make([]*Node, recurrent.ParamsPerLayer*L)
	for l := L - 1; l >= 0; l-- {
		g, dX := FastLayerGrads(st.Layers[l], direct, l > 0)
		copy(grads[recurrent.ParamIndex(l, recurrent.WeightIH):], g)
		direct = dX
	}
	return grads
}
