package seq

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/stretchr/testify/require"
)

// TestScopeTensors: tensors written under state_dict keys come back equal (copies) from the
// variables of the dotted sub-scopes, and the errors name what is wrong.
func TestScopeTensors(t *testing.T) {
	store := model.NewStore()
	scope := store.RootScope().At("net")
	keys := []string{"readout.weight", "weight_ih_l0"}
	w := tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := tensors.FromFlatDataAndDimensions([]float32{7, 8}, 2)
	require.NoError(t, SetScopeTensors(scope, keys, []*tensors.Tensor{w, b}))
	require.NotNil(t, store.GetVariable("/net/readout/weight"))
	require.NotNil(t, store.GetVariable("/net/weight_ih_l0"))
	got, err := ScopeTensors(scope, keys)
	require.NoError(t, err)
	require.Equal(t, []float32{1, 2, 3, 4, 5, 6}, tensors.MustCopyFlatData[float32](got[0]))
	require.Equal(t, []int{2, 3}, got[0].Shape().Dimensions)
	require.Equal(t, []float32{7, 8}, tensors.MustCopyFlatData[float32](got[1]))
	v := StateDictVariable(scope, "readout.weight", shapes.Make(dtypes.Float32, 2, 3), initializer.Zero)
	require.Equal(t, "/net/readout/weight", v.Path())
	val, err := v.Value()
	require.NoError(t, err)
	require.Equal(t, []float32{1, 2, 3, 4, 5, 6}, tensors.MustCopyFlatData[float32](val)) // the existing one

	require.ErrorContains(t, SetScopeTensors(scope, keys, []*tensors.Tensor{w}), "seq: 2 names for 1 tensors")
	require.ErrorContains(t, SetScopeTensors(scope, keys[:1], []*tensors.Tensor{b}),
		"seq: variable /net/readout/weight has shape")
	_, err = ScopeTensors(scope, []string{"missing.bias"})
	require.ErrorContains(t, err, "seq: no value for variable /net/missing/bias")
}
