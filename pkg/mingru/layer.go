package mingru

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/modelspec"
	"github.com/rnn-course/bottleneck/pkg/scan"
)

var _ modelspec.Spec = Layer{}

// Layer is one minGRU or minLSTM layer together with the way its recurrence runs, seen from
// outside as a modelspec.Spec, the way packages train and cost see a stack of classic cells
// (recurrent.Config is the other Spec): one layer, no cell state, the state h shaped [1, B, H].
type Layer struct {
	Config
	Form scan.Form
}

// Validate checks the configuration and that Form suits it.
func (l Layer) Validate() error {
	if err := l.Config.Validate(); err != nil {
		return err
	}
	return l.CheckForm(l.Form)
}

// HasCellState is false: minGRU and minLSTM carry h only.
func (l Layer) HasCellState() bool { return false }

// Init returns fresh parameters (NewWeights), in ParamNames order.
func (l Layer) Init(seed uint64) ([]*tensors.Tensor, error) { return l.NewParams(seed) }

// StateShapes returns the shape of the one state, h [1, B, H].
func (l Layer) StateShapes(B int) [][]int { return [][]int{{1, B, l.HiddenSize}} }

// Build is Forward with the states as a list: states is nil or {h0 [1, B, H]} (nil for zeros);
// final is {hn [1, B, H]}. A second state (a c0) panics, as in Forward.
func (l Layer) Build(params []*Node, x *Node, states []*Node) (out *Node, final []*Node) {
	if len(states) > 2 {
		panic("mingru: Layer.Build takes one state, h0")
	}
	out, hn, _ := l.Forward(params, x, modelspec.State(states, 0), modelspec.State(states, 1))
	return out, []*Node{hn}
}

// NewParams returns fresh parameters (NewWeights), in ParamNames order.
func (l Layer) NewParams(seed uint64) ([]*tensors.Tensor, error) {
	w, err := NewWeights(l.Config, seed)
	if err != nil {
		return nil, err
	}
	return w.Tensors, nil
}

// Forward runs the layer over x [B, T, D] from h0 [1, B, H] (c0 must be nil) and returns every
// h_t [B, T, H], the last state hn [1, B, H], and a nil cn.
func (l Layer) Forward(params []*Node, x, h0, c0 *Node) (out, hn, cn *Node) {
	if c0 != nil {
		panic("mingru: Layer.Forward takes no cell state c0")
	}
	var h *Node
	if h0 != nil {
		h = Squeeze(h0, 0) // [B, H]
	}
	out = Forward(l.Config, params, x, h, l.Form)             // [B, T, H]
	last := SliceAxis(out, 1, AxisElem(out.Shape().Dim(1)-1)) // [B, 1, H]
	return out, ExpandAxes(Squeeze(last, 1), 0), nil          // hn [1, B, H]
}
