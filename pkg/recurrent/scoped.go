package recurrent

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/rnn-course/bottleneck/pkg/seq"
	"github.com/rnn-course/bottleneck/pkg/tensornpz"
)

// The scoped layers: the cells of this package in GoMLX's own style, their weights in variables
// of a model.Scope (see the package documentation, "Layers over GoMLX's model scope").

// LayerOption configures a scoped layer (LSTMLayer, GRULayer, RNNLayer, ScopedLayer).
type LayerOption func(*layerOptions)

type layerOptions struct {
	numLayers int
	h0, c0    *Node
	relu      bool
}

// WithLayers stacks n layers (default 1), as torch.nn.LSTM(num_layers=n): layer l > 0 reads the
// hidden states of layer l-1.
func WithLayers(n int) LayerOption { return func(o *layerOptions) { o.numLayers = n } }

// WithState starts the layers from h0 and, for the LSTM, c0, each [L, B, H]. nil (the default)
// means zeros; c0 must be nil for the other cells.
func WithState(h0, c0 *Node) LayerOption {
	return func(o *layerOptions) { o.h0, o.c0 = h0, c0 }
}

// WithReLU makes an RNN use ReLU instead of tanh, as torch.nn.RNN(nonlinearity="relu"). Only
// RNNLayer (and ScopedLayer with an RNN kind) accept it.
func WithReLU() LayerOption { return func(o *layerOptions) { o.relu = true } }

// LSTMLayer runs an LSTM stack over x [B, T, D] with hidden size H, its weights under scope:
// out [B, T, H], hn and cn [L, B, H]. See ScopedLayer.
func LSTMLayer(scope *model.Scope, x *Node, hidden int, opts ...LayerOption) (out, hn, cn *Node) {
	return ScopedLayer(scope, LSTM, x, hidden, opts...)
}

// GRULayer runs a GRU stack over x [B, T, D]: out [B, T, H], hn [L, B, H]. See ScopedLayer.
func GRULayer(scope *model.Scope, x *Node, hidden int, opts ...LayerOption) (out, hn *Node) {
	out, hn, _ = ScopedLayer(scope, GRU, x, hidden, opts...)
	return out, hn
}

// RNNLayer runs an Elman RNN stack (tanh, or ReLU with WithReLU) over x [B, T, D]:
// out [B, T, H], hn [L, B, H]. See ScopedLayer.
func RNNLayer(scope *model.Scope, x *Node, hidden int, opts ...LayerOption) (out, hn *Node) {
	out, hn, _ = ScopedLayer(scope, RNNTanh, x, hidden, opts...)
	return out, hn
}

// ScopedLayer runs a stack of cells of the given kind over x [B, T, D] (Float32 or Float64),
// with hidden size H and the weights of the variables under scope (ScopedParams), and returns
// Forward's out [B, T, H], hn [L, B, H] and cn [L, B, H] (nil without a cell state).
//
// It is a graph-building function: a bad configuration or input shape panics with an error
// that says what was expected, which model.Exec and ml/train return as an error.
func ScopedLayer(scope *model.Scope, kind Kind, x *Node, hidden int, opts ...LayerOption) (out, hn, cn *Node) {
	o := layerOptions{numLayers: 1}
	for _, opt := range opts {
		opt(&o)
	}
	if o.relu {
		if kind != RNNTanh && kind != RNNReLU {
			panic(fmt.Errorf("recurrent: WithReLU is an option of the RNN, not of the %s", kind))
		}
		kind = RNNReLU
	}
	if x == nil || x.Rank() != 3 {
		panic(fmt.Errorf("recurrent: %s layer: x must be [batch, time, features], got %v", kind, shapeOf(x)))
	}
	cfg := Config{Kind: kind, InputSize: x.Shape().Dim(2), HiddenSize: hidden, NumLayers: o.numLayers, DType: x.DType()}
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	return cfg.Forward(ScopedParams(scope, cfg, x.Graph()), x, o.h0, o.c0)
}

// shapeOf is a node's shape for an error message, "nil" for nil.
func shapeOf(x *Node) any {
	if x == nil {
		return "nil"
	}
	return x.Shape()
}

// ScopedParams returns the nodes of the stack's variables under scope in graph g, in ParamNames
// order, creating missing variables with PyTorch's initialisation U(-1/sqrt(H), 1/sqrt(H)).
// An existing variable of another shape panics (GoMLX's error names both shapes).
func ScopedParams(scope *model.Scope, cfg Config, g *Graph) []*Node {
	k := 1 / math.Sqrt(float64(cfg.HiddenSize))
	init := initializer.RandomUniformFn(scope, -k, k)
	var nodes []*Node
	for i, name := range cfg.ParamNames() {
		shape := shapes.Make(cfg.DType, cfg.ParamShape(i)...)
		nodes = append(nodes, StateDictVariable(scope, name, shape, init).NodeValue(g))
	}
	return nodes
}

// StateDictVariable is seq.StateDictVariable: the variable for a PyTorch state_dict key under
// scope (each '.' of the key opens a sub-scope), created with init if needed.
func StateDictVariable(scope *model.Scope, key string, shape shapes.Shape, init model.VariableInitializer) *model.Variable {
	return seq.StateDictVariable(scope, key, shape, init)
}

// SetScopeTensors is seq.SetScopeTensors: it writes copies of tensors into the variables of the
// given state_dict keys under scope.
func SetScopeTensors(scope *model.Scope, keys []string, ts []*tensors.Tensor) error {
	return seq.SetScopeTensors(scope, keys, ts)
}

// ScopeTensors is seq.ScopeTensors: copies of the values of the variables of the given
// state_dict keys under scope.
func ScopeTensors(scope *model.Scope, keys []string) ([]*tensors.Tensor, error) {
	return seq.ScopeTensors(scope, keys)
}

// SetScopeWeights writes a stack's weights into the variables under scope (PyTorch's names), so
// that a layer built on that scope uses them; w is copied and checked (Validate).
func SetScopeWeights(scope *model.Scope, w *Weights) error {
	if err := w.Validate(); err != nil {
		return err
	}
	return SetScopeTensors(scope, w.Names(), w.Tensors)
}

// ScopeWeights reads the weights of a stack of configuration cfg from the variables under scope
// (copies), checking their shapes.
func ScopeWeights(scope *model.Scope, cfg Config) (*Weights, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ts, err := ScopeTensors(scope, cfg.ParamNames())
	if err != nil {
		return nil, err
	}
	w := &Weights{Config: cfg, Tensors: ts}
	return w, w.Validate()
}

// WritePyTorchFile writes the weights as a PyTorch state_dict saved as .npz (PyTorch's names and
// layout): FromPyTorch reads it back bit for bit, and in Python
// module.load_state_dict({k: torch.from_numpy(v) for k, v in np.load(path).items()}) loads it.
func (w *Weights) WritePyTorchFile(path string) error {
	if err := w.Validate(); err != nil {
		return err
	}
	var arrays []*npz.Array
	for i, name := range w.Names() {
		a, err := tensornpz.Array(name, w.Tensors[i])
		if err != nil {
			return fmt.Errorf("recurrent: %w", err)
		}
		arrays = append(arrays, a)
	}
	return npz.WriteFile(path, arrays...)
}
