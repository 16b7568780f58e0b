package scan

import (
	. "github.com/gomlx/gomlx/core/graph"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRandomCoefficients(t *testing.T) {
	a, b := RandomCoefficients(2, 50, 3, 4)
	assert.Equal(t, []int{2, 50, 3}, a.Shape().Dimensions)
	av, bv := tensors.MustCopyFlatData[float64](a), tensors.MustCopyFlatData[float64](b)
	mean := 0.0
	for i := range av {
		assert.True(t, av[i] >= 0.5 && av[i] < 1, "a = %g", av[i])
		mean += bv[i]
	}
	assert.InDelta(t, 0, mean/float64(len(bv)), 0.25) // N(0, 1): the mean of 300 is within ±0.06 typically
	a2, _ := RandomCoefficients(2, 50, 3, 4)
	assert.Equal(t, av, tensors.MustCopyFlatData[float64](a2))
}

func TestAgreeWithLoop(t *testing.T) {
	a, b := RandomCoefficients(2, 100, 4, 1)
	diffs, err := AgreeWithLoop(testBackend(t), a, b)
	require.NoError(t, err)
	require.Len(t, diffs, len(Forms)-1)
	for i, d := range diffs {
		assert.Equal(t, Forms[i+1], d.Form)
		assert.Less(t, d.MaxRel, 1e-10, "%s", d.Form) // float64: the forms differ by rounding only
	}
	// The oracle of the loop itself: h_t = a_t h_{t-1} + b_t evaluated here in plain Go.
	av, bv := tensors.MustCopyFlatData[float64](a), tensors.MustCopyFlatData[float64](b)
	out := MustExecOnceSequential(t, a, b)
	for bi := range 2 {
		for j := range 4 {
			h := 0.0
			for tt := range 100 {
				i := (bi*100+tt)*4 + j
				h = av[i]*h + bv[i]
				assert.InDelta(t, h, out[i], 1e-12)
			}
		}
	}
	_, err = AgreeWithLoop(testBackend(t), a, RandomCoefficientsB(t))
	assert.Error(t, err) // shapes that do not match
}

// MustExecOnceSequential runs the loop form on a, b.
func MustExecOnceSequential(t *testing.T, a, b *tensors.Tensor) []float64 {
	out := MustExecOnce(testBackend(t), func(a, b *Node) *Node { return Sequential(a, b, nil) }, a, b)
	return tensors.MustCopyFlatData[float64](out)
}

// RandomCoefficientsB is a b of the wrong shape [2, 99, 4].
func RandomCoefficientsB(t *testing.T) *tensors.Tensor {
	_, b := RandomCoefficients(2, 99, 4, 1)
	return b
}
