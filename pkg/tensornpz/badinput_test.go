package tensornpz

import (
	"bytes"
	"math"
	"testing"

	"github.com/rnn-course/bottleneck/internal/recovered"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/stretchr/testify/require"
)

// catch is recovered.Call: a bad input that panics fails its case, not the test binary.
var catch = recovered.Call

// Bad inputs (issue 27, items 8 and 24): a value that float32 cannot hold is refused, never
// turned into ±Inf; a nil tensor is an error, not a panic.
func TestBadInputs(t *testing.T) {
	file := func(arrays ...*npz.Array) *npz.File {
		var buf bytes.Buffer
		require.NoError(t, npz.Write(&buf, arrays...))
		got, err := npz.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		require.NoError(t, err)
		return got
	}
	big := file(npz.NewFloat64("w", []float64{1, 1e300, -3}, 3), npz.NewFloat64("neg", []float64{-1e39}, 1))
	finalized := tensors.FromFlatDataAndDimensions([]float32{1, 2}, 2)
	require.NoError(t, finalized.FinalizeAll())
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"1e300 to float32, Convert and Finite", func() error {
			_, err := Tensor(big, "w", Want{DType: dtypes.Float32, Shape: []int{3}, Convert: true, Finite: true})
			return err
		}, "w has the value 1e+300 at flat index 1, outside the float32 range (±3.4028235e+38)"},
		{"1e300 to float32, Convert alone", func() error {
			_, err := Tensor(big, "w", Want{DType: dtypes.Float32, Shape: []int{3}, Convert: true})
			return err
		}, "outside the float32 range"},
		{"-1e39 to float32", func() error {
			_, err := Tensor(big, "neg", Want{DType: dtypes.Float32, Shape: []int{1}, Convert: true})
			return err
		}, "neg has the value -1e+39 at flat index 0, outside the float32 range"},
		{"Array of a nil tensor", func() error {
			_, err := Array("x", nil)
			return err
		}, "x is a nil tensor"},
		{"Array of a finalized tensor", func() error {
			_, err := Array("x", finalized)
			return err
		}, "x is a finalized tensor"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := catch(c.run)
			require.Error(t, err, "want an error containing %q", c.want)
			require.NotContains(t, err.Error(), "panic")
			require.ErrorContains(t, err, c.want)
		})
	}
	// What float32 holds is converted, the largest value included.
	ok := file(npz.NewFloat64("w", []float64{math.MaxFloat32, -math.MaxFloat32, 1e-300}, 3))
	got, err := Tensor(ok, "w", Want{DType: dtypes.Float32, Shape: []int{3}, Convert: true, Finite: true})
	require.NoError(t, err)
	require.Equal(t, []float32{math.MaxFloat32, -math.MaxFloat32, 0}, tensors.MustCopyFlatData[float32](got))
}
