package train

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/rnn-course/bottleneck/pkg/bptt"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/modelspec"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// This file holds ModelConfig, a model's description, and every method on it: validation, the
// layer it describes (a modelspec.Spec), its graphs, its size checks (with budget.go's limits),
// and its GoMLX-scope form (ScopedForward, ScopedModel, ScopedLoss; see gomlx.go).

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

// CellKind names the recurrent layer of a model: a classic cell of package recurrent, run step
// by step, or a parallel-in-time cell of package mingru, run by the scan that ModelConfig.Scan
// names.
type CellKind string

// The cell kinds.
const (
	RNNTanh = CellKind(recurrent.RNNTanh)
	RNNReLU = CellKind(recurrent.RNNReLU)
	LSTM    = CellKind(recurrent.LSTM)
	GRU     = CellKind(recurrent.GRU)
	MinGRU  = CellKind(mingru.MinGRU)
	MinLSTM = CellKind(mingru.MinLSTM)
)

// CellKinds lists every kind: the classic cells, then the parallel-in-time ones.
var CellKinds = []CellKind{RNNTanh, RNNReLU, LSTM, GRU, MinGRU, MinLSTM}

// Parallel reports whether the kind is a parallel-in-time cell (mingru, minlstm).
func (k CellKind) Parallel() bool { return k == MinGRU || k == MinLSTM }

// Layer is what the trainer needs from a recurrent layer family: a modelspec.Spec (parameter
// names and shapes, fresh parameters, state shapes, the forward pass), the one model interface
// that packages cost and deer take too. recurrent.Config (a stack of classic cells, states h
// and c [L, B, H]) and mingru.Layer (a minGRU/minLSTM layer with its scan, state h [1, B, H])
// implement it. The readout on top is the model's own (ModelConfig's OutputSize and Loss).
type Layer = modelspec.Spec

// Layer returns the recurrent layer that the configuration describes (it assumes Validate
// passed): a recurrent.Config for the classic kinds, a mingru.Layer for the parallel ones.
func (c ModelConfig) Layer() Layer {
	if c.Kind.Parallel() {
		return c.minLayer()
	}
	return c.classic()
}

func (c ModelConfig) classic() recurrent.Config {
	return recurrent.Config{Kind: recurrent.Kind(c.Kind), InputSize: c.InputSize, HiddenSize: c.HiddenSize,
		NumLayers: c.NumLayers, DType: c.DType}
}

func (c ModelConfig) minLayer() mingru.Layer {
	form := c.Scan
	if form == "" {
		form = mingru.Sequential
	}
	return mingru.Layer{Config: mingru.Config{Kind: mingru.Kind(c.Kind), InputSize: c.InputSize,
		HiddenSize: c.HiddenSize, DType: c.DType, PositiveCandidate: form == mingru.LogSpace, Chunk: c.Chunk}, Form: form}
}

// validateLayer checks the cell kind and the fields that belong to it.
func (c ModelConfig) validateLayer() error {
	switch {
	case c.Kind.Parallel():
		if c.NumLayers != 1 {
			return fmt.Errorf("train: a %s model has one layer, got NumLayers %d", c.Kind, c.NumLayers)
		}
		return c.minLayer().Validate()
	case c.Kind == RNNTanh || c.Kind == RNNReLU || c.Kind == LSTM || c.Kind == GRU:
		if c.Scan != "" || c.Chunk != 0 {
			return fmt.Errorf("train: Scan and Chunk choose how a mingru/minlstm recurrence runs; "+
				"a %s cell runs step by step: leave them empty, got Scan %q, Chunk %d", c.Kind, c.Scan, c.Chunk)
		}
		return c.classic().Validate()
	}
	return fmt.Errorf("train: unknown cell kind %q, want one of %v", c.Kind, CellKinds)
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

// paramNames lists the parameters of a model of configuration c (see Model.ParamNames).
func (c ModelConfig) paramNames() []string {
	return append(c.Layer().ParamNames(), "readout.weight", "readout.bias")
}

// paramShapes lists the shapes of the parameters of a model of configuration c.
func (c ModelConfig) paramShapes() [][]int {
	return append(c.Layer().ParamShapes(), []int{c.OutputSize, c.HiddenSize}, []int{c.OutputSize})
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

// estimate is the graph nodes and activation bytes of a train step on B sequences of T steps.
// It uses float64 arithmetic, which cannot overflow on sizes that passed the parameter checks.
func (c ModelConfig) estimate(B, T int) (nodes, bytes float64) {
	L, H := float64(c.NumLayers), float64(c.HiddenSize)
	nodes = nodesPerLayerStep*L*float64(T) + nodesFixed
	perStep := valuesPerUnitStep*L*H + valuesPerIOStep*float64(c.InputSize+c.OutputSize)
	bytes = float64(B) * float64(T) * perStep * float64(c.DType.Size())
	return nodes, bytes
}

// checkWork bounds the graph and the activations of a batch of B sequences of T steps (for a
// train step with TBPTT, T is the chunk length k).
func (c ModelConfig) checkWork(B, T int) error {
	nodes, bytes := c.estimate(B, T)
	if nodes > float64(Limits.GraphNodes) {
		return fmt.Errorf("train: %d time steps through %d layer(s) build a graph of about %.0f nodes, over the limit of %d "+
			"(train.Limits.GraphNodes): use shorter sequences (with TBPTT a train step builds k steps at a time) or fewer layers, "+
			"or raise train.Limits.GraphNodes if this machine has the memory (about 1 KiB a node)",
			T, c.NumLayers, nodes, Limits.GraphNodes)
	}
	if bytes > float64(Limits.ActivationBytes) {
		return fmt.Errorf("train: a batch of %d sequences of %d steps through %d layer(s) of %d units needs about %s "+
			"for its activations, over the limit of %s (train.Limits.ActivationBytes): use smaller batches or shorter sequences, "+
			"or raise train.Limits.ActivationBytes if this machine has the memory",
			B, T, c.NumLayers, c.HiddenSize, gib(bytes), gib(float64(Limits.ActivationBytes)))
	}
	return nil
}

// CheckSize is the upper bound that ModelConfig.Validate applies last: it refuses
// configurations whose parameters exceed Limits.Params, or whose graph for a single time step
// exceeds Limits.GraphNodes (a million layers would), so that a configuration read from a file
// or a command line cannot ask NewModel, or the first Step, for an absurd allocation. The
// batches are checked against Limits when they come. It assumes the rest of Validate passed.
func (c ModelConfig) CheckSize() error {
	H, D, O, L := c.HiddenSize, c.InputSize, c.OutputSize, c.NumLayers
	limit := Limits.Params
	for _, d := range []struct {
		name string
		v    int
	}{{"hidden size", H}, {"input size", D}, {"output size", O}, {"number of layers", L}} {
		if d.v > limit {
			return fmt.Errorf("train: %s %d is over the limit of %d parameters (train.Limits.Params)", d.name, d.v, limit)
		}
	}
	if nodes, _ := c.estimate(1, 1); nodes > float64(Limits.GraphNodes) {
		return fmt.Errorf("train: %d layers build a graph of about %.0f nodes for every time step, over the limit of %d "+
			"(train.Limits.GraphNodes): use fewer layers, or raise train.Limits.GraphNodes if this machine has the memory "+
			"(about 1 KiB a node)", L, nodes, Limits.GraphNodes)
	}
	G := float64(recurrent.Kind(c.Kind).Gates())
	if c.Kind.Parallel() {
		G = 3 // at most 3 projections (minLSTM), each smaller than a classic gate block: a bound
	}
	h := float64(H)
	n := float64(O)*h + float64(O) + G*h*(float64(D)+h+2) + float64(L-1)*G*h*(2*h+2)
	if n > float64(limit) {
		return fmt.Errorf("train: model has about %.0f parameters (hidden %d, input %d, output %d, %d layers of %s), "+
			"over the limit of %d (train.Limits.Params): make it smaller, or raise train.Limits.Params if this machine has "+
			"the memory", n, H, D, O, L, c.Kind, limit)
	}
	return c.checkWork(1, 1)
}

// ScopedForward is the model of configuration c over a GoMLX model scope: the recurrent layer
// (recurrent.ScopedLayer, or mingru.ScopedLayer in the form c.Scan) and the linear readout, with
// their variables under scope named as the Model's ParamNames (state_dict keys; "readout.weight"
// is the variable "weight" of the sub-scope "readout"). x is [B, T, D], or token ids [B, T] for
// CrossEntropy; h0 and c0 are [L, B, H] or nil for zeros (c0 only for the LSTM). It returns the
// predictions (logits [B, T, V] for CrossEntropy, [B, O] for MSELast, else [B, T, O]) and the
// final states hn, cn [L, B, H] (cn nil without a cell state). The equations are forwardGraph's.
//
// It is a graph-building function: a configuration that Validate refuses, or inputs of the
// wrong shape, panic with an error that model.Exec and ml/train's Trainer return.
func (c ModelConfig) ScopedForward(scope *model.Scope, x, h0, c0 *Node) (pred, hn, cn *Node) {
	if err := c.Validate(); err != nil {
		panic(err)
	}
	x = c.input(x) // [B, T, D]
	var out *Node
	if c.Kind.Parallel() {
		l := c.minLayer()
		opts := []mingru.LayerOption{mingru.WithForm(l.Form), mingru.WithChunk(c.Chunk)}
		if l.PositiveCandidate {
			opts = append(opts, mingru.WithPositiveCandidate())
		}
		if h0 != nil {
			opts = append(opts, mingru.WithState(Squeeze(h0, 0))) // [B, H]
		}
		out, hn = mingru.ScopedLayer(scope, mingru.Kind(c.Kind), x, c.HiddenSize, opts...) // [B, T, H], [B, H]
		hn = ExpandAxes(hn, 0)                                                             // [1, B, H]
	} else {
		out, hn, cn = recurrent.ScopedLayer(scope, recurrent.Kind(c.Kind), x, c.HiddenSize,
			recurrent.WithLayers(c.NumLayers), recurrent.WithState(h0, c0)) // [B, T, H], [L, B, H]
	}
	if c.Loss == MSELast {
		out = Squeeze(SliceAxis(hn, 0, AxisElem(hn.Shape().Dim(0)-1)), 0) // [B, H]: the top layer's h_T
	}
	k := 1 / math.Sqrt(float64(c.HiddenSize)) // nn.Linear(H, O): U(-1/sqrt(H), 1/sqrt(H))
	init := initializer.RandomUniformFn(scope, -k, k)
	g := x.Graph()
	wo := seq.StateDictVariable(scope, "readout.weight", shapes.Make(c.DType, c.OutputSize, c.HiddenSize), init)
	bo := seq.StateDictVariable(scope, "readout.bias", shapes.Make(c.DType, c.OutputSize), init)
	return c.readout(wo.NodeValue(g), bo.NodeValue(g), out), hn, cn
}

// ScopedModel is ScopedForward from zero states, returning the predictions only: the model
// function of a GoMLX Trainer,
//
//	trainer := train.NewTrainer(backend, store, cfg.ScopedModel, cfg.ScopedLoss, opt, nil, nil)
func (c ModelConfig) ScopedModel(scope *model.Scope, x *Node) *Node {
	pred, _, _ := c.ScopedForward(scope, x, nil, nil)
	return pred
}

// ScopedLoss is the configuration's loss (mse, mse_last or the mean cross-entropy) in the form
// of GoMLX's loss functions (ml/train.LossFn): labels[0] is y, predictions[0] what ScopedForward
// returned.
func (c ModelConfig) ScopedLoss(labels, predictions []*Node) *Node {
	return c.lossGraph(predictions[0], labels[0])
}
