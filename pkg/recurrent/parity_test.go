package recurrent

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
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
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			f, err := npz.ReadFile(path)
			require.NoError(t, err)
			kindName, err := f.String("kind")
			require.NoError(t, err, "case %s", name)
			kind, err := ParseKind(kindName)
			require.NoError(t, err, "case %s", name)
			require.True(t, strings.HasPrefix(name, kindName+"_"), "case %s: file name must start with its kind %q", name, kindName)
			w, err := FromPyTorch(f, kind, dtypes.Float32)
			require.NoError(t, err, "case %s", name)
			cfg := w.Config
			xa, err := f.Get("x")
			require.NoError(t, err)
			require.Len(t, xa.Shape, 3, "case %s: x must be [B,T,D]", name)
			B, T, L, H := xa.Shape[0], xa.Shape[1], cfg.NumLayers, cfg.HiddenSize
			load := func(arr string, dims ...int) *tensors.Tensor {
				tt, err := ArrayTensor(f, arr, dtypes.Float32, dims...)
				require.NoError(t, err, "case %s", name)
				return tt
			}
			args := []any{}
			for _, tt := range w.Tensors {
				args = append(args, tt)
			}
			args = append(args, load("x", B, T, cfg.InputSize), load("h0", L, B, H), load("g", B, T, H))
			if kind.HasCellState() {
				args = append(args, load("c0", L, B, H))
			}
			n := 4 * L
			exec, err := NewExec(b, func(in []*Node) []*Node {
				var c0 *Node
				if kind.HasCellState() {
					c0 = in[n+3]
				}
				out, hn, cn, _ := Forward(kind, in[:n], in[n], in[n+1], c0)
				grads := Gradient(ReduceAllSum(Mul(out, in[n+2])), append(append([]*Node{}, in[:n]...), in[n])...)
				res := append([]*Node{out, hn}, grads...)
				if cn != nil {
					res = append(res, cn)
				}
				return res
			})
			require.NoError(t, err)
			got, err := exec.Call(args...)
			require.NoError(t, err, "case %s", name)
			check := func(arr string, ours *tensors.Tensor) {
				ref, _, err := f.Float32(arr)
				require.NoError(t, err, "case %s", name)
				o := tensors.MustCopyFlatData[float32](ours)
				require.Len(t, o, len(ref), "case %s: array %s", name, arr)
				scale, worst := 0.0, 0.0
				for i := range ref {
					scale = math.Max(scale, math.Abs(float64(ref[i])))
				}
				for i := range ref {
					worst = math.Max(worst, math.Abs(float64(o[i])-float64(ref[i])))
				}
				rel := worst / math.Max(scale, 1e-12)
				require.LessOrEqual(t, rel, parityTolerance,
					"case %s: array %s differs from PyTorch: max |diff| %.3g, relative %.3g", name, arr, worst, rel)
			}
			check("out", got[0])
			check("hn", got[1])
			for i, pn := range w.Names() {
				check("grad_"+pn, got[2+i])
			}
			check("grad_x", got[2+n])
			if kind.HasCellState() {
				check("cn", got[3+n])
			}
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
