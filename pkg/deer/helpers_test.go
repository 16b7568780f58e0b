package deer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnn-course/bottleneck/internal/testutil"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

// Shared test helpers (internal/testutil).
var (
	testBackend = testutil.Backend
	randTensor  = testutil.RandNormal
)

// maxAbsDiff is max_i |a_i - b_i| of two tensors of the same size.
func maxAbsDiff(t testing.TB, a, b *tensors.Tensor) float64 {
	fa, fb := flat64(a), flat64(b)
	require.Equal(t, len(fa), len(fb))
	m := 0.0
	for i := range fa {
		m = math.Max(m, math.Abs(fa[i]-fb[i]))
	}
	return m
}

// problem is a random single-layer cell with inputs.
type problem struct {
	w     *recurrent.Weights
	x, h0 *tensors.Tensor
}

func newProblem(t testing.TB, kind recurrent.Kind, dtype dtypes.DType, B, T, D, H int, seed uint64) problem {
	cfg := recurrent.Config{Kind: kind, InputSize: D, HiddenSize: H, NumLayers: 1, DType: dtype}
	w, err := recurrent.NewWeights(cfg, seed)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(seed, 17))
	return problem{w: w, x: randTensor(rng, dtype, 1, B, T, D), h0: randTensor(rng, dtype, 0.5, B, H)}
}
