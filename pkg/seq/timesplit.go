package seq

import (
	"math"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
)

// twoLevelThreshold is the sequence length above which SplitTime and StackTime work in two
// levels (chunks of about sqrt(T) steps).
const twoLevelThreshold = 64

// SplitTime returns the T = x.Shape().Dim(axis) slices of x along axis, with that axis removed.
// Its backward pass costs O(size of x), not O(T * size of x): the gradients that arrive at the
// T slices are gathered by one Concatenate in a custom gradient, instead of being zero-padded to
// the full length and summed (what autodiff of T Slices does). The zero-padded copies that
// autodiff still builds are never used and are dropped when the graph is compiled.
func SplitTime(x *Node, axis int) []*Node {
	axis = MustAdjustAxis(axis, x.Shape())
	T := x.Shape().Dim(axis)
	var steps []*Node
	if T <= twoLevelThreshold {
		steps = splitLinear(x, axis, onesSizes(T))
	} else {
		for _, chunk := range splitLinear(x, axis, chunkSizes(T)) {
			steps = append(steps, splitLinear(chunk, axis, onesSizes(chunk.Shape().Dim(axis)))...)
		}
	}
	for t, s := range steps {
		steps[t] = Squeeze(s, axis)
	}
	return steps
}

// StackTime is the inverse of SplitTime: it stacks the per-step nodes along a new axis.
// For long sequences it concatenates in two levels, which keeps graph building and the
// backward pass (slices of the incoming gradient) close to linear in T.
func StackTime(steps []*Node, axis int) *Node {
	expanded := make([]*Node, len(steps))
	for t, s := range steps {
		expanded[t] = ExpandAxes(s, axis)
	}
	T := len(steps)
	if T <= twoLevelThreshold {
		return Concatenate(expanded, axis)
	}
	var chunks []*Node
	start := 0
	for _, n := range chunkSizes(T) {
		chunks = append(chunks, Concatenate(expanded[start:start+n], axis))
		start += n
	}
	return Concatenate(chunks, axis)
}

func onesSizes(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// chunkSizes splits T into about sqrt(T) chunks of about sqrt(T) steps.
func chunkSizes(T int) []int {
	c := int(math.Ceil(math.Sqrt(float64(T))))
	var sizes []int
	for start := 0; start < T; start += c {
		sizes = append(sizes, min(c, T-start))
	}
	return sizes
}

// splitLinear slices x along axis into consecutive pieces of the given sizes (axis kept), with
// the linear-cost custom gradient described in SplitTime.
//
// How it works: reverse-mode autodiff visits nodes in reverse creation order, so the pieces
// (created after x's identity) receive their gradients first; each piece's custom gradient saves
// its incoming gradient, and x's custom gradient then returns the concatenation of the saved
// gradients, ignoring the sum of zero-padded slice gradients that autodiff accumulated for it.
func splitLinear(x *Node, axis int, sizes []int) []*Node {
	g := x.Graph()
	grads := make([]*Node, len(sizes))
	pieces := make([]*Node, len(sizes))
	pieceShapes := make([]shapes.Shape, len(sizes)) // kept apart: callers may overwrite pieces
	xi := IdentityWithCustomGradient(x, func(_, _ *Node) *Node {
		parts := make([]*Node, len(sizes))
		for i, gr := range grads {
			if gr == nil { // a piece that nothing downstream used
				gr = Zeros(g, pieceShapes[i])
			}
			parts[i] = gr
			grads[i] = nil // reset, in case Gradient is called again on this graph
		}
		return Concatenate(parts, axis)
	})
	start := 0
	for i, n := range sizes {
		p := SliceAxis(xi, axis, AxisRange(start, start+n))
		pieceShapes[i] = p.Shape()
		pieces[i] = IdentityWithCustomGradient(p, func(_, v *Node) *Node {
			grads[i] = v
			return v
		})
		start += n
	}
	return pieces
}
