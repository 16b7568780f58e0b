package recurrent

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// A Config is also a whole recurrent stack seen from outside, the view that a training loop
// needs (package train's Layer): parameter names and shapes, whether there is a cell state,
// fresh parameters, and the forward pass. Package mingru's Layer offers the same methods.

// ParamNames returns PyTorch's state_dict names of the stack's parameters, 4 per layer.
func (c Config) ParamNames() []string { return ParamNames(c.NumLayers) }

// ParamShapes returns the shapes of the stack's parameters, in ParamNames order.
func (c Config) ParamShapes() [][]int {
	var out [][]int
	for l := range c.NumLayers {
		for _, dims := range c.LayerShapes(l) {
			out = append(out, dims)
		}
	}
	return out
}

// HasCellState reports whether the stack carries a second state c_t (the LSTM).
func (c Config) HasCellState() bool { return c.Kind.HasCellState() }

// NewParams returns fresh parameters (NewWeights), in ParamNames order.
func (c Config) NewParams(seed uint64) ([]*tensors.Tensor, error) {
	w, err := NewWeights(c, seed)
	if err != nil {
		return nil, err
	}
	return w.Tensors, nil
}

// Forward is Forward for this configuration's kind: x [B, T, D], h0 and c0 [L, B, H] (c0 only
// for the LSTM, else nil) -> out [B, T, H], hn and cn [L, B, H] (cn nil without a cell state).
// The shapes of params, x, h0 and c0 are checked against the configuration when the graph is
// built (CheckInput); a mismatch panics with CheckInput's error, which an Exec returns.
func (c Config) Forward(params []*Node, x, h0, c0 *Node) (out, hn, cn *Node) {
	if err := checkNodes(c, x, h0, c0); err != nil {
		panic(err)
	}
	if err := checkParamShapes(c, params); err != nil {
		panic(err)
	}
	out, hn, cn, _ = Forward(c.Kind, params, x, h0, c0)
	return out, hn, cn
}
