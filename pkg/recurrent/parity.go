package recurrent

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// ParityResult compares this package with PyTorch on one case file written by
// scripts/pytorch/make_parity.py (format: testdata/pytorch/README.md).
type ParityResult struct {
	Case   string
	Config Config
	// RelDiff maps each compared array (out, hn, cn, grad_<weight>, grad_x) to
	// max|ours - PyTorch| / max|PyTorch|: +Inf when ours has a NaN or ±Inf (the references are
	// finite, or CheckParity fails), so that no tolerance passes it.
	RelDiff map[string]float64
	Arrays  []string // the keys of RelDiff, in comparison order
}

// Worst returns the largest relative difference and its array; a NaN counts as larger than
// any number. With no arrays it returns "" and -1.
func (r *ParityResult) Worst() (string, float64) {
	name, worst := "", -1.0
	for _, a := range r.Arrays {
		if d := r.RelDiff[a]; d > worst || (math.IsNaN(d) && !math.IsNaN(worst)) {
			name, worst = a, d
		}
	}
	return name, worst
}

// CheckParity runs one PyTorch case file through Forward in float32 — outputs, final states and
// the gradients of sum(out*g) with respect to every weight and to x — and reports the relative
// differences. Errors name the case and what was missing or malformed: a missing array, one of
// another shape than ours, a NaN or ±Inf in any array of the file.
func CheckParity(b compute.Backend, path string) (*ParityResult, error) {
	return CheckParityWith(b, path, autodiffParityGraph)
}

// ParityGraph builds what a parity case compares: the output [B, T, H], the final states
// [L, B, H] (cn nil without a cell state), the gradients of sum(out*g) with respect to every
// weight (ParamNames order) and, if it computes it, to x (nil otherwise: grad_x is then not
// compared).
type ParityGraph func(kind Kind, params []*Node, x, h0, c0, g *Node) (out, hn, cn *Node, grads []*Node, gradX *Node)

// autodiffParityGraph is Forward and reverse-mode autodiff through it.
func autodiffParityGraph(kind Kind, params []*Node, x, h0, c0, g *Node) (out, hn, cn *Node, grads []*Node, gradX *Node) {
	out, hn, cn, _ = Forward(kind, params, x, h0, c0)
	all := Gradient(ReduceAllSum(Mul(out, g)), append(append([]*Node{}, params...), x)...)
	return out, hn, cn, all[:len(params)], all[len(params)]
}

// CheckParityWith is CheckParity for another way of computing the forward pass and the
// gradients (package bptt's fast path, for one).
func CheckParityWith(b compute.Backend, path string, build ParityGraph) (*ParityResult, error) {
	name := filepath.Base(path)
	fail := func(err error) (*ParityResult, error) { return nil, fmt.Errorf("parity case %s: %w", name, err) }
	f, err := npz.ReadFile(path)
	if err != nil {
		return fail(err)
	}
	kindName, err := f.String("kind")
	if err != nil {
		return fail(err)
	}
	kind, err := ParseKind(kindName)
	if err != nil {
		return fail(err)
	}
	if !strings.HasPrefix(name, kindName+"_") {
		return fail(fmt.Errorf("file name must start with its kind %q", kindName))
	}
	w, err := FromPyTorch(f, kind, dtypes.Float32)
	if err != nil {
		return fail(err)
	}
	cfg := w.Config
	xa, err := f.Get("x")
	if err != nil {
		return fail(err)
	}
	if len(xa.Shape) != 3 {
		return fail(fmt.Errorf("x has shape %v, want [B, T, D]", xa.Shape))
	}
	B, T, L, H := xa.Shape[0], xa.Shape[1], cfg.NumLayers, cfg.HiddenSize
	args := seq.Args(w.Tensors)
	inputs := []struct {
		name string
		dims []int
	}{{"x", []int{B, T, cfg.InputSize}}, {"h0", []int{L, B, H}}, {"c0", []int{L, B, H}}, {"g", []int{B, T, H}}}
	if !kind.HasCellState() {
		inputs = slices.Delete(inputs, 2, 3) // no c0: graphArgs' order
	}
	for _, in := range inputs {
		t, err := arrayTensor(f, in.name, in.dims, dtypes.Float32)
		if err != nil {
			return fail(err)
		}
		args = append(args, t)
	}
	hasGradX := false
	exec, err := NewExec(b, func(in []*Node) []*Node {
		a := splitGraphArgs(cfg, in)
		out, hn, cn, grads, gradX := build(kind, a.Params, a.X, a.H0, a.C0, a.Extra[0])
		res := append([]*Node{out, hn}, grads...)
		if gradX != nil {
			hasGradX = true
			res = append(res, gradX)
		}
		if cn != nil {
			res = append(res, cn)
		}
		return res
	})
	if err != nil {
		return fail(err)
	}
	got, err := exec.Call(args...)
	if err != nil {
		return fail(err)
	}
	res := &ParityResult{Case: name, Config: cfg, RelDiff: map[string]float64{}}
	compare := func(arr string, ours *tensors.Tensor) error {
		ref, shape, err := f.Float32(arr)
		if err != nil {
			return err
		}
		if !slices.Equal(shape, ours.Shape().Dimensions) {
			return fmt.Errorf("array %s has shape %v, ours %v", arr, shape, ours.Shape().Dimensions)
		}
		o := tensors.MustCopyFlatData[float32](ours)
		if len(o) != len(ref) {
			return fmt.Errorf("array %s has %d values, ours %d", arr, len(ref), len(o))
		}
		scale, worst := 0.0, 0.0
		for i := range ref {
			r, v := float64(ref[i]), float64(o[i])
			if math.IsNaN(r) || math.IsInf(r, 0) {
				return fmt.Errorf("array %s has a non-finite value at flat index %d: a reference must be finite", arr, i)
			}
			scale = math.Max(scale, math.Abs(r))
			d := math.Abs(v - r)
			if math.IsNaN(d) {
				d = math.Inf(1) // ours is NaN: worse than any tolerance, as ±Inf is
			}
			worst = math.Max(worst, d)
		}
		res.RelDiff[arr] = worst / math.Max(scale, 1e-12)
		res.Arrays = append(res.Arrays, arr)
		return nil
	}
	names := []string{"out", "hn"}
	for _, pn := range w.Names() {
		names = append(names, "grad_"+pn)
	}
	if hasGradX {
		names = append(names, "grad_x")
	}
	if kind.HasCellState() {
		names = append(names, "cn")
	}
	for i, arr := range names {
		if err := compare(arr, got[i]); err != nil {
			return fail(err)
		}
	}
	return res, nil
}
