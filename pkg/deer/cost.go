package deer

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/graphwalk"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// IterationCost builds one Newton iteration (Step: (params, x, h0, guess) -> new guess) for a
// batch of B sequences of length T and returns its exact counts from the graph walk of package
// cost (depth, flops, bytes moved); nothing is compiled or run. Graph-building panics come back
// as errors.
func IterationCost(b compute.Backend, cell recurrent.Config, cfg Config, B, T int) (graphwalk.Stats, error) {
	if err := cfg.check(cell); err != nil {
		return graphwalk.Stats{}, err
	}
	return walkGraph(b, cell, B, T, fmt.Sprintf("deer_%s_T%d", cfg.method(), T), func(p recurrent.LayerParams, x, h0, guess *Node) *Node {
		return Step(cell.Kind, cfg, p, x, h0, guess)
	})
}

// SequentialCost is IterationCost for the sequential loop it replaces: recurrent.Forward over
// the same shapes (all T states, h_{-1} = h0). Its depth grows like T.
func SequentialCost(b compute.Backend, cell recurrent.Config, B, T int) (graphwalk.Stats, error) {
	return walkGraph(b, cell, B, T, fmt.Sprintf("sequential_T%d", T), func(p recurrent.LayerParams, x, h0, _ *Node) *Node {
		out, _, _, _ := recurrent.Forward(cell.Kind, []*Node{p.WIH, p.WHH, p.BIH, p.BHH}, x, ExpandAxes(h0, 0), nil)
		return out
	})
}

func walkGraph(b compute.Backend, cell recurrent.Config, B, T int, name string,
	build func(p recurrent.LayerParams, x, h0, guess *Node) *Node) (st graphwalk.Stats, err error) {
	if err := cell.Validate(); err != nil {
		return st, err
	}
	if CheckSupported(cell.Kind) != nil || cell.NumLayers != 1 {
		return st, fmt.Errorf("deer: want a single-layer rnn_tanh, rnn_relu or gru, got %d layers of %s",
			cell.NumLayers, cell.Kind)
	}
	if B < 1 || T < 1 {
		return st, fmt.Errorf("deer: batch and time must be >= 1, got B=%d T=%d", B, T)
	}
	g := NewGraph(b, name)
	defer g.Finalize()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("deer: building %s failed: %v", name, r)
		}
	}()
	ps := cell.LayerShapes(0)
	var p [4]*Node
	for i, n := range recurrent.ParamNames(1) {
		p[i] = Parameter(g, n, shapes.Make(cell.DType, ps[i]...))
	}
	H := cell.HiddenSize
	x := Parameter(g, "x", shapes.Make(cell.DType, B, T, cell.InputSize))
	h0 := Parameter(g, "h0", shapes.Make(cell.DType, B, H))
	guess := Parameter(g, "guess", shapes.Make(cell.DType, B, T, H))
	out := build(recurrent.LayerParams{WIH: p[0], WHH: p[1], BIH: p[2], BHH: p[3]}, x, h0, guess)
	return graphwalk.Walk(out), nil
}
