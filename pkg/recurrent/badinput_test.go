package recurrent

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rnn-course/bottleneck/internal/recovered"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/stretchr/testify/require"
)

// catch is recovered.Call: a bad input that panics fails its case, not the test binary.
var catch = recovered.Call

// parityCase is a copy of one PyTorch case file with some of its arrays changed by edit,
// written to a temporary directory; it returns the new file's path.
func parityCase(t *testing.T, name string, edit func(a *npz.Array) *npz.Array) string {
	t.Helper()
	f, err := npz.ReadFile(filepath.Join("testdata", "pytorch", name))
	require.NoError(t, err)
	var arrays []*npz.Array
	for _, a := range f.Arrays() {
		a = &npz.Array{Name: a.Name, DType: a.DType, Shape: slices.Clone(a.Shape),
			F32: slices.Clone(a.F32), F64: slices.Clone(a.F64), I64: slices.Clone(a.I64), Str: a.Str}
		if a = edit(a); a != nil {
			arrays = append(arrays, a)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, npz.WriteFile(path, arrays...))
	return path
}

// setFirst returns an edit that sets the first value of the array called name to v.
func setFirst(name string, v float64) func(a *npz.Array) *npz.Array {
	return func(a *npz.Array) *npz.Array {
		if a.Name == name {
			if a.F32 != nil {
				a.F32[0] = float32(v)
			} else {
				a.F64[0] = v
			}
		}
		return a
	}
}

// Bad inputs of package recurrent (issue 27, items 4, 7, 8, 16, 24, 25): each gets an error that
// says what was wrong and what was expected; none panics, none gives a wrong answer silently.
func TestBadInputs(t *testing.T) {
	b := testBackend(t)
	const lstmCase = "lstm_l1_b2_t5_d3_h4.npz"    // B=2, T=5, D=3, H=4
	const gruCase = "gru_l2_b3_t7_d5_h6.npz"      // L=2, B=3, T=7, D=5, H=6
	const rnnCase = "rnn_tanh_l1_b2_t5_d3_h4.npz" // L=1
	parity := func(path string) func() error {
		return func() error {
			res, err := CheckParity(b, path)
			if err != nil {
				return err
			}
			for _, arr := range res.Arrays {
				if d := res.RelDiff[arr]; !(d <= parityTolerance) {
					return fmt.Errorf("array %s: relative difference %v", arr, d)
				}
			}
			return nil
		}
	}
	// A state_dict with layers 0 and 2 (layer 1 renamed to 2).
	skipLayer := parityCase(t, gruCase, func(a *npz.Array) *npz.Array {
		if strings.HasSuffix(a.Name, "_l1") {
			a.Name = strings.TrimSuffix(a.Name, "_l1") + "_l2"
		}
		return a
	})
	fromPyTorch := func(path string, kind Kind, dtype dtypes.DType) func() error {
		return func() error {
			_, err := fromPyTorchFile(path, kind, dtype)
			return err
		}
	}

	lstm := Config{Kind: LSTM, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32}
	w, err := NewWeights(lstm, 1)
	require.NoError(t, err)
	r, err := NewRunner(b, lstm)
	require.NoError(t, err)
	x := tensors.FromShape(shapes.Make(dtypes.Float32, 2, 5, 3))
	nanX := tensors.FromFlatDataAndDimensions(append([]float32{float32(math.NaN())}, make([]float32, 29)...), 2, 5, 3)
	nanW, err := w.Clone()
	require.NoError(t, err)
	nanW.Tensors[1].MustMutableFlatData(func(flat any) { flat.([]float32)[3] = float32(math.Inf(1)) })
	// Weights that overflow float32 from finite inputs: a ReLU RNN with weights 1e30.
	relu := Config{Kind: RNNReLU, InputSize: 1, HiddenSize: 2, NumLayers: 1, DType: dtypes.Float32}
	big := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = 1e30
		}
		return v
	}
	hugeW, err := NewWeightsFromSlices(relu, big(2), big(4), big(2), big(2))
	require.NoError(t, err)
	reluRunner, err := NewRunner(b, relu)
	require.NoError(t, err)
	ones := tensors.FromFlatDataAndDimensions([]float32{1, 1, 1}, 1, 3, 1)
	finalized, err := w.Clone()
	require.NoError(t, err)
	require.NoError(t, finalized.Tensors[0].FinalizeAll())

	// Config.Forward and Forward inside a graph, x 7 features wide for weights of input size 3.
	forward := func(useConfig bool, xDims ...int) func() error {
		return func() error {
			xs := tensors.FromShape(shapes.Make(dtypes.Float32, xDims...))
			args := []any{}
			for _, t := range w.Tensors {
				args = append(args, t)
			}
			args = append(args, xs)
			_, err := ExecOnceN(b, func(in []*Node) []*Node {
				if useConfig {
					out, _, _ := lstm.Forward(in[:4], in[4], nil, nil)
					return []*Node{out}
				}
				out, _, _, _ := Forward(LSTM, in[:4], in[4], nil, nil)
				return []*Node{out}
			}, args...)
			return err
		}
	}

	cases := []struct {
		name string
		run  func() error
		want string
	}{
		// Item 4: the parity check cannot pass on NaN, nor on an array of the wrong shape.
		{"parity: NaN in the reference out", parity(parityCase(t, lstmCase, setFirst("out", math.NaN()))),
			"out has a non-finite value at flat index 0"},
		{"parity: +Inf in the reference grad_x", parity(parityCase(t, lstmCase, setFirst("grad_x", math.Inf(1)))),
			"grad_x has a non-finite value"},
		{"parity: NaN in x", parity(parityCase(t, lstmCase, setFirst("x", math.NaN()))),
			"x has a non-finite value at flat index 0"},
		{"parity: NaN in a weight", parity(parityCase(t, lstmCase, setFirst("weight_hh_l0", math.NaN()))),
			"weight_hh_l0 has a non-finite value"},
		{"parity: reference out of the wrong shape", parity(parityCase(t, lstmCase, func(a *npz.Array) *npz.Array {
			if a.Name == "out" { // [2, 5, 4] -> [5, 2, 4]: same length, other shape
				a.Shape = []int{5, 2, 4}
			}
			return a
		})), "array out has shape [5 2 4], ours [2 5 4]"},
		{"parity: our output NaN", func() error {
			res, err := CheckParityWith(b, filepath.Join("testdata", "pytorch", lstmCase),
				func(kind Kind, params []*Node, x, h0, c0, g *Node) (out, hn, cn *Node, grads []*Node, gradX *Node) {
					out, hn, cn, grads, gradX = autodiffParityGraph(kind, params, x, h0, c0, g)
					return Mul(out, Scalar(out.Graph(), out.DType(), math.NaN())), hn, cn, grads, gradX
				})
			if err != nil {
				return err
			}
			if d := res.RelDiff["out"]; !math.IsInf(d, 1) {
				return nil // a NaN relative difference passes `d > tol`: the failure below
			}
			name, worst := res.Worst()
			return fmt.Errorf("worst %s %v", name, worst)
		}, "worst out +Inf"},

		// Item 7: NaN outputs come with an error.
		{"Run: NaN in x", func() error { _, err := r.Run(w, nanX, nil, nil); return err },
			"x has a non-finite value at flat index 0"},
		{"Run: +Inf in a weight", func() error { _, err := r.Run(nanW, x, nil, nil); return err },
			"weight_hh_l0 has a non-finite value at flat index 3"},
		{"Run: NaN in h0", func() error {
			h0 := tensors.FromFlatDataAndDimensions([]float32{float32(math.NaN()), 0, 0, 0, 0, 0, 0, 0}, 1, 2, 4)
			_, err := r.Run(w, x, h0, nil)
			return err
		}, "h0 has a non-finite value at flat index 0"},
		{"Run: finite inputs, output overflows", func() error { _, err := reluRunner.Run(hugeW, ones, nil, nil); return err },
			"non-finite value"},

		// Item 8: float loaders.
		{"FromPyTorch: float64 1e300 weight as float32", fromPyTorch(parityCase(t, lstmCase, func(a *npz.Array) *npz.Array {
			if a.Name == "bias_ih_l0" {
				a = npz.NewFloat64(a.Name, make([]float64, len(a.F32)), a.Shape...)
				a.F64[2] = 1e300
			}
			return a
		}), LSTM, dtypes.Float32), "bias_ih_l0 has the value 1e+300 at flat index 2, outside the float32 range"},
		{"FromPyTorch: NaN weight", fromPyTorch(parityCase(t, lstmCase, setFirst("bias_hh_l0", math.NaN())), LSTM, dtypes.Float32),
			"bias_hh_l0 has a non-finite value at flat index 0"},
		{"FromPyTorch: NaN weight, float64", fromPyTorch(parityCase(t, lstmCase, setFirst("weight_ih_l0", math.NaN())), LSTM, dtypes.Float64),
			"weight_ih_l0 has a non-finite value"},
		{"FromPyTorch: layers 0 and 2, no 1", fromPyTorch(skipLayer, GRU, dtypes.Float32),
			"has layer 2 (weight_ih_l2) but no weight_ih_l1: want layers numbered 0, 1, ..."},
		{"FromPyTorch: a stray weight_hh_l3", fromPyTorch(parityCase(t, rnnCase, func(a *npz.Array) *npz.Array {
			if a.Name == "bias_hh_l0" {
				a.Name = "bias_hh_l3"
			}
			return a
		}), RNNTanh, dtypes.Float32), "has layer 3 (bias_hh_l3) but no weight_ih_l1"},
		{"FromPyTorch: projection weights", fromPyTorch(parityCase(t, lstmCase, func(a *npz.Array) *npz.Array {
			if a.Name == "bias_hh_l0" {
				a.Name = "weight_hr_l0"
			}
			return a
		}), LSTM, dtypes.Float32), "weight_hr_l0: LSTM projections (proj_size) are not supported"},

		// Item 16: sizes are validated against MaxParams before anything is allocated.
		{"NewWeights: LSTM H=2^20", func() error {
			_, err := NewWeights(Config{Kind: LSTM, InputSize: 1, HiddenSize: 1 << 20, NumLayers: 1, DType: dtypes.Float32}, 1)
			return err
		}, "has 4398059094016 parameters, over MaxParams = 268435456"},
		{"NewWeights: 2^40 layers", func() error {
			_, err := NewWeights(Config{Kind: RNNTanh, InputSize: 1, HiddenSize: 1, NumLayers: 1 << 40, DType: dtypes.Float32}, 1)
			return err
		}, "over MaxParams"},
		{"NewRunner: H = MaxInt", func() error {
			_, err := NewRunner(b, Config{Kind: GRU, InputSize: 1, HiddenSize: math.MaxInt, NumLayers: 1, DType: dtypes.Float32})
			return err
		}, "over MaxParams"},
		{"NewWeights: D = MaxInt/2", func() error {
			_, err := NewWeights(Config{Kind: GRU, InputSize: math.MaxInt / 2, HiddenSize: 2, NumLayers: 1, DType: dtypes.Float32}, 1)
			return err
		}, "over MaxParams"},

		// Item 24: nil arguments.
		{"Run: nil weights", func() error { _, err := r.Run(nil, x, nil, nil); return err }, "weights are nil"},
		{"Run: nil x", func() error { _, err := r.Run(w, nil, nil, nil); return err }, "x is nil"},
		{"Run: nil Runner", func() error { var nr *Runner; _, err := nr.Run(w, x, nil, nil); return err }, "nil Runner"},
		{"Run: finalized weight", func() error { _, err := r.Run(finalized, x, nil, nil); return err },
			"weight_ih_l0 is a finalized tensor"},
		{"Validate: nil weights", func() error { var nw *Weights; return nw.Validate() }, "weights are nil"},

		// Item 25: Forward inside a graph says what is wrong with x.
		{"Config.Forward: x 7 wide", forward(true, 2, 5, 7), "x has 7 features per step (shape (Float32)[2, 5, 7]), but the weights expect input size 3"},
		{"Forward: x 7 wide", forward(false, 2, 5, 7), "x has 7 features per step"},
		{"Config.Forward: x of rank 2", forward(true, 5, 3), "x must be [batch, time, features]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := catch(c.run)
			require.Error(t, err, "want an error containing %q", c.want)
			require.NotContains(t, err.Error(), "panic:")
			require.ErrorContains(t, err, c.want)
		})
	}
}
