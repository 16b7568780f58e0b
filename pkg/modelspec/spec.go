package modelspec

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Spec describes a sequence layer: its parameters, its states, and its forward pass.
type Spec interface {
	// Validate says what is wrong with the description (nil when it can be built).
	Validate() error
	// ParamNames lists the parameters' names (PyTorch's state_dict names), in the order that
	// Init returns and Build takes them.
	ParamNames() []string
	// ParamShapes lists the parameters' dimensions, in ParamNames order.
	ParamShapes() [][]int
	// Init returns fresh parameters in ParamNames order; the same seed gives the same values.
	Init(seed uint64) ([]*tensors.Tensor, error)
	// StateShapes lists the dimensions of the recurrent states for a batch of B sequences, in
	// the order Build takes and returns them: h (and c for a cell with a cell state).
	StateShapes(B int) [][]int
	// Build adds the forward pass to x's graph: params in ParamNames order, x [B, T, D], and
	// states in StateShapes order (a nil slice, or a nil entry, means zeros). It returns every
	// step's output out [B, T, H] and the final states, in StateShapes order. It panics (while
	// the graph is built, which an Exec returns as an error) on inputs of the wrong shape.
	Build(params []*Node, x *Node, states []*Node) (out *Node, final []*Node)
}

// State returns states[i], or nil when states has no entry i: the states of Build, where a
// missing or nil entry means zeros.
func State(states []*Node, i int) *Node {
	if i < len(states) {
		return states[i]
	}
	return nil
}
