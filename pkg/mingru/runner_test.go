package mingru

import (
	"fmt"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// Runner (a test helper: only tests used it when it was exported) runs one layer on host
// tensors in a fixed scan form. It validates its inputs and returns
// errors (never panics) for bad shapes or forms. Graphs are compiled once per input shape.
type Runner struct {
	cfg          Config
	form         scan.Form
	withH0, noH0 *Exec
}

// NewRunner creates a Runner for the configuration and scan form on a backend (see package backend).
func NewRunner(b compute.Backend, cfg Config, form scan.Form) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.CheckForm(form); err != nil {
		return nil, err
	}
	n := len(cfg.ParamNames())
	r := &Runner{cfg: cfg, form: form}
	var err error
	r.noH0, err = NewExec(b, func(in []*Node) *Node { return Forward(cfg, in[:n], in[n], nil, form) })
	if err != nil {
		return nil, err
	}
	r.withH0, err = NewExec(b, func(in []*Node) *Node { return Forward(cfg, in[:n], in[n], in[n+1], form) })
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Run evaluates the layer with weights w on x [B, T, D] from h0 [B, H] (nil for zeros) and
// returns all h_t, [B, T, H].
func (r *Runner) Run(w *Weights, x, h0 *tensors.Tensor) (*tensors.Tensor, error) {
	if w.Config != r.cfg {
		return nil, fmt.Errorf("mingru: weights are for %+v, runner for %+v", w.Config, r.cfg)
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if err := r.cfg.CheckInput(x.Shape(), seq.ShapeOf(h0)); err != nil {
		return nil, err
	}
	args := seq.Args(w.Tensors, x)
	exec := r.noH0
	if h0 != nil {
		args = append(args, h0)
		exec = r.withH0
	}
	outs, err := exec.Call(args...)
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}
