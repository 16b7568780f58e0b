package mingru

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// The scoped layers: minGRU and minLSTM in GoMLX's own style, their weights in variables of a
// model.Scope (see the package documentation, "Layers over GoMLX's model scope").

// LayerOption configures a scoped layer (MinGRULayer, MinLSTMLayer, ScopedLayer).
type LayerOption func(*layerOptions)

type layerOptions struct {
	form     scan.Form
	chunk    int
	positive bool
	h0       *Node
}

// WithForm sets how the recurrence runs: Sequential (the default), Blelloch, Chunked,
// HillisSteele or LogSpace (which needs WithPositiveCandidate). Every form gives the same h.
func WithForm(form scan.Form) LayerOption { return func(o *layerOptions) { o.form = form } }

// WithChunk sets the chunk length of the Chunked form (0, the default: scan.DefaultChunk).
func WithChunk(n int) LayerOption { return func(o *layerOptions) { o.chunk = n } }

// WithPositiveCandidate passes the candidate through g, h̃ = g(W_h x + b_h) > 0 (the paper's
// log-space parametrisation, Config.PositiveCandidate); LogSpace requires it.
func WithPositiveCandidate() LayerOption { return func(o *layerOptions) { o.positive = true } }

// WithState starts the recurrence from h0 [B, H] (> 0 in the LogSpace form); nil (the default)
// means zeros.
func WithState(h0 *Node) LayerOption { return func(o *layerOptions) { o.h0 = h0 } }

// MinGRULayer runs a minGRU layer over x [B, T, D] with hidden size H, its weights under scope:
// every h_t, out [B, T, H], and the last one, hn [B, H]. See ScopedLayer.
func MinGRULayer(scope *model.Scope, x *Node, hidden int, opts ...LayerOption) (out, hn *Node) {
	return ScopedLayer(scope, MinGRU, x, hidden, opts...)
}

// MinLSTMLayer runs a minLSTM layer over x [B, T, D]: out [B, T, H], hn [B, H]. See ScopedLayer.
func MinLSTMLayer(scope *model.Scope, x *Node, hidden int, opts ...LayerOption) (out, hn *Node) {
	return ScopedLayer(scope, MinLSTM, x, hidden, opts...)
}

// ScopedLayer runs one layer of the given kind over x [B, T, D] (Float32 or Float64) with the
// weights of the variables under scope (ScopedParams), in the form the options choose, and
// returns Forward's out [B, T, H] and its last step hn [B, H].
//
// It is a graph-building function: a bad configuration, form or input shape panics with an error
// that says what was expected, which model.Exec and ml/train return as an error.
func ScopedLayer(scope *model.Scope, kind Kind, x *Node, hidden int, opts ...LayerOption) (out, hn *Node) {
	o := layerOptions{form: Sequential}
	for _, opt := range opts {
		opt(&o)
	}
	if x == nil || x.Rank() != 3 {
		panic(fmt.Errorf("mingru: %s layer: x must be [batch, time, features]", kind))
	}
	cfg := Config{Kind: kind, InputSize: x.Shape().Dim(2), HiddenSize: hidden, DType: x.DType(),
		PositiveCandidate: o.positive, Chunk: o.chunk}
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	out = Forward(cfg, ScopedParams(scope, cfg, x.Graph()), x, o.h0, o.form) // [B, T, H]
	hn = Squeeze(SliceAxis(out, 1, AxisElem(out.Shape().Dim(1)-1)), 1)       // [B, H]
	return out, hn
}

// ScopedParams returns the nodes of the layer's variables under scope in graph g, in ParamNames
// order (linear_z.weight is the variable "weight" of the sub-scope "linear_z", and so on),
// creating missing ones with nn.Linear's initialisation U(-1/sqrt(D), 1/sqrt(D)).
func ScopedParams(scope *model.Scope, cfg Config, g *Graph) []*Node {
	k := 1 / math.Sqrt(float64(cfg.InputSize))
	init := initializer.RandomUniformFn(scope, -k, k)
	var nodes []*Node
	for i, name := range cfg.ParamNames() {
		shape := shapes.Make(cfg.DType, cfg.ParamShapes()[i]...)
		nodes = append(nodes, seq.StateDictVariable(scope, name, shape, init).NodeValue(g))
	}
	return nodes
}

// SetScopeWeights writes a layer's weights into the variables under scope (PyTorch's names), so
// that a layer built on that scope uses them; w is copied and checked (Validate).
func SetScopeWeights(scope *model.Scope, w *Weights) error {
	if err := w.Validate(); err != nil {
		return err
	}
	return seq.SetScopeTensors(scope, w.Config.ParamNames(), w.Tensors)
}

// ScopeWeights reads the weights of a layer of configuration cfg from the variables under scope
// (copies), checking their shapes.
func ScopeWeights(scope *model.Scope, cfg Config) (*Weights, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ts, err := seq.ScopeTensors(scope, cfg.ParamNames())
	if err != nil {
		return nil, err
	}
	w := &Weights{Config: cfg, Tensors: ts}
	return w, w.Validate()
}
