package recurrent

import (
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
)

// projection is one layer's recurrent projections y_{t,k} = h_{t-1} W_hk^T, one per gate k, with
// a custom reverse-mode gradient. The forward pass is the plain matmul
//
//	y_{t,k} = h_{t-1} [B, H_in] x W_hk^T [H_in, H_out]          (contraction axis last, then first)
//
// Given the gradients v_{t,k} = dL/dy_{t,k} [B, H_out] (zeros where none arrives), the backward
// pass is
//
//	dL/dh_{t-1} += [v_{t,0} ... v_{t,G-1}] [B, G*H_out] x W_hh [G*H_out, H_in]      one per step
//	dL/dW_hh^T   = Transpose(concat_t h_{t-1}) [H_in, T*B] x concat_t [v_{t,0} ... v_{t,G-1}] [T*B, G*H_out]
//
// the second one once per layer, as one large matmul, instead of T*G small ones. Each y_{t,k}
// also passes through clearUpper (clearupper.go) before the activations.
//
// Why: both are matmuls in the layout the Go backend runs fastest ([N,K] x [K,M]). GoMLX's own
// VJP of h x W^T contracts the batch axis for dW^T (v^T h) and the last axis of both operands for
// dh (v x (W^T)^T): the backend then transposes both operands element by element and runs its
// "Transposed" small-matmul kernel, one output element at a time with a horizontal reduction.
// That was most of the autodiff train step (docs/notes/simd.md). Measured (B=32, D=8, H=64,
// T=256, ms per step, before -> after, without clearUpper): SIMD build rnn 66 -> 40, lstm
// 293 -> 204, gru 227 -> 152; plain build rnn 87 -> 77, lstm 344 -> 289, gru 251 -> 222.
//
// How it is attached (the mechanism of SplitTime): graph.IdentityWithCustomGradient on
// W_hh^T (per layer), on h_{t-1} (per step) and on each y_{t,k}. Reverse-mode autodiff visits
// nodes in reverse creation order, so each y_{t,k} receives its gradient first and saves it,
// then h_{t-1}'s identity returns dL/dh_{t-1} from the saved v_{t,k}, and W_hh^T's identity,
// created before the time loop, comes last. The gradients that GoMLX's own DotGeneral VJP would
// compute (and the Slice that is clearUpper's VJP) are ignored, hence never used, and dropped
// when the graph is compiled.
//
// Guarded by TestProjectionVJPMatchesAutodiff (against GoMLX's plain VJP, switched with
// plainProjectionVJP) and TestGradientsFiniteDifferences.
type projection struct {
	whh  *Node     // W_hh [G*H_out, H_in], PyTorch's layout: dh = v W_hh
	whhT []*Node   // G blocks W_hk^T [H_in, H_out], the forward's operands
	hs   []*Node   // per step, h_{t-1} [B, H_in]
	vs   [][]*Node // per step and gate, v_{t,k} [B, H_out]; nil where no gradient arrived
}

// plainProjectionVJP makes newProjection build the plain h x W^T graph, differentiated by
// GoMLX's own VJP. Tests only: it is the reference of TestProjectionVJPMatchesAutodiff.
var plainProjectionVJP = false

// newProjection prepares the recurrent projections of one layer, whh = W_hh [G*H, H_in].
// It is called once per layer, before the time loop.
func newProjection(whh *Node, G int) *projection {
	p := &projection{whh: whh}
	if plainProjectionVJP {
		for _, w := range Split(whh, 0, G) {
			p.whhT = append(p.whhT, Transpose(w, 0, 1)) // [H_in, H_out]
		}
		return p
	}
	g := whh.Graph()
	wT := IdentityWithCustomGradient(Transpose(whh, 0, 1), func(_, _ *Node) *Node { // [H_in, G*H_out]
		vs := make([]*Node, len(p.vs))
		for t := range p.vs {
			vs[t] = p.stepGradient(g, t)
		}
		for t := range p.vs { // reset, in case Gradient is called again on this graph
			p.vs[t] = make([]*Node, len(p.whhT))
		}
		hs := Concatenate(p.hs, 0) // [T*B, H_in]
		v := Concatenate(vs, 0)    // [T*B, G*H_out]
		return DotGeneral(Transpose(hs, 0, 1), []int{1}, nil, v, []int{0}, nil)
	})
	p.whhT = Split(wT, 1, G) // G x [H_in, H_out]
	return p
}

// stepGradient returns step t's gate gradients side by side, [v_{t,0} ... v_{t,G-1}]
// [B, G*H_out], with zeros for a gate whose output received no gradient.
func (p *projection) stepGradient(g *Graph, t int) *Node {
	h := p.hs[t]
	parts := make([]*Node, len(p.whhT))
	for k, v := range p.vs[t] {
		if v == nil {
			v = Zeros(g, shapes.Make(h.DType(), h.Shape().Dim(0), p.whhT[k].Shape().Dim(1))) // [B, H_out]
		}
		parts[k] = v
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return Concatenate(parts, 1)
}

// step returns the G projections h W_hk^T [B, H_out] of one time step; h is h_{t-1} [B, H_in].
func (p *projection) step(h *Node) []*Node {
	ys := make([]*Node, len(p.whhT))
	if plainProjectionVJP {
		for k, wT := range p.whhT {
			ys[k] = DotGeneral(h, []int{1}, nil, wT, []int{0}, nil)
		}
		return ys
	}
	t := len(p.hs)
	p.hs = append(p.hs, h)
	p.vs = append(p.vs, make([]*Node, len(p.whhT)))
	hI := IdentityWithCustomGradient(h, func(_, _ *Node) *Node {
		v := p.stepGradient(h.Graph(), t)                         // [B, G*H_out]
		return DotGeneral(v, []int{1}, nil, p.whh, []int{0}, nil) // [B, H_in]
	})
	for k, wT := range p.whhT {
		y := clearUpper(DotGeneral(hI, []int{1}, nil, wT, []int{0}, nil)) // [B, H_out]
		ys[k] = IdentityWithCustomGradient(y, func(_, v *Node) *Node {
			p.vs[t][k] = v
			return v
		})
	}
	return ys
}
