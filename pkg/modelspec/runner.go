package modelspec

import (
	"fmt"
	"slices"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Runner runs a Spec on host tensors. It checks the shapes of its inputs against the Spec and
// returns errors (never panics) for bad ones. Graphs are compiled once per input shape (and per
// set of states given). It is safe for concurrent use.
type Runner struct {
	backend compute.Backend
	spec    Spec
	nParams int
	mu      sync.Mutex
	execs   map[uint64]*Exec // by the set of states given (bit i: state i), compiled on first use
}

// NewRunner creates a Runner for spec on a backend (see package backend).
func NewRunner(b compute.Backend, spec Spec) (*Runner, error) {
	if spec == nil {
		return nil, fmt.Errorf("modelspec: NewRunner with a nil Spec")
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if n := len(spec.StateShapes(1)); n > 64 {
		return nil, fmt.Errorf("modelspec: %d states, at most 64 supported", n)
	}
	return &Runner{backend: b, spec: spec, nParams: len(spec.ParamNames()), execs: map[uint64]*Exec{}}, nil
}

// execFor returns the Exec for the states given (bit i of given: state i is an input; the
// others are nil in Build, zeros).
func (r *Runner) execFor(given uint64, nStates int) (*Exec, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.execs[given]; ok {
		return e, nil
	}
	e, err := NewExec(r.backend, func(in []*Node) []*Node {
		states := make([]*Node, nStates)
		next := r.nParams + 1
		for i := range states {
			if given&(1<<i) != 0 {
				states[i] = in[next]
				next++
			}
		}
		out, final := r.spec.Build(in[:r.nParams], in[r.nParams], states)
		return append([]*Node{out}, final...)
	})
	if err != nil {
		return nil, err
	}
	r.execs[given] = e
	return e, nil
}

// Spec returns the Spec the runner runs.
func (r *Runner) Spec() Spec { return r.spec }

// Run evaluates the layer with params (ParamNames order) on x [B, T, D] from states
// (StateShapes(B) order; nil, or a nil entry, for zeros). It returns every step's output
// [B, T, H] and the final states in StateShapes order.
func (r *Runner) Run(params []*tensors.Tensor, x *tensors.Tensor, states []*tensors.Tensor) (out *tensors.Tensor, final []*tensors.Tensor, err error) {
	if r == nil || r.spec == nil {
		return nil, nil, fmt.Errorf("modelspec: Run on a nil Runner, want one from NewRunner")
	}
	if x == nil || !x.Ok() {
		return nil, nil, fmt.Errorf("modelspec: x is nil or finalized, want a [batch, time, features] tensor")
	}
	xs := x.Shape()
	if xs.Rank() != 3 || xs.Dim(0) < 1 || xs.Dim(1) < 1 {
		return nil, nil, fmt.Errorf("modelspec: x has shape %s, want [batch, time, features] with batch, time >= 1", xs)
	}
	names, dims := r.spec.ParamNames(), r.spec.ParamShapes()
	if len(params) != len(names) {
		return nil, nil, fmt.Errorf("modelspec: %d parameters, want %d (%v)", len(params), len(names), names)
	}
	for i, p := range params {
		if p == nil || !p.Ok() {
			return nil, nil, fmt.Errorf("modelspec: parameter %s is nil or finalized", names[i])
		}
		if want := shapes.Make(xs.DType, dims[i]...); !p.Shape().Equal(want) {
			return nil, nil, fmt.Errorf("modelspec: parameter %s has shape %s, want %s", names[i], p.Shape(), want)
		}
	}
	stateDims := r.spec.StateShapes(xs.Dim(0))
	if len(states) != 0 && len(states) != len(stateDims) {
		return nil, nil, fmt.Errorf("modelspec: %d states, want %d or none (zeros)", len(states), len(stateDims))
	}
	args := make([]any, 0, len(params)+1+len(stateDims))
	for _, p := range params {
		args = append(args, p)
	}
	args = append(args, x)
	var given uint64
	for i, s := range states {
		want := shapes.Make(xs.DType, stateDims[i]...)
		switch {
		case s == nil:
			continue // zeros, made by Build
		case !s.Ok():
			return nil, nil, fmt.Errorf("modelspec: state %d is a finalized tensor (its data was freed)", i)
		case !s.Shape().Equal(want):
			return nil, nil, fmt.Errorf("modelspec: state %d has shape %s, want %s", i, s.Shape(), want)
		}
		given |= 1 << i
		args = append(args, s)
	}
	exec, err := r.execFor(given, len(stateDims))
	if err != nil {
		return nil, nil, err
	}
	outs, err := exec.Call(args...)
	if err != nil {
		return nil, nil, err
	}
	return outs[0], slices.Clip(outs[1:]), nil
}
