package seq

import (
	"math/rand/v2"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

// InitUniform returns a tensor of the given dtype (Float32 or Float64) and shape filled with
// draws from U(-k, k) taken from rng in row-major order: PyTorch's default initialisation of
// recurrent and linear layers, with k = 1/sqrt(fan).
func InitUniform(dtype dtypes.DType, k float64, rng *rand.Rand, dims ...int) *tensors.Tensor {
	t := tensors.FromShape(shapes.Make(dtype, dims...))
	t.MustMutableFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32:
			for i := range v {
				v[i] = float32(k * (2*rng.Float64() - 1))
			}
		case []float64:
			for i := range v {
				v[i] = k * (2*rng.Float64() - 1)
			}
		}
	})
	return t
}
