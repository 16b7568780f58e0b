package recurrent

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/modelspec"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// CheckInput validates the shapes of an input sequence and of the optional initial states
// against a configuration, and says what was expected.
func CheckInput(cfg Config, x shapes.Shape, h0, c0 *shapes.Shape) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if x.Rank() != 3 {
		return fmt.Errorf("recurrent: x must be [batch, time, features], got shape %s", x)
	}
	B, T, D := x.Dim(0), x.Dim(1), x.Dim(2)
	if B == 0 {
		return fmt.Errorf("recurrent: batch of zero sequences (x shape %s), want batch >= 1", x)
	}
	if T == 0 {
		return fmt.Errorf("recurrent: empty sequence (x shape %s), want time >= 1", x)
	}
	if D != cfg.InputSize {
		return fmt.Errorf("recurrent: x has %d features per step (shape %s), but the weights expect input size %d",
			D, x, cfg.InputSize)
	}
	if x.DType != cfg.DType {
		return fmt.Errorf("recurrent: x has dtype %s, the weights are %s", x.DType, cfg.DType)
	}
	want := shapes.Make(cfg.DType, cfg.NumLayers, B, cfg.HiddenSize)
	for _, st := range []struct {
		name string
		s    *shapes.Shape
	}{{"h0", h0}, {"c0", c0}} {
		if st.s != nil && !st.s.Equal(want) {
			return fmt.Errorf("recurrent: %s has shape %s, want [layers, batch, hidden] = %s", st.name, *st.s, want)
		}
	}
	if c0 != nil && !cfg.Kind.HasCellState() {
		return fmt.Errorf("recurrent: c0 given, but a %s has no cell state", cfg.Kind)
	}
	return nil
}

// graphArgs are the inputs of the graphs of this package, in their order: the stack's
// parameters (ParamNames order), x, h0, c0 (only for a cell with a cell state), then any extra
// inputs.
type graphArgs struct {
	Params    []*Node
	X, H0, C0 *Node
	Extra     []*Node
}

// splitGraphArgs names the inputs of a graph that takes graphArgs' order.
func splitGraphArgs(cfg Config, in []*Node) graphArgs {
	n := ParamsPerLayer * cfg.NumLayers
	a := graphArgs{Params: in[:n], X: in[n], H0: in[n+1]}
	rest := in[n+2:]
	if cfg.Kind.HasCellState() {
		a.C0, rest = rest[0], rest[1:]
	}
	a.Extra = rest
	return a
}

// Result of a forward run on host tensors.
type Result struct {
	Out *tensors.Tensor // [B, T, H]
	HN  *tensors.Tensor // [L, B, H]
	CN  *tensors.Tensor // [L, B, H], LSTM only
}

// Runner runs a stack of recurrent layers on host tensors. It validates its inputs and
// returns errors (never panics) for bad shapes. Graphs are compiled once per input shape. It is
// modelspec.Runner over the Config, with this package's checks and result type.
type Runner struct {
	cfg Config
	run *modelspec.Runner
}

// NewRunner creates a Runner for the configuration on a backend (see package backend).
func NewRunner(b compute.Backend, cfg Config) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	run, err := modelspec.NewRunner(b, cfg)
	if err != nil {
		return nil, err
	}
	return &Runner{cfg: cfg, run: run}, nil
}

// Run evaluates the layers with weights w on x [B, T, D]; h0 and c0 ([L, B, H]) may be nil.
// Every value of w, x, h0 and c0 must be finite, and so is every value of the result: outputs
// that overflow to ±Inf or NaN are an error, never a result.
func (r *Runner) Run(w *Weights, x, h0, c0 *tensors.Tensor) (*Result, error) {
	if r == nil || r.run == nil {
		return nil, fmt.Errorf("recurrent: Run on a nil Runner, want one from NewRunner")
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if w.Config != r.cfg {
		return nil, fmt.Errorf("recurrent: weights are for %+v, runner for %+v", w.Config, r.cfg)
	}
	for _, in := range []struct {
		name string
		t    *tensors.Tensor
	}{{"x", x}, {"h0", h0}, {"c0", c0}} {
		if in.t == nil {
			if in.name == "x" {
				return nil, fmt.Errorf("recurrent: x is nil, want a [batch, time, %d] tensor", r.cfg.InputSize)
			}
			continue
		}
		if !in.t.Ok() {
			return nil, fmt.Errorf("recurrent: %s is a finalized tensor (its data was freed)", in.name)
		}
	}
	if err := CheckInput(r.cfg, x.Shape(), seq.ShapeOf(h0), seq.ShapeOf(c0)); err != nil {
		return nil, err
	}
	names := w.Names()
	for i, t := range w.Tensors {
		if err := checkFinite(names[i], t); err != nil {
			return nil, err
		}
	}
	for _, in := range []struct {
		name string
		t    *tensors.Tensor
	}{{"x", x}, {"h0", h0}, {"c0", c0}} {
		if err := checkFinite(in.name, in.t); err != nil {
			return nil, err
		}
	}
	zero := tensors.FromShape(shapes.Make(r.cfg.DType, r.cfg.StateShapes(x.Shape().Dim(0))[0]...))
	states := []*tensors.Tensor{h0, c0}[:len(r.cfg.StateShapes(1))]
	for i, s := range states {
		if s == nil {
			states[i] = zero // as an input, not a constant: one graph whether or not h0, c0 are given
		}
	}
	out, final, err := r.run.Run(w.Tensors, x, states)
	if err != nil {
		return nil, err
	}
	outs := append([]*tensors.Tensor{out}, final...)
	res := &Result{Out: outs[0], HN: outs[1]}
	if len(outs) > 2 {
		res.CN = outs[2]
	}
	for i, name := range []string{"out", "hn", "cn"}[:len(outs)] {
		if err := checkFinite(name, outs[i]); err != nil {
			return nil, fmt.Errorf("%w, from finite weights and inputs: the %s overflows %s (weights or inputs too large)",
				err, r.cfg.Kind, r.cfg.DType)
		}
	}
	return res, nil
}

// checkFinite returns an error naming the first NaN or ±Inf of a float tensor (nil: no error).
func checkFinite(name string, t *tensors.Tensor) error {
	if t == nil {
		return nil
	}
	idx := -1
	t.MustConstFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32:
			for i, x := range v {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					idx = i
					return
				}
			}
		case []float64:
			for i, x := range v {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					idx = i
					return
				}
			}
		}
	})
	if idx >= 0 {
		return fmt.Errorf("recurrent: %s has a non-finite value at flat index %d", name, idx)
	}
	return nil
}
