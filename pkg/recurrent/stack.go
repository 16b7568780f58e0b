package recurrent

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/modelspec"
)

// A Config is also a whole recurrent stack seen from outside: a modelspec.Spec (parameter names
// and shapes, fresh parameters, state shapes, the forward pass), the view that packages train,
// cost and deer take of a model. Package mingru's Layer is the other Spec.
var _ modelspec.Spec = Config{}

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

// Init returns fresh parameters (NewWeights), in ParamNames order.
func (c Config) Init(seed uint64) ([]*tensors.Tensor, error) { return c.NewParams(seed) }

// StateShapes returns the shapes of the states for a batch of B sequences: h [L, B, H], and for
// the LSTM c [L, B, H].
func (c Config) StateShapes(B int) [][]int {
	s := [][]int{{c.NumLayers, B, c.HiddenSize}}
	if c.HasCellState() {
		s = append(s, []int{c.NumLayers, B, c.HiddenSize})
	}
	return s
}

// Build is Forward with the states as a list: states are h0 (and c0 for the LSTM), [L, B, H]
// each, nil for zeros; final is hn (and cn).
func (c Config) Build(params []*Node, x *Node, states []*Node) (out *Node, final []*Node) {
	out, hn, cn := c.Forward(params, x, modelspec.State(states, 0), modelspec.State(states, 1))
	final = []*Node{hn}
	if cn != nil {
		final = append(final, cn)
	}
	return out, final
}

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
