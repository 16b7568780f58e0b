package train

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// The same models the GoMLX way: the model is a function of a model.Scope, its parameters are
// variables in a model.Store, and GoMLX's ml/train Trainer, Loop, optimizers and checkpoints
// train and save it (cmd/charlm is a whole program). This file holds the pieces a GoMLX
// program needs from this package: the course's gradient clipping as a GoMLX optimizer
// (ClipByGlobalNorm) and the copy of a Model's parameters into and out of a scope; the model
// function and its loss are ModelConfig's methods ScopedForward, ScopedModel and ScopedLoss
// (modelconfig.go). The course's own Trainer (above) stays: its step
// is a pure function of host tensors, which its bit-exact resume and checkpoint format rely on.
// docs/notes/gomlx.md compares GoMLX's optimizers with this package's.

// SetScope writes the model's parameters into the variables under scope that ScopedForward
// reads (copies), creating them or replacing their values.
func (m *Model) SetScope(scope *model.Scope) error {
	if err := m.check(); err != nil {
		return err
	}
	return seq.SetScopeTensors(scope, m.ParamNames(), m.params)
}

// SetParamsFromScope replaces the model's parameters by the values of the variables under scope
// (copies), with SetParams' checks: shapes, and every value finite.
func (m *Model) SetParamsFromScope(scope *model.Scope) error {
	if err := m.check(); err != nil {
		return err
	}
	ts, err := seq.ScopeTensors(scope, m.ParamNames())
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
