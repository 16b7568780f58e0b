package recurrent

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/stretchr/testify/require"
)

// ParityDirEnv names a directory of PyTorch case files that replaces testdata/pytorch.
const ParityDirEnv = "RNN_PARITY_DIR"

// parityTolerance is the largest accepted |ours - PyTorch| relative to the largest |PyTorch|
// value of each array.
const parityTolerance = 1e-4

// TestPyTorchParity runs every case file (see testdata/pytorch/README.md) through this package
// in float32 and compares outputs, final states and the gradients of sum(out*g) with PyTorch's.
func TestPyTorchParity(t *testing.T) {
	dir := filepath.Join("testdata", "pytorch")
	if d := os.Getenv(ParityDirEnv); d != "" {
		dir = d
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.npz"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no PyTorch case files (*.npz) in %s", dir)
	b := testBackend(t)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			res, err := CheckParity(b, path)
			require.NoError(t, err)
			for _, arr := range res.Arrays {
				require.LessOrEqual(t, res.RelDiff[arr], parityTolerance,
					"case %s: array %s differs from PyTorch: relative difference %.3g", res.Case, arr, res.RelDiff[arr])
			}
			worstName, worst := res.Worst()
			t.Logf("%s: %d arrays, worst %s %.2g", res.Case, len(res.Arrays), worstName, worst)
		})
	}
}

func TestFromPyTorchErrors(t *testing.T) {
	f, err := npz.ReadFile(filepath.Join("testdata", "pytorch", "lstm_l1_b2_t5_d3_h4.npz"))
	require.NoError(t, err)
	_, err = FromPyTorch(f, GRU, dtypes.Float32)
	require.ErrorContains(t, err, "another kind of cell")
	_, err = FromPyTorch(f, "cnn", dtypes.Float32)
	require.ErrorContains(t, err, "unknown cell kind")
	// A state_dict missing a name.
	var arrays []*npz.Array
	for _, a := range f.Arrays() {
		if a.Name != "bias_hh_l0" {
			arrays = append(arrays, a)
		}
	}
	path := filepath.Join(t.TempDir(), "missing.npz")
	require.NoError(t, npz.WriteFile(path, arrays...))
	_, err = FromPyTorchFile(path, LSTM, dtypes.Float32)
	require.ErrorContains(t, err, "bias_hh_l0")
	// A weight of the wrong shape.
	for i, a := range arrays {
		if a.Name == "weight_ih_l0" {
			arrays[i] = npz.NewFloat32("weight_ih_l0", make([]float32, 16*2), 16, 2)
		}
	}
	arrays = append(arrays, npz.NewFloat32("bias_hh_l0", make([]float32, 16), 16))
	require.NoError(t, npz.WriteFile(path, arrays...))
	w, err := FromPyTorchFile(path, LSTM, dtypes.Float32)
	require.NoError(t, err, "input size is read from weight_ih_l0")
	require.Equal(t, 2, w.Config.InputSize)
	_, err = FromPyTorchFile(filepath.Join(t.TempDir(), "nope.npz"), LSTM, dtypes.Float32)
	require.Error(t, err)
}
