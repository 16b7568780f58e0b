package recurrent

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/require"
)

func TestMaxRelDiff(t *testing.T) {
	a := tensors.FromFlatDataAndDimensions([]float64{1, 2, 4}, 3)
	b32 := tensors.FromFlatDataAndDimensions([]float32{1, 2, -5}, 3)
	d, err := MaxRelDiff(a, b32) // max|a − b| = 9 at the last element, max|b| = 5
	require.NoError(t, err)
	require.InDelta(t, 1.8, d, 1e-15)
	d, err = MaxRelDiff(a, a)
	require.NoError(t, err)
	require.Equal(t, 0.0, d)
	d, err = MaxRelDiff(tensors.FromFlatDataAndDimensions([]float64{math.NaN(), 0, 0}, 3), a)
	require.NoError(t, err)
	require.True(t, math.IsNaN(d), "a NaN must not pass any tolerance, got %v", d)
	_, err = MaxRelDiff(a, tensors.FromFlatDataAndDimensions([]float64{1, 2}, 2))
	require.ErrorContains(t, err, "3 and 2 elements")
	_, err = MaxRelDiff(a, tensors.FromFlatDataAndDimensions([]int32{1, 2, 3}, 3))
	require.ErrorContains(t, err, "want float32 or float64")
	ds, err := MaxRelDiffs([]*tensors.Tensor{a, a}, []*tensors.Tensor{a, b32})
	require.NoError(t, err)
	require.Equal(t, 0.0, ds[0])
	require.InDelta(t, 1.8, ds[1], 1e-15)
	_, err = MaxRelDiffs([]*tensors.Tensor{a}, nil)
	require.Error(t, err)
}

func TestDemoInput(t *testing.T) {
	x := DemoInput(4, 50, 50, 9)
	require.Equal(t, []int{4, 50, 50}, x.Shape().Dimensions)
	v := tensors.MustCopyFlatData[float64](x)
	mean := 0.0
	for _, f := range v {
		require.True(t, f >= -1 && f < 1, "entry %v outside [-1, 1)", f)
		mean += f / float64(len(v))
	}
	// uniform on [−1, 1): mean 0, standard deviation 1/√3; the mean of 10⁴ draws is within 4σ/100
	require.InDelta(t, 0, mean, 4/math.Sqrt(3)/100)
	require.Equal(t, v, tensors.MustCopyFlatData[float64](DemoInput(4, 50, 50, 9)), "same seed, same numbers")
	require.NotEqual(t, v[:10], tensors.MustCopyFlatData[float64](DemoInput(4, 50, 50, 10))[:10])
}

// rnnByHand is the tanh RNN written out, as notebook 02 writes it.
func rnnByHand(x *Node, p []*Node) *Node {
	B, T, H := x.Shape().Dim(0), x.Shape().Dim(1), p[1].Shape().Dim(0)
	lin := func(v, w, b *Node) *Node {
		return Add(DotGeneral(v, []int{1}, nil, w, []int{1}, nil), ExpandAxes(b, 0))
	}
	h := Zeros(x.Graph(), shapes.Make(x.DType(), B, H))
	var hs []*Node
	for t := range T {
		h = Tanh(Add(lin(Squeeze(SliceAxis(x, 1, AxisElem(t)), 1), p[0], p[2]), lin(h, p[1], p[3])))
		hs = append(hs, h)
	}
	return Stack(hs, 1)
}

func TestCompareWithLibrary(t *testing.T) {
	b := testBackend(t)
	w, err := NewWeights(Config{Kind: RNNTanh, InputSize: 4, HiddenSize: 5, NumLayers: 1, DType: dtypes.Float64}, 1)
	require.NoError(t, err)
	x := DemoInput(3, 7, 4, 1)
	out, d, err := CompareWithLibrary(b, w, x, rnnByHand)
	require.NoError(t, err)
	require.Equal(t, []int{3, 7, 5}, out.Shape().Dimensions)
	require.Less(t, d, 1e-12)
	// Without the recurrent bias it is another function.
	_, d, err = CompareWithLibrary(b, w, x, func(x *Node, p []*Node) *Node {
		return rnnByHand(x, []*Node{p[0], p[1], p[2], ZerosLike(p[3])})
	})
	require.NoError(t, err)
	require.Greater(t, d, 1e-3)
}

// LayerGradients' gradient of L = Σ out ⊙ g against central finite differences, in float64.
func TestLayerGradientsFiniteDifferences(t *testing.T) {
	b := testBackend(t)
	w, err := NewWeights(Config{Kind: LSTM, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float64}, 4)
	require.NoError(t, err)
	x, g := DemoInput(2, 5, 3, 2), DemoInput(2, 5, 4, 3)
	layer := func(x, wih, whh, bih, bhh *Node) *Node {
		out, _, _, _ := Forward(LSTM, []*Node{wih, whh, bih, bhh}, x, nil, nil)
		return out
	}
	res, err := LayerGradients(b, layer, w, x, g)
	require.NoError(t, err)
	require.Len(t, res, len(GradientNames))
	loss := func(w *Weights) float64 {
		r, err := LayerGradients(b, layer, w, x, g)
		require.NoError(t, err)
		out, gv := tensors.MustCopyFlatData[float64](r[0]), tensors.MustCopyFlatData[float64](g)
		s := 0.0
		for i := range out {
			s += out[i] * gv[i]
		}
		return s
	}
	const eps = 1e-6
	for param := range 4 { // weight_ih, weight_hh, bias_ih, bias_hh: results 2 … 5
		grad := tensors.MustCopyFlatData[float64](res[2+param])
		for _, k := range []int{0, len(grad) / 2, len(grad) - 1} {
			shifted := func(delta float64) *Weights {
				v := tensors.MustCopyFlatData[float64](w.Tensors[param])
				v[k] += delta
				w2 := &Weights{Config: w.Config, Tensors: append([]*tensors.Tensor(nil), w.Tensors...)}
				w2.Tensors[param] = tensors.FromFlatDataAndDimensions(v, w.Tensors[param].Shape().Dimensions...)
				return w2
			}
			fd := (loss(shifted(eps)) - loss(shifted(-eps))) / (2 * eps)
			require.InDelta(t, fd, grad[k], 1e-7, "%s[%d]", GradientNames[2+param], k)
		}
	}
	_, err = LayerGradients(b, layer, &Weights{Config: w.Config, Tensors: w.Tensors[:2]}, x, g)
	require.ErrorContains(t, err, "got 2")
}

func TestCompareLayers(t *testing.T) {
	b := testBackend(t)
	w, err := NewWeights(Config{Kind: LSTM, InputSize: 4, HiddenSize: 5, NumLayers: 1, DType: dtypes.Float64}, 2)
	require.NoError(t, err)
	x, g := DemoInput(3, 7, 4, 2), DemoInput(3, 7, 5, 5)
	course := func(x, wih, whh, bih, bhh *Node) *Node {
		out, _, _, _ := Forward(LSTM, []*Node{wih, whh, bih, bhh}, x, nil, nil)
		return out
	}
	gomlx := func(x, wih, whh, bih, bhh *Node) *Node {
		out, _, _ := GoMLXLSTM([]*Node{wih, whh, bih, bhh}, x, nil, nil)
		return out
	}
	d, err := CompareLayers(b, gomlx, course, w, x, g)
	require.NoError(t, err)
	require.Len(t, d, 6)
	for i, v := range d {
		require.Less(t, v, 1e-12, GradientNames[i])
	}
	// Scaling the output by 1.5 changes out and every gradient by half of itself.
	d, err = CompareLayers(b, func(x, wih, whh, bih, bhh *Node) *Node { return MulScalar(course(x, wih, whh, bih, bhh), 1.5) }, course, w, x, g)
	require.NoError(t, err)
	for i, v := range d {
		require.InDelta(t, 0.5, v, 1e-12, GradientNames[i])
	}
}

func TestCheckParityFiles(t *testing.T) {
	b := testBackend(t)
	dir := filepath.Join("testdata", "pytorch")
	files, err := filepath.Glob(filepath.Join(dir, "*.npz"))
	require.NoError(t, err)
	_, err = CheckParityFiles(b, t.TempDir())
	require.ErrorContains(t, err, "no parity files in")
	if testing.Short() {
		t.Skip("runs every PyTorch case")
	}
	res, err := CheckParityFiles(b, dir)
	require.NoError(t, err)
	require.Len(t, res, len(files))
	for i, r := range res {
		require.True(t, strings.HasPrefix(filepath.Base(files[i]), r.Case), "%s for %s", r.Case, files[i])
		_, worst := r.Worst()
		require.LessOrEqual(t, worst, 1e-4, r.Case)
	}
}
