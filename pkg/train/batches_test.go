package train

import (
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

func TestBatchFuncs(t *testing.T) {
	ct, err := tasks.NewCharText([]byte("the cat sat on the mat. the dog sat on the log. "), 0.2, 1)
	require.NoError(t, err)
	x, y, err := CharBatches(ct, 3, 5)(7)
	require.NoError(t, err)
	wx, wy, err := ct.TrainBatchAt(7, 3, 5)
	require.NoError(t, err)
	require.Equal(t, []int{3, 5}, x.Shape().Dimensions)
	require.Equal(t, wx, tensors.MustCopyFlatData[int32](x))
	require.Equal(t, wy, tensors.MustCopyFlatData[int32](y))

	add, err := tasks.NewAdding(10, 1)
	require.NoError(t, err)
	xa, ya, err := FloatBatches(add.BatchAt, 4, []int{10, 2}, []int{1})(3)
	require.NoError(t, err)
	require.Equal(t, []int{4, 10, 2}, xa.Shape().Dimensions)
	require.Equal(t, []int{4, 1}, ya.Shape().Dimensions)
	wxa, wya, err := add.BatchAt(3, 4)
	require.NoError(t, err)
	require.Equal(t, wxa, tensors.MustCopyFlatData[float32](xa))
	require.Equal(t, wya, tensors.MustCopyFlatData[float32](ya))

	_, _, err = FloatBatches(add.BatchAt, 4, []int{10, 1}, []int{1})(0)
	require.ErrorContains(t, err, "want x [4 10 1] and y [4 1]")
}
