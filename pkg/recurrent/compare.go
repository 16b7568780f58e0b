package recurrent

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// Helpers of notebook 02, which builds each cell by hand and compares it with this package's
// layer (and GoMLX's), on the same weights.

// MaxRelDiff is max|a − b| / max|b| over the elements of a and b (float32 or float64, the same
// size): the relative difference of a from the reference b. A NaN in a makes it NaN; a b of
// zeros makes it +Inf unless a equals it (0).
func MaxRelDiff(a, b *tensors.Tensor) (float64, error) {
	x, err := floatValues(a)
	if err != nil {
		return 0, err
	}
	y, err := floatValues(b)
	if err != nil {
		return 0, err
	}
	if len(x) != len(y) {
		return 0, fmt.Errorf("recurrent: MaxRelDiff of %d and %d elements", len(x), len(y))
	}
	worst, scale := 0.0, 0.0
	for i := range x {
		d := math.Abs(x[i] - y[i])
		if math.IsNaN(d) {
			return math.NaN(), nil
		}
		worst = math.Max(worst, d)
		scale = math.Max(scale, math.Abs(y[i]))
	}
	if worst == 0 {
		return 0, nil
	}
	return worst / scale, nil
}

// floatValues copies a float tensor's values as float64.
func floatValues(t *tensors.Tensor) ([]float64, error) {
	switch t.DType() {
	case dtypes.Float64:
		return tensors.MustCopyFlatData[float64](t), nil
	case dtypes.Float32:
		v := tensors.MustCopyFlatData[float32](t)
		out := make([]float64, len(v))
		for i, f := range v {
			out[i] = float64(f)
		}
		return out, nil
	}
	return nil, fmt.Errorf("recurrent: MaxRelDiff of a %s tensor, want float32 or float64", t.DType())
}

// DemoInput is x [B, T, D] in float64 with entries uniform in [−1, 1), drawn by a 64-bit linear
// congruential generator (Knuth's MMIX constants) from seed: the same numbers on every machine.
func DemoInput(B, T, D int, seed uint64) *tensors.Tensor {
	v := make([]float64, B*T*D)
	s := seed
	for i := range v {
		s = s*6364136223846793005 + 1442695040888963407
		v[i] = float64(int64(s>>11))/float64(1<<52) - 1 // the top 53 bits, as [0, 2) − 1
	}
	return tensors.FromFlatDataAndDimensions(v, B, T, D)
}

// RunHandBuilt builds layer(x, params) in a graph, runs it once on x and params and returns the
// output: a hand-built cell unrolled over x [B, T, D].
func RunHandBuilt(b compute.Backend, layer func(x *Node, params []*Node) *Node, x *tensors.Tensor, params ...*tensors.Tensor) (*tensors.Tensor, error) {
	args := append([]any{x}, anys(params)...)
	return ExecOnce(b, func(in []*Node) *Node { return layer(in[0], in[1:]) }, args...)
}

// CompareWithLibrary runs a hand-built layer on x and the weights w (RunHandBuilt with
// w.Tensors) and this package's layer (Runner) on the same, and returns the hand-built output
// and its MaxRelDiff from the library's.
func CompareWithLibrary(b compute.Backend, w *Weights, x *tensors.Tensor, layer func(x *Node, params []*Node) *Node) (*tensors.Tensor, float64, error) {
	ours, err := RunHandBuilt(b, layer, x, w.Tensors...)
	if err != nil {
		return nil, 0, err
	}
	r, err := NewRunner(b, w.Config)
	if err != nil {
		return nil, 0, err
	}
	lib, err := r.Run(w, x, nil, nil)
	if err != nil {
		return nil, 0, err
	}
	d, err := MaxRelDiff(ours, lib.Out)
	return ours, d, err
}

// GradientNames name LayerGradients' results, in order.
var GradientNames = []string{"out", "∂L/∂x", "∂L/∂weight_ih", "∂L/∂weight_hh", "∂L/∂bias_ih", "∂L/∂bias_hh"}

// LayerGradients runs layer on x [B, T, D] and one layer's weights in PyTorch's layout
// (w.Tensors[:4]), and returns out [B, T, H], then the gradients of L = Σ out ⊙ g (g [B, T, H])
// with respect to x and to each weight (autodiff).
func LayerGradients(b compute.Backend, layer func(x, wih, whh, bih, bhh *Node) *Node, w *Weights, x, g *tensors.Tensor) ([]*tensors.Tensor, error) {
	if len(w.Tensors) < ParamsPerLayer {
		return nil, fmt.Errorf("recurrent: LayerGradients needs one layer's %d weights, got %d", ParamsPerLayer, len(w.Tensors))
	}
	args := append([]any{x, g}, anys(w.Tensors[:ParamsPerLayer])...)
	return ExecOnceN(b, func(in []*Node) []*Node {
		x, g, ws := in[0], in[1], in[2:]
		out := layer(x, ws[0], ws[1], ws[2], ws[3]) // [B, T, H]
		loss := ReduceAllSum(Mul(out, g))
		return append([]*Node{out}, Gradient(loss, append([]*Node{x}, ws...)...)...)
	}, args...)
}

func anys(ts []*tensors.Tensor) []any {
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}

// MaxRelDiffs is MaxRelDiff of each a[i] from its reference b[i].
func MaxRelDiffs(a, b []*tensors.Tensor) ([]float64, error) {
	if len(a) != len(b) {
		return nil, fmt.Errorf("recurrent: MaxRelDiffs of %d and %d tensors", len(a), len(b))
	}
	out := make([]float64, len(a))
	for i := range a {
		d, err := MaxRelDiff(a[i], b[i])
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// CheckParityFiles runs CheckParity on every case file (*.npz) in dir, in name order; no file
// is an error.
func CheckParityFiles(b compute.Backend, dir string) ([]*ParityResult, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.npz"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, lang.Errorf("no parity files in %s", dir)
	}
	sort.Strings(files)
	var out []*ParityResult
	for _, f := range files {
		res, err := CheckParity(b, f)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

// CompareLayers runs LayerGradients for layer and for the reference ref on the same weights,
// x and g, and returns the MaxRelDiff of each of layer's results from ref's, in the order of
// GradientNames.
func CompareLayers(b compute.Backend, layer, ref func(x, wih, whh, bih, bhh *Node) *Node, w *Weights, x, g *tensors.Tensor) ([]float64, error) {
	got, err := LayerGradients(b, layer, w, x, g)
	if err != nil {
		return nil, err
	}
	want, err := LayerGradients(b, ref, w, x, g)
	if err != nil {
		return nil, err
	}
	return MaxRelDiffs(got, want)
}
