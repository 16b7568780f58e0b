package recurrent

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/rnn-course/bottleneck/pkg/npz"
)

// Test-only exports for the external tests of this directory.

// FromPyTorchFile reads a .npz state_dict; see FromPyTorch.
var FromPyTorchFile = fromPyTorchFile

// ArrayTensor reads a float array of an exact shape from a .npz file as a tensor of dtype.
func ArrayTensor(f *npz.File, name string, dtype dtypes.DType, shape ...int) (*tensors.Tensor, error) {
	return arrayTensor(f, name, shape, dtype)
}
