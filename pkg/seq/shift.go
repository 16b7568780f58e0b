package seq

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// ShiftTime returns x [B, T, F] moved d >= 0 steps later in time: element t holds x_{t-d}, and
// the first min(d, T) elements are fill (0 for the left padding of a causal convolution, the
// identity of a scan's combine operator). One Slice and one Concatenate of the whole sequence
// (Concatenate rather than Pad: GoMLX v0.28 defines no gradient for Pad).
func ShiftTime(x *Node, d int, fill float64) *Node {
	if d == 0 {
		return x
	}
	s := x.Shape()
	T := s.Dim(1)
	block := BroadcastToDims(Scalar(x.Graph(), x.DType(), fill), s.Dim(0), min(d, T), s.Dim(2)) // [B, min(d, T), F]
	if d >= T {
		return block
	}
	return Concatenate([]*Node{block, SliceAxis(x, 1, AxisRange(0, T-d))}, 1) // [B, T, F]
}
