package tensornpz

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	x32 := tensors.FromFlatDataAndDimensions([]float32{1, -2.5, 3, 1e-30, 5, 6}, 2, 3)
	x64 := tensors.FromFlatDataAndDimensions([]float64{math.Pi, -0.0}, 2)
	a32, err := Array("w", x32)
	require.NoError(t, err)
	a64, err := Array("b", x64)
	require.NoError(t, err)
	_, err = Array("ids", tensors.FromFlatDataAndDimensions([]int32{1}, 1))
	require.ErrorContains(t, err, "ids has dtype Int32, want float32 or float64")

	path := filepath.Join(t.TempDir(), "x.npz")
	require.NoError(t, npz.WriteFile(path, a32, a64, npz.NewFloat64("bad", []float64{1, math.NaN()}, 2)))
	f, err := npz.ReadFile(path)
	require.NoError(t, err)

	got, err := Tensor(f, "w", Want{DType: dtypes.Float32, Shape: []int{2, 3}, Finite: true})
	require.NoError(t, err)
	assert.Equal(t, tensors.MustCopyFlatData[float32](x32), tensors.MustCopyFlatData[float32](got))
	wide, err := Tensor(f, "w", Want{DType: dtypes.Float64, Shape: []int{2, 3}, Convert: true})
	require.NoError(t, err)
	assert.Equal(t, []float64{1, -2.5, 3, float64(float32(1e-30)), 5, 6}, tensors.MustCopyFlatData[float64](wide))
	narrow, err := Tensor(f, "b", Want{DType: dtypes.Float32, Shape: []int{2}, Convert: true})
	require.NoError(t, err)
	assert.Equal(t, []float32{float32(math.Pi), 0}, tensors.MustCopyFlatData[float32](narrow))

	_, err = Tensor(f, "w", Want{DType: dtypes.Float64, Shape: []int{2, 3}})
	assert.EqualError(t, err, "w has dtype float32, want float64")
	_, err = Tensor(f, "w", Want{DType: dtypes.Float32, Shape: []int{3, 2}})
	assert.EqualError(t, err, "w has shape [2 3], want [3 2]")
	_, err = Tensor(f, "bad", Want{DType: dtypes.Float64, Shape: []int{2}, Finite: true})
	assert.EqualError(t, err, "bad has a non-finite value at flat index 1")
	_, err = Tensor(f, "bad", Want{DType: dtypes.Float64, Shape: []int{2}})
	assert.NoError(t, err, "NaN allowed without Finite")
	_, err = Tensor(f, "missing", Want{DType: dtypes.Float64, Shape: []int{2}})
	assert.ErrorContains(t, err, `no array "missing"`)
}
