package seq

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// Linear is PyTorch's nn.Linear applied to every step at once: x W^T + b, x [B, T, C],
// w [H, C], b [H] -> [B, T, H]. The contraction axis is the last one of both operands (the Go
// backend's fast layout). The input projections of the cells, DEER's cell, minGRU's gates and
// the cost package's attention and readout all use it.
func Linear(x, w, b *Node) *Node {
	B, T, H := x.Shape().Dim(0), x.Shape().Dim(1), w.Shape().Dim(0)
	y := Project(x, w)                                           // [B, T, H]
	return Add(y, BroadcastToDims(Reshape(b, 1, 1, H), B, T, H)) // [B, T, H]
}

// Project is Linear without a bias: x W^T, x [B, T, C], w [H, C] -> [B, T, H].
func Project(x, w *Node) *Node {
	return DotGeneral(x, []int{2}, nil, w, []int{1}, nil) // [B, T, H]
}
