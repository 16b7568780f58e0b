package scan

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// ReverseAdjoint returns the gradients of a loss L with respect to a, b and h0, given the
// forward result h = scan(a, b, h0) and g = ∂L/∂h (the gradient arriving at every h_t), all
// [B, T, ...] (h0 [B, ...] or nil). It runs one linear scan backwards in time with the form
// scan (nil means Blelloch):
//
//	δh_t = g_t + a_{t+1} ⊙ δh_{t+1}              (a reversed scan with coefficients a_{t+1})
//	∂L/∂b_t = δh_t,  ∂L/∂a_t = δh_t ⊙ h_{t-1},  ∂L/∂h0 = a_0 ⊙ δh_0
//
// with h_{-1} = h0 (zeros when nil). dh0 is nil when h0 is nil. The backward pass so has the
// same work and depth as the forward pass of the chosen form.
func ReverseAdjoint(scan Func, a, h, h0, g *Node) (da, db, dh0 *Node) {
	if scan == nil {
		scan = Blelloch
	}
	af, hf, h0f, l := prepare(a, h, h0)
	if !g.Shape().Equal(a.Shape()) {
		panic(fmt.Errorf("scan: ReverseAdjoint: g must have the shape of a, %s, got %s", a.Shape(), g.Shape()))
	}
	gf := Reshape(g, l.B, l.T, l.F)

	// Coefficient of δh_{t+1} in δh_t is a_{t+1}; the last step has none.
	aNext := ZerosLike(af) // [B, T, F]
	if l.T > 1 {
		aNext = padTime(SliceAxis(af, 1, AxisRange(1, l.T)), 1, 0)
	}
	delta := Reverse(scan(Reverse(aNext, 1), Reverse(gf, 1), nil), 1) // δh [B, T, F]

	// h_{t-1}: h0 (or zeros), then h_0 … h_{T-2}.
	var hPrev *Node // [B, T, F]
	switch {
	case l.T == 1 && h0f == nil:
		hPrev = ZerosLike(hf)
	case l.T == 1:
		hPrev = ExpandAxes(h0f, 1)
	case h0f == nil:
		hPrev = seq.ShiftTime(hf, 1, 0)
	default:
		hPrev = Concatenate([]*Node{ExpandAxes(h0f, 1), SliceAxis(hf, 1, AxisRange(0, l.T-1))}, 1)
	}
	da = l.restore(Mul(delta, hPrev))
	db = l.restore(delta)
	if h0 != nil {
		first := func(x *Node) *Node { return Squeeze(SliceAxis(x, 1, AxisElem(0)), 1) } // [B, F]
		dh0 = Reshape(Mul(first(af), first(delta)), h0.Shape().Dimensions...)
	}
	return da, db, dh0
}

// WithAdjointGradient returns the form scan with ReverseAdjoint (run with the same form) as its
// gradient, instead of autodiff through the form's graph. The values are the same either way;
// the backward pass is then one reversed scan, whatever the form.
//
// How it is attached: graph.IdentityWithCustomGradient sets the gradient of one node, but the
// scan has three inputs. So each input goes through an identity whose custom gradient returns a
// saved value, and the output goes through one whose custom gradient computes ReverseAdjoint
// from the arriving ∂L/∂h and saves ∂L/∂a, ∂L/∂b, ∂L/∂h0. Reverse-mode autodiff visits nodes in
// reverse creation order, so the output's gradient runs before the inputs'. Autodiff still builds
// its own backward graph of the form between them; its results are ignored at the inputs, so
// that graph is dead code and is dropped when the graph is compiled: it costs graph-building
// time, not run time. The same technique (and caveat) as recurrent.SplitTime.
func WithAdjointGradient(scan Func) Func {
	return func(a, b, h0 *Node) *Node {
		var saved [3]*Node // ∂L/∂a, ∂L/∂b, ∂L/∂h0, set by the output's gradient
		input := func(x *Node, i int) *Node {
			return IdentityWithCustomGradient(x, func(_, v *Node) *Node {
				if saved[i] == nil { // not reached through the output: keep autodiff's value
					return v
				}
				s := saved[i]
				saved[i] = nil // reset, in case Gradient is called again on this graph
				return s
			})
		}
		ai, bi := input(a, 0), input(b, 1)
		var h0i *Node
		if h0 != nil {
			h0i = input(h0, 2)
		}
		h := scan(ai, bi, h0i)
		return IdentityWithCustomGradient(h, func(hn, v *Node) *Node {
			saved[0], saved[1], saved[2] = ReverseAdjoint(scan, a, hn, h0, v)
			return v
		})
	}
}
