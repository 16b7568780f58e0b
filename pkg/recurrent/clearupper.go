package recurrent

import (
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
)

// clearUpper returns x through a Concatenate with an empty operand: a copy of x (Go's memmove,
// which for more than 2 KiB ends with VZEROUPPER), as bptt's fast path does (pkg/bptt/fast.go).
// The AVX-512/AVX2 matmul kernels of the pure-Go backend's SIMD build leave the upper halves of
// the vector registers dirty, and until something clears them every scalar SSE instruction that
// follows (math.Exp in Sigmoid, Tanh, the element-wise loops) is slower (docs/notes/simd.md).
// At B=32, H=64 in float32 (8 KiB per step and gate), measured on the autodiff train step
// (T=256): SIMD build rnn 43 -> 34 ms, lstm 195 -> 131 ms, gru 149 -> 102 ms; plain build
// (no GOEXPERIMENT) 3-5% slower. Below 2 KiB the copy does not clear the registers.
//
// Its gradient needs no care: the projections' custom VJP (projection.go) takes the gradient
// after it and never uses the Slice that autodiff builds for the Concatenate.
func clearUpper(x *Node) *Node {
	dims := x.Shape().Clone().Dimensions
	dims[0] = 0
	return Concatenate([]*Node{x, Zeros(x.Graph(), shapes.Make(x.DType(), dims...))}, 0)
}
