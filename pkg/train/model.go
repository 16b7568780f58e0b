package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/bptt"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// LossKind selects the task's loss; see the package documentation.
type LossKind string

// The losses.
const (
	MSE          LossKind = "mse"
	MSELast      LossKind = "mse_last"
	CrossEntropy LossKind = "xent"
)

// ModelConfig describes a model: a recurrent layer (or stack) and a linear readout. It is a
// plain value: two configurations are the same model exactly when they are ==.
type ModelConfig struct {
	Kind       CellKind     // rnn_tanh, rnn_relu, lstm, gru, mingru or minlstm
	InputSize  int          // D: features of x_t (the vocabulary size for CrossEntropy)
	HiddenSize int          // H
	NumLayers  int          // L: stacked layers (classic cells); 1 for mingru and minlstm
	DType      dtypes.DType // Float32 or Float64
	// Scan is how a mingru/minlstm recurrence runs: sequential (the default), blelloch, chunked,
	// hillis-steele or logspace (package mingru); Chunk is the chunked scan's chunk length (0: the scan
	// package's default). Both stay empty for the classic cells, which run step by step.
	Scan       scan.Form `json:",omitempty"`
	Chunk      int       `json:",omitempty"`
	OutputSize int       // O: readout width (the vocabulary size for CrossEntropy)
	Loss       LossKind
}

// hasCellState reports whether the model carries a second state (the LSTM's c).
func (c ModelConfig) hasCellState() bool { return c.Kind == LSTM }

// numCellParams is the number of recurrent parameter tensors (before the readout's two).
func (c ModelConfig) numCellParams() int { return len(c.Layer().ParamNames()) }

// Validate says what is wrong with a model configuration.
func (c ModelConfig) Validate() error {
	if err := c.validateLayer(); err != nil {
		return err
	}
	if c.OutputSize <= 0 {
		return fmt.Errorf("train: output size must be > 0, got %d", c.OutputSize)
	}
	switch c.Loss {
	case MSE, MSELast:
	case CrossEntropy:
		if c.OutputSize != c.InputSize {
			return fmt.Errorf("train: a character model reads and predicts the same vocabulary: "+
				"input size %d != output size %d", c.InputSize, c.OutputSize)
		}
	default:
		return fmt.Errorf("train: unknown loss %q, want mse, mse_last or xent", c.Loss)
	}
	return c.CheckSize()
}

// Model holds the host-side parameters: the recurrent layer's (PyTorch names for the classic
// cells) and the readout's.
//
// Config describes the parameters: it may be read, but not changed after NewModel (SaveModel,
// NewPredictor and New refuse a model whose Config differs from the one it was made with).
type Model struct {
	Config ModelConfig
	params []*tensors.Tensor // the layer's, then readout.weight [O, H] and readout.bias [O]
	made   ModelConfig       // the Config the parameters were made for
}

// check says what is wrong with a model that NewModel or LoadModel did not make, or whose
// Config was changed since: its parameters belong to the configuration it was made with.
func (m *Model) check() error {
	if m == nil || len(m.params) == 0 {
		return errors.New("train: the model has no parameters: make it with NewModel or LoadModel")
	}
	if m.Config != m.made {
		diff := configDiffNamed("Config", "made with", "now", reflect.ValueOf(m.made), reflect.ValueOf(m.Config))
		return fmt.Errorf("train: the model's Config was changed after NewModel (%s): its parameters belong to the "+
			"configuration it was made with; set Config back, or make a new model with NewModel", strings.Join(diff, "; "))
	}
	return nil
}

// NewModel creates a model with PyTorch's default initialisation (recurrent weights and
// nn.Linear readout both U(-1/sqrt(H), 1/sqrt(H))).
func NewModel(cfg ModelConfig, seed uint64) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cell, err := cfg.Layer().Init(seed)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x7ead))
	k := 1 / math.Sqrt(float64(cfg.HiddenSize))
	uniform := func(dims ...int) *tensors.Tensor { return seq.InitUniform(cfg.DType, k, rng, dims...) }
	w, b := uniform(cfg.OutputSize, cfg.HiddenSize), uniform(cfg.OutputSize)
	return &Model{Config: cfg, params: append(cell, w, b), made: cfg}, nil
}

// ParamNames lists the parameters in the order of Params: the layer's, then readout.weight and
// readout.bias.
func (m *Model) ParamNames() []string { return m.made.paramNames() }

// paramNames lists the parameters of a model of configuration c (see Model.ParamNames).
func (c ModelConfig) paramNames() []string {
	return append(c.Layer().ParamNames(), "readout.weight", "readout.bias")
}

// paramShapes lists the shapes of the parameters of a model of configuration c.
func (c ModelConfig) paramShapes() [][]int {
	return append(c.Layer().ParamShapes(), []int{c.OutputSize, c.HiddenSize}, []int{c.OutputSize})
}

// Params returns the parameter tensors (shared, not copied), in ParamNames order.
func (m *Model) Params() []*tensors.Tensor { return slices.Clone(m.params) }

// Readout returns the readout's weight [O, H] and bias [O] (shared, not copied).
func (m *Model) Readout() (w, b *tensors.Tensor) {
	n := len(m.params)
	return m.params[n-2], m.params[n-1]
}

// ClassicWeights returns the recurrent weights of a classic-cell model as a recurrent.Weights
// that shares the model's tensors: replacing one of its Tensors replaces the model's.
func (m *Model) ClassicWeights() (*recurrent.Weights, error) {
	if m.Config.Kind.Parallel() {
		return nil, fmt.Errorf("train: a %s model has no classic recurrent weights", m.Config.Kind)
	}
	n := m.Config.numCellParams()
	return &recurrent.Weights{Config: m.Config.classic(), Tensors: m.params[:n:n]}, nil
}

// SetParams replaces the parameters (in ParamNames order), checking their shapes, dtypes and
// that every value is finite; on error the model is unchanged.
func (m *Model) SetParams(ps []*tensors.Tensor) error {
	if len(ps) != len(m.params) {
		return fmt.Errorf("train: %d parameters given, want %d", len(ps), len(m.params))
	}
	names := m.ParamNames()
	for i := range ps {
		if ps[i] == nil {
			return fmt.Errorf("train: parameter %s is nil, want a tensor %s", names[i], m.params[i].Shape())
		}
		if !ps[i].Shape().Equal(m.params[i].Shape()) {
			return fmt.Errorf("train: parameter %s has shape %s, want %s", names[i], ps[i].Shape(), m.params[i].Shape())
		}
	}
	if err := checkFinite(prefixed("parameter ", names), ps); err != nil {
		return fmt.Errorf("train: SetParams: %v; the model keeps its parameters", err)
	}
	copy(m.params, ps)
	return nil
}

// prefixed returns the names with a prefix.
func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// NumParams counts the trainable scalars.
func (m *Model) NumParams() int {
	n := 0
	for _, t := range m.params {
		n += t.Size()
	}
	return n
}

// forwardGraph runs the model on x and returns the predictions (all steps [B, T, O], or the last
// step [B, O] for MSELast), the final states, and the readout's input: every step's output
// [B, T, H], or the top layer's last state [B, H] for MSELast.
func (c ModelConfig) forwardGraph(params []*Node, x, h0, c0 *Node) (pred, hn, cn, out *Node) {
	n := c.numCellParams()
	x = c.input(x)
	states := []*Node{h0}
	if c0 != nil || c.hasCellState() {
		states = append(states, c0) // the layer refuses a c0 it has no use for
	}
	out, final := c.Layer().Build(params[:n], x, states)
	hn = final[0]
	if len(final) > 1 {
		cn = final[1]
	}
	if c.Loss == MSELast {
		out = Squeeze(SliceAxis(hn, 0, AxisElem(hn.Shape().Dim(0)-1)), 0) // [B, H]: the top layer's h_T
	}
	return c.readout(params[n], params[n+1], out), hn, cn, out
}

// input is what the recurrent layer reads: x itself, or for CrossEntropy the one-hot encoding
// of the token ids x [B, T] -> [B, T, V].
func (c ModelConfig) input(x *Node) *Node {
	if c.Loss == CrossEntropy {
		return OneHot(x, c.InputSize, c.DType)
	}
	return x
}

// readout applies the linear readout to its input: every step's output [B, T, H] -> [B, T, O],
// or for MSELast the last state [B, H] -> [B, O].
func (c ModelConfig) readout(wo, bo, in *Node) (pred *Node) {
	if c.Loss == MSELast {
		return Add(DotGeneral(in, []int{1}, nil, wo, []int{1}, nil), ExpandAxes(bo, 0)) // [B, O]
	}
	B, T := in.Shape().Dim(0), in.Shape().Dim(1)
	pred = DotGeneral(in, []int{2}, nil, wo, []int{1}, nil)                                // [B, T, O]
	return Add(pred, BroadcastToDims(Reshape(bo, 1, 1, c.OutputSize), B, T, c.OutputSize)) // [B, T, O]
}

// fastGraph is forwardGraph for the classic cells on the fast path of package bptt: the
// features-by-batch forward pass (bptt.FastForward), whose trace bptt.FastGrads differentiates
// by hand. out is what the readout reads: [B, T, H], or for MSELast the top layer's h_T [B, H].
func (c ModelConfig) fastGraph(params []*Node, x, h0, c0 *Node) (pred, hn, cn, out *Node, st *bptt.FastStack) {
	n := c.numCellParams()
	st = bptt.FastForward(recurrent.Kind(c.Kind), params[:n], c.input(x), h0, c0)
	hn, cn = st.Final() // [L, B, H]
	if c.Loss == MSELast {
		top := st.Layers[len(st.Layers)-1]
		out = Transpose(top.Hs[top.T-1], 0, 1) // [B, H]
	} else {
		out = st.Out() // [B, T, H]
	}
	return c.readout(params[n], params[n+1], out), hn, cn, out, st
}

// lossGraph is the mean loss of predictions against targets.
func (c ModelConfig) lossGraph(pred, y *Node) *Node {
	switch c.Loss {
	case CrossEntropy:
		logp := LogSoftmax(pred, -1)                                              // [B, T, V]
		picked := ReduceSum(Mul(logp, OneHot(y, c.OutputSize, logp.DType())), -1) // [B, T]
		return Neg(ReduceAllMean(picked))
	default:
		return ReduceAllMean(Square(Sub(pred, y)))
	}
}

// checkBatch checks that the model is still the one it was made (check), then the batch.
func (m *Model) checkBatch(x, y *tensors.Tensor, needY bool) error {
	if err := m.check(); err != nil {
		return err
	}
	return m.Config.checkBatch(x, y, needY)
}

// checkBatch validates a batch: x and (when needY) y present, with the shapes and dtypes the
// model takes, and token ids inside the vocabulary. Its errors say what was expected.
func (c ModelConfig) checkBatch(x, y *tensors.Tensor, needY bool) error {
	if x == nil {
		return fmt.Errorf("train: x is nil, want %s", c.wantX())
	}
	xs := x.Shape()
	switch c.Loss {
	case CrossEntropy:
		if xs.Rank() != 2 || xs.DType != dtypes.Int32 {
			return fmt.Errorf("train: x must be %s, got %s", c.wantX(), xs)
		}
	default:
		if xs.Rank() != 3 || xs.DType != c.DType || xs.Dim(2) != c.InputSize {
			return fmt.Errorf("train: x must be %s, got %s", c.wantX(), xs)
		}
	}
	if xs.Dim(0) == 0 {
		return fmt.Errorf("train: batch of zero sequences (x shape %s), want at least one", xs)
	}
	if xs.Dim(1) == 0 {
		return fmt.Errorf("train: empty sequences (x shape %s), want at least one step", xs)
	}
	if err := c.checkIDs("x", x); err != nil {
		return err
	}
	if y == nil {
		if needY {
			return fmt.Errorf("train: y is nil, want the targets %s for loss %s", c.wantY(xs.Dim(0), xs.Dim(1)), c.Loss)
		}
		return nil
	}
	if want := c.wantY(xs.Dim(0), xs.Dim(1)); !y.Shape().Equal(want) {
		return fmt.Errorf("train: y has shape %s, want %s for loss %s", y.Shape(), want, c.Loss)
	}
	return c.checkIDs("y", y)
}

// wantX describes the x the model takes.
func (c ModelConfig) wantX() string {
	if c.Loss == CrossEntropy {
		return fmt.Sprintf("int32 token ids [batch, time] in [0, %d) for a character model", c.InputSize)
	}
	return fmt.Sprintf("%s [batch, time, %d]", c.DType, c.InputSize)
}

// wantY is the shape of the targets of a batch of B sequences of T steps.
func (c ModelConfig) wantY(B, T int) shapes.Shape {
	switch c.Loss {
	case CrossEntropy:
		return shapes.Make(dtypes.Int32, B, T)
	case MSELast:
		return shapes.Make(c.DType, B, c.OutputSize)
	}
	return shapes.Make(c.DType, B, T, c.OutputSize)
}

// checkIDs requires the token ids of a character model's x or y to lie in [0, V): an id
// outside would one-hot to a row of zeros and score a loss of zero, silently.
func (c ModelConfig) checkIDs(name string, ids *tensors.Tensor) error {
	if c.Loss != CrossEntropy || ids.DType() != dtypes.Int32 {
		return nil
	}
	V := c.InputSize
	bad, at := int32(0), -1
	ids.MustConstFlatData(func(flat any) {
		for i, id := range flat.([]int32) {
			if id < 0 || int(id) >= V {
				bad, at = id, i
				return
			}
		}
	})
	if at < 0 {
		return nil
	}
	return fmt.Errorf("train: %s%s = %d is outside the vocabulary [0, %d) of this model: "+
		"were the ids encoded with another text's vocabulary (another CharText)?", name, flatIndex(at, ids.Shape().Dimensions), bad, V)
}

// checkState validates the initial states given to a forward pass of a batch of B sequences:
// h0 and c0 are [layers, batch, hidden] in the model's dtype, c0 only for a cell with a cell
// state (recurrent.CheckInput says the same), and finite.
func (c ModelConfig) checkState(B int, h0, c0 *tensors.Tensor) error {
	want := shapes.Make(c.DType, c.NumLayers, B, c.HiddenSize)
	if c0 != nil && !c.hasCellState() {
		return fmt.Errorf("train: c0 given, but a %s has no cell state (only lstm has one): pass nil", c.Kind)
	}
	for _, s := range []struct {
		name string
		t    *tensors.Tensor
	}{{"h0", h0}, {"c0", c0}} {
		if s.t == nil {
			continue
		}
		if !s.t.Shape().Equal(want) {
			return fmt.Errorf("train: %s has shape %s, want [layers, batch, hidden] = %s", s.name, s.t.Shape(), want)
		}
		if nf := nonFiniteIn(fmt.Sprintf(lang.Msg("input %s"), s.name), s.t); nf != nil {
			return nf
		}
	}
	return nil
}
