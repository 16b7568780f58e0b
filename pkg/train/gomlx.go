package train

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// The same models the GoMLX way: the model is a function of a model.Scope, its parameters are
// variables in a model.Store, and GoMLX's ml/train Trainer, Loop, optimizers and checkpoints
// train and save it (cmd/charlm is a whole program). This file holds the pieces a GoMLX
// program needs from this package: the model function (ScopedForward), its loss (ScopedLoss),
// the course's gradient clipping as a GoMLX optimizer (ClipByGlobalNorm), and the copy of a
// Model's parameters into and out of a scope. The course's own Trainer (above) stays: its step
// is a pure function of host tensors, which its bit-exact resume and checkpoint format rely on.
// docs/notes/gomlx.md compares GoMLX's optimizers with this package's.

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
	wo := recurrent.StateDictVariable(scope, "readout.weight", shapes.Make(c.DType, c.OutputSize, c.HiddenSize), init)
	bo := recurrent.StateDictVariable(scope, "readout.bias", shapes.Make(c.DType, c.OutputSize), init)
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

// SetScope writes the model's parameters into the variables under scope that ScopedForward
// reads (copies), creating them or replacing their values.
func (m *Model) SetScope(scope *model.Scope) error {
	if err := m.check(); err != nil {
		return err
	}
	return recurrent.SetScopeTensors(scope, m.ParamNames(), m.params)
}

// SetParamsFromScope replaces the model's parameters by the values of the variables under scope
// (copies), with SetParams' checks: shapes, and every value finite.
func (m *Model) SetParamsFromScope(scope *model.Scope) error {
	if err := m.check(); err != nil {
		return err
	}
	ts, err := recurrent.ScopeTensors(scope, m.ParamNames())
	if err != nil {
		return err
	}
	return m.SetParams(ts)
}

// withGradients is what GoMLX's Adam and SGD implement besides optimizer.Interface (the
// type assertion GoMLX's own gradient accumulation uses).
type withGradients interface {
	UpdateGraphWithGradients(scope *model.Scope, grads []*Node, lossDType dtypes.DType)
}

// ClipByGlobalNorm returns a GoMLX optimizer that scales every gradient by this package's
// global-norm clipping factor, min(1, clip / (‖g‖ + 1e-6)) with ‖g‖ = sqrt(Σ_i ‖g_i‖²) over all
// trainable variables (PyTorch's clip_grad_norm_), and then lets opt apply them. GoMLX v0.28's
// optimizers offer no global-norm clipping (only clip_step_by_value, which clips each element
// of the step after the learning rate). opt must accept gradients (GoMLX's Adam and SGD do).
func ClipByGlobalNorm(opt optimizer.Interface, clip float64) (optimizer.Interface, error) {
	inner, ok := opt.(withGradients)
	if !ok {
		return nil, fmt.Errorf("train: optimizer %T does not take gradients (no UpdateGraphWithGradients)", opt)
	}
	if !(clip > 0) || math.IsInf(clip, 0) {
		return nil, fmt.Errorf("train: clip norm must be a finite number > 0, got %v", clip)
	}
	return &clipByGlobalNorm{Interface: opt, inner: inner, clip: clip}, nil
}

type clipByGlobalNorm struct {
	optimizer.Interface // Clear
	inner               withGradients
	clip                float64
}

// UpdateGraph computes the gradients of every trainable variable in use (GoMLX's order:
// scope.IterVariables), clips them and hands them to the wrapped optimizer.
func (o *clipByGlobalNorm) UpdateGraph(scope *model.Scope, g *Graph, loss *Node) {
	grads := scope.BuildTrainableVariablesGradientsGraph(loss)
	norm := globalNorm(grads)                                                       // scalar
	scale := Min(OnesLike(norm), Div(ConstAs(norm, o.clip), AddScalar(norm, 1e-6))) // scalar
	for i := range grads {
		grads[i] = Mul(grads[i], scale)
	}
	o.inner.UpdateGraphWithGradients(scope, grads, loss.DType())
}
