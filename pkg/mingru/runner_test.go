package mingru

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/modelspec"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// Runner (a test helper) runs one layer on host tensors in a fixed scan form: modelspec.Runner
// over the Layer, with this package's checks and h0 shaped [B, H]. It returns errors (never
// panics) for bad shapes or forms.
type Runner struct {
	cfg Config
	run *modelspec.Runner
}

// NewRunner creates a Runner for the configuration and scan form on a backend (see package backend).
func NewRunner(b compute.Backend, cfg Config, form scan.Form) (*Runner, error) {
	l := Layer{Config: cfg, Form: form}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	run, err := modelspec.NewRunner(b, l)
	if err != nil {
		return nil, err
	}
	return &Runner{cfg: cfg, run: run}, nil
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
	var states []*tensors.Tensor
	if h0 != nil {
		d := h0.Shape().Dimensions
		h0.MustConstFlatData(func(flat any) {
			switch v := flat.(type) {
			case []float32:
				states = append(states, tensors.FromFlatDataAndDimensions(slices.Clone(v), 1, d[0], d[1])) // [1, B, H]
			case []float64:
				states = append(states, tensors.FromFlatDataAndDimensions(slices.Clone(v), 1, d[0], d[1])) // [1, B, H]
			}
		})
	}
	out, _, err := r.run.Run(w.Tensors, x, states)
	return out, err
}
