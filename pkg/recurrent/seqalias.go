package recurrent

import (
	"math/rand/v2"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/rnn-course/bottleneck/pkg/seq"
)

// The sequence utilities moved to package seq; these names stay for existing callers.

// Linear is seq.Linear: x W^T + b for every step at once, x [B, T, C], w [H, C], b [H] -> [B, T, H].
//
// Deprecated: use seq.Linear.
func Linear(x, w, b *Node) *Node { return seq.Linear(x, w, b) }

// SplitTime is seq.SplitTime: the per-step slices of x along axis, with an O(T) backward pass.
//
// Deprecated: use seq.SplitTime.
func SplitTime(x *Node, axis int) []*Node { return seq.SplitTime(x, axis) }

// StackTime is seq.StackTime, the inverse of SplitTime.
//
// Deprecated: use seq.StackTime.
func StackTime(steps []*Node, axis int) *Node { return seq.StackTime(steps, axis) }

// InitUniform is seq.InitUniform: a host tensor of draws from U(-k, k).
//
// Deprecated: use seq.InitUniform.
func InitUniform(dtype dtypes.DType, k float64, rng *rand.Rand, dims ...int) *tensors.Tensor {
	return seq.InitUniform(dtype, k, rng, dims...)
}
