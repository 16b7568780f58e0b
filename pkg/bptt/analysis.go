package bptt

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// GradCheck is one row of CheckGradients: the relative differences for one tensor.
type GradCheck struct {
	Name           string
	AutodiffVsFD   float64 // ||autodiff - finite differences|| / ||autodiff||
	HandVsAutodiff float64 // hand-written adjoint vs autodiff
}

// CheckGradients computes the gradient of L = Σ_t <h_t, g_t> for a small float64 stack of the
// given kind three ways — autodiff through the unrolled graph, the hand-written adjoint (every
// classic cell), and central finite differences (step eps = 1e-6) — and reports their relative
// differences for every weight and for x.
func CheckGradients(b compute.Backend, cfg recurrent.Config, batch, T int, seed uint64) ([]GradCheck, error) {
	cfg.DType = dtypes.Float64
	w, err := recurrent.NewWeights(cfg, seed)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 77))
	randT := func(dims ...int) *tensors.Tensor {
		v := make([]float64, shapes.Make(dtypes.Float64, dims...).Size())
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	params := append([]*tensors.Tensor{}, w.Tensors...)
	x, g := randT(batch, T, cfg.InputSize), randT(batch, T, cfg.HiddenSize)
	n := len(params)
	loss := func(in []*Node) (*Node, []*recurrent.Trace, *Node) {
		out, _, _, traces := recurrent.Forward(cfg.Kind, in[:n], in[n], nil, nil)
		return ReduceAllSum(Mul(out, in[n+1])), traces, out
	}
	lossExec, err := NewExec(b, func(in []*Node) *Node { l, _, _ := loss(in); return l })
	if err != nil {
		return nil, err
	}
	autoExec, err := NewExec(b, func(in []*Node) []*Node { l, _, _ := loss(in); return Gradient(l, in[:n+1]...) })
	if err != nil {
		return nil, err
	}
	args := func() []any { return seq.Args(params, x, g) }
	auto, err := autoExec.Call(args()...)
	if err != nil {
		return nil, err
	}
	// Every valid kind has a hand-written adjoint (CheckSupported accepts every recurrent.Kind).
	handExec, err := NewExec(b, func(in []*Node) []*Node {
		_, traces, _ := loss(in)
		wg, dX, _, _ := StackAdjoint(traces, in[:n], seq.SplitTime(in[n+1], 1), nil, nil)
		return append(wg, seq.StackTime(dX, 1))
	})
	if err != nil {
		return nil, err
	}
	hand, err := handExec.Call(args()...)
	if err != nil {
		return nil, err
	}
	names := append(w.Names(), "x")
	targets := append(params, x)
	var rows []GradCheck
	const eps = 1e-6
	for i, target := range targets {
		ad := tensors.MustCopyFlatData[float64](auto[i])
		fd := make([]float64, len(ad))
		set := func(j int, v float64) (orig float64) {
			target.MustMutableFlatData(func(flat any) { orig = flat.([]float64)[j]; flat.([]float64)[j] = v })
			return orig
		}
		lossAt := func() (float64, error) {
			out, err := lossExec.Call(args()...)
			if err != nil {
				return 0, fmt.Errorf("bptt: finite differences: %w", err)
			}
			return tensors.ToScalar[float64](out[0]), nil
		}
		for j := range fd {
			orig := set(j, 0)
			set(j, orig+eps)
			lp, err := lossAt()
			if err != nil {
				return nil, err
			}
			set(j, orig-eps)
			lm, err := lossAt()
			if err != nil {
				return nil, err
			}
			set(j, orig)
			fd[j] = (lp - lm) / (2 * eps)
		}
		rows = append(rows, GradCheck{Name: names[i], AutodiffVsFD: relDiff(ad, fd),
			HandVsAutodiff: relDiff(tensors.MustCopyFlatData[float64](hand[i]), ad)})
	}
	return rows, nil
}

func relDiff(a, ref []float64) float64 {
	var d, n float64
	for i := range a {
		d += (a[i] - ref[i]) * (a[i] - ref[i])
		n += ref[i] * ref[i]
	}
	return math.Sqrt(d) / math.Max(math.Sqrt(n), 1e-300)
}

// GradientByLag measures how the gradient decays (or grows) backward in time: for the loss
// L = <h_T, g> on the last state only, it returns ||∂L/∂h_t|| (root mean square over the batch)
// indexed by the lag T - t = 0..T-1. Values fall geometrically when gradients vanish and rise
// when they explode.
func GradientByLag(b compute.Backend, w *recurrent.Weights, x *tensors.Tensor, seed uint64) ([]float64, error) {
	T := x.Shape().Dim(1)
	return lastStateLossExec(b, w, x, seed, func(loss *Node, params []*Node, top *recurrent.Trace) *Node {
		B := top.H[0].Shape().Dim(0)
		grads := Gradient(loss, top.H...) // T x [B, H]
		norms := make([]*Node, T)
		for t, gr := range grads {
			norms[T-1-t] = Sqrt(DivScalar(ReduceAllSum(Square(gr)), float64(B))) // index by lag
		}
		return ConvertDType(Stack(norms, 0), dtypes.Float64) // [T]
	})
}

// ParamGradientNorm is ||∂L/∂θ||, the Euclidean norm of the gradient of the same loss as
// GradientByLag (L = <h_T, g>, g drawn from seed) with respect to all the weights θ together:
// the norm that gradient clipping compares with its threshold.
func ParamGradientNorm(b compute.Backend, w *recurrent.Weights, x *tensors.Tensor, seed uint64) (float64, error) {
	out, err := lastStateLossExec(b, w, x, seed, func(loss *Node, params []*Node, _ *recurrent.Trace) *Node {
		var sum *Node
		for _, gr := range Gradient(loss, params...) {
			sq := ReduceAllSum(Square(gr))
			if sum == nil {
				sum = sq
			} else {
				sum = Add(sum, sq)
			}
		}
		return ConvertDType(Reshape(Sqrt(sum), 1), dtypes.Float64) // [1]
	})
	if err != nil {
		return 0, err
	}
	return out[0], nil
}

// lastStateLossExec runs w on x, forms L = <h_T, g> with a random g [B, H] drawn from seed, and
// returns what measure computes from the loss, the weight nodes and the top layer's trace, as
// float64 values.
func lastStateLossExec(b compute.Backend, w *recurrent.Weights, x *tensors.Tensor, seed uint64,
	measure func(loss *Node, params []*Node, top *recurrent.Trace) *Node) ([]float64, error) {
	cfg := w.Config
	if err := recurrent.CheckInput(cfg, x.Shape(), nil, nil); err != nil {
		return nil, err
	}
	B, T := x.Shape().Dim(0), x.Shape().Dim(1)
	rng := rand.New(rand.NewPCG(seed, 78))
	gv := make([]float64, B*cfg.HiddenSize)
	for i := range gv {
		gv[i] = rng.NormFloat64()
	}
	var g *tensors.Tensor
	if cfg.DType == dtypes.Float64 {
		g = tensors.FromFlatDataAndDimensions(gv, B, cfg.HiddenSize)
	} else {
		g32 := make([]float32, len(gv))
		for i, v := range gv {
			g32[i] = float32(v)
		}
		g = tensors.FromFlatDataAndDimensions(g32, B, cfg.HiddenSize)
	}
	n := len(w.Tensors)
	exec, err := NewExec(b, func(in []*Node) *Node {
		_, _, _, traces := recurrent.Forward(cfg.Kind, in[:n], in[n], nil, nil)
		top := traces[len(traces)-1]
		loss := ReduceAllSum(Mul(top.H[T-1], in[n+1]))
		return measure(loss, in[:n], top)
	})
	if err != nil {
		return nil, err
	}
	out, err := exec.Call(seq.Args(w.Tensors, x, g)...)
	if err != nil {
		return nil, err
	}
	return tensors.MustCopyFlatData[float64](out[0]), nil
}

// SetRecurrentSpectralRadius replaces every layer's W_hh gate blocks by rho times a random
// orthogonal matrix (all eigenvalues on the circle of radius rho), so that the spectral radius
// of each recurrent block is exactly rho. Used to show vanishing (rho < 1) and exploding
// (rho > 1) gradients.
func SetRecurrentSpectralRadius(w *recurrent.Weights, rho float64, seed uint64) error {
	cfg := w.Config
	H, G := cfg.HiddenSize, cfg.Kind.Gates()
	rng := rand.New(rand.NewPCG(seed, 79))
	for l := range cfg.NumLayers {
		vals := make([]float64, 0, G*H*H)
		for range G {
			q := randomOrthogonal(H, rng)
			for _, v := range q {
				vals = append(vals, rho*v)
			}
		}
		var t *tensors.Tensor
		if cfg.DType == dtypes.Float64 {
			t = tensors.FromFlatDataAndDimensions(vals, G*H, H)
		} else {
			v32 := make([]float32, len(vals))
			for i, v := range vals {
				v32[i] = float32(v)
			}
			t = tensors.FromFlatDataAndDimensions(v32, G*H, H)
		}
		w.Tensors[recurrent.ParamIndex(l, recurrent.WeightHH)] = t
	}
	return w.Validate()
}

// randomOrthogonal returns an n x n orthogonal matrix (row-major) by Gram-Schmidt on a Gaussian.
func randomOrthogonal(n int, rng *rand.Rand) []float64 {
	q := make([]float64, n*n)
	for i := range q {
		q[i] = rng.NormFloat64()
	}
	for i := range n {
		row := q[i*n : (i+1)*n]
		for j := range i {
			prev := q[j*n : (j+1)*n]
			dot := 0.0
			for k := range n {
				dot += row[k] * prev[k]
			}
			for k := range n {
				row[k] -= dot * prev[k]
			}
		}
		norm := 0.0
		for _, v := range row {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		for k := range row {
			row[k] /= norm
		}
	}
	return q
}
