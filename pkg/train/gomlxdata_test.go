package train

import (
	"errors"
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

// TestDataset: the GoMLX dataset yields batch(0) … batch(n−1) on every Iter, and stops at an error.
func TestDataset(t *testing.T) {
	ct, err := tasks.NewCharText([]byte(tinyBook), 0.3, 2)
	require.NoError(t, err)
	batch := CharBatches(ct, 2, 5)
	d := Dataset("tiny", batch, 3)
	require.Equal(t, "tiny", d.Name())
	for range 2 { // a second Iter starts again at batch 0
		i := 0
		for b, err := range d.Iter() {
			require.NoError(t, err)
			x, y, err := batch(i)
			require.NoError(t, err)
			require.Equal(t, tensors.MustCopyFlatData[int32](x), tensors.MustCopyFlatData[int32](b.Inputs[0]))
			require.Equal(t, tensors.MustCopyFlatData[int32](y), tensors.MustCopyFlatData[int32](b.Labels[0]))
			i++
		}
		require.Equal(t, 3, i)
	}
	boom := errors.New("boom")
	n := 0
	for _, err := range Dataset("bad", func(i int) (x, y *tensors.Tensor, err error) { return nil, nil, boom }, 5).Iter() {
		require.ErrorIs(t, err, boom)
		n++
	}
	require.Equal(t, 1, n, "the iteration ends at the first error")
}

// TestMaxRelParamDiff: one weight moved by δ in a tensor whose largest magnitude is m gives δ/m.
func TestMaxRelParamDiff(t *testing.T) {
	cfg := ModelConfig{Kind: GRU, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float64, OutputSize: 2, Loss: MSE}
	a, err := NewModel(cfg, 1)
	require.NoError(t, err)
	b, err := NewModel(cfg, 1)
	require.NoError(t, err)
	d, err := MaxRelParamDiff(a, b)
	require.NoError(t, err)
	require.Equal(t, 0.0, d, "same seed, same weights")
	ps := b.Params()
	ref := 0.0
	for _, v := range tensors.MustCopyFlatData[float64](ps[1]) {
		ref = max(ref, math.Abs(v))
	}
	ps[1].MustMutableFlatData(func(f any) { f.([]float64)[0] += 1e-3 })
	d, err = MaxRelParamDiff(a, b)
	require.NoError(t, err)
	require.InDelta(t, 1e-3/ref, d, 1e-12)

	other, err := NewModel(ModelConfig{Kind: GRU, InputSize: 3, HiddenSize: 5, NumLayers: 1, DType: dtypes.Float64, OutputSize: 2, Loss: MSE}, 1)
	require.NoError(t, err)
	_, err = MaxRelParamDiff(a, other)
	require.Error(t, err)
}
