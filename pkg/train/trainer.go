package train

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/bptt"
	"github.com/rnn-course/bottleneck/pkg/lang"
)

// Config of a training run (the model has its own ModelConfig).
type Config struct {
	Optimizer    OptimizerKind
	LearningRate float64
	Momentum     float64 // SGD only; 0 = plain SGD
	Beta1, Beta2 float64 // Adam; 0 = defaults 0.9, 0.999
	Epsilon      float64 // Adam; 0 = default 1e-8
	ClipNorm     float64 // global gradient-norm clipping threshold; 0 = no clipping
	// TBPTT is the truncation length k of truncated BPTT: each sequence is cut into chunks of k
	// steps, one update per chunk, the state carried to the next chunk without gradient.
	// 0 means full BPTT (one update per sequence).
	TBPTT int
	// Gradients says how the gradients are computed (see GradientPath): the default, the
	// hand-written adjoint, or autodiff. Checkpoints written before this field (with the two
	// booleans HandWritten and Autodiff) still load: see Config.UnmarshalJSON.
	Gradients GradientPath `json:",omitempty"`
}

// GradientPath says how a train step computes the gradients.
type GradientPath string

// The gradient paths.
const (
	// DefaultGradients (the zero value): the classic cells (RNN, LSTM, GRU; any number of
	// layers) take the hand-written adjoint recursion of package bptt on its features-by-batch
	// fast path (bptt.FastForward, bptt.FastGrads), the fastest train step on the pure-Go
	// backend, equal to autodiff to rounding; the parallel cells (mingru, minlstm), which have
	// no hand-written adjoint, take autodiff.
	DefaultGradients GradientPath = ""
	// HandWrittenGradients insists on the hand-written path: the configuration is refused for
	// a cell that has none (mingru, minlstm).
	HandWrittenGradients GradientPath = "handwritten"
	// AutodiffGradients forces GoMLX's reverse-mode autodiff through the unrolled graph (what
	// the fast path is checked against).
	AutodiffGradients GradientPath = "autodiff"
)

// UnmarshalJSON reads a Config, refusing unknown fields, and also the form written before the
// Gradients field: the booleans "HandWritten" (HandWrittenGradients) and "Autodiff"
// (AutodiffGradients), so that the checkpoints of earlier runs still load and compare equal to
// the configuration that wrote them.
func (c *Config) UnmarshalJSON(data []byte) error {
	type plain Config // Config's fields without this method
	var v struct {
		plain
		HandWritten *bool // before Gradients
		Autodiff    *bool // before Gradients
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	hand, auto := v.HandWritten != nil && *v.HandWritten, v.Autodiff != nil && *v.Autodiff
	old := DefaultGradients
	switch {
	case hand && auto:
		return fmt.Errorf("train: HandWritten and Autodiff both set: choose one way to compute gradients")
	case hand:
		old = HandWrittenGradients
	case auto:
		old = AutodiffGradients
	}
	if old != DefaultGradients && v.Gradients != DefaultGradients && old != v.Gradients {
		return fmt.Errorf("train: Gradients %q and the older field for %q both set", v.Gradients, old)
	}
	*c = Config(v.plain)
	if old != DefaultGradients {
		c.Gradients = old
	}
	return nil
}

// Validate says what is wrong with a training configuration.
func (c Config) Validate(m ModelConfig) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := c.validateOptimizer(); err != nil {
		return err
	}
	for _, v := range []struct {
		name string
		v    float64
	}{{"learning rate", c.LearningRate}, {"momentum", c.Momentum}, {"beta1", c.Beta1}, {"beta2", c.Beta2},
		{"epsilon", c.Epsilon}, {"clip norm", c.ClipNorm}} {
		if math.IsNaN(v.v) || math.IsInf(v.v, 0) {
			return fmt.Errorf("train: %s must be a finite number, got %v", v.name, v.v)
		}
	}
	if err := c.validateInDType(m.DType); err != nil {
		return err
	}
	if c.Epsilon < 0 {
		return fmt.Errorf("train: Adam epsilon must be >= 0 (0 = default 1e-8), got %v", c.Epsilon)
	}
	if c.ClipNorm < 0 {
		return fmt.Errorf("train: clip norm must be >= 0 (0 = off), got %v", c.ClipNorm)
	}
	if c.TBPTT < 0 {
		return fmt.Errorf("train: truncation length must be >= 0 (0 = full BPTT), got %d", c.TBPTT)
	}
	switch c.Gradients {
	case DefaultGradients, AutodiffGradients:
	case HandWrittenGradients:
		if m.Kind.Parallel() {
			return fmt.Errorf("train: the hand-written adjoint is for classic cells, not the %s cell", m.Kind)
		}
	default:
		return fmt.Errorf("train: unknown gradient path %q, want %q (the default), %q or %q",
			c.Gradients, DefaultGradients, HandWrittenGradients, AutodiffGradients)
	}
	return nil
}

// handWritten reports whether training m takes the hand-written fast path.
func (c Config) handWritten(m ModelConfig) bool {
	return c.Gradients != AutodiffGradients && !m.Kind.Parallel()
}

// Stats of one Step.
type Stats struct {
	Step     int     // number of parameter updates done so far
	Loss     float64 // mean training loss over the chunks that carry a loss
	GradNorm float64 // largest global gradient norm (before clipping) over the chunks
	Clipped  bool    // whether clipping scaled any chunk's gradients
	Updates  int     // parameter updates in this Step (1, or the number of TBPTT chunks)
}

// Trainer trains a Model. It is not safe for concurrent use.
type Trainer struct {
	*Predictor // the model and its forward pass
	cfg        Config

	state []*tensors.Tensor // optimizer state, slots() per parameter, slot-major
	step  int               // parameter updates done

	trainExec         *Exec
	trainIn, trainOut ioLayout
	trainChecked      []string // what the train step's Bad counts cover, in order (checkedTrain)

	loopSt loopState // where Run stands (loop.go)
}

// New creates a Trainer; the model's parameters are updated in place by Step.
func New(b compute.Backend, m *Model, cfg Config) (*Trainer, error) {
	if err := cfg.Validate(m.Config); err != nil {
		return nil, err
	}
	pr, err := NewPredictor(b, m)
	if err != nil {
		return nil, err
	}
	t := &Trainer{Predictor: pr, cfg: cfg}
	for range cfg.slots() {
		for _, p := range m.Params() {
			t.state = append(t.state, tensors.FromShape(p.Shape()))
		}
	}
	mc := m.Config
	t.trainIn, t.trainOut = trainStepLayout(len(m.Params()), len(t.state), mc.hasCellState())
	t.trainChecked = t.checkedTrain()
	t.trainExec, err = NewExec(b, func(flat []*Node) []*Node {
		in := unpack(t.trainIn, flat)
		params := in.Params
		var pred, hn, cn, loss *Node
		var grads []*Node
		switch {
		case cfg.handWritten(mc):
			var out *Node
			var st *bptt.FastStack
			pred, hn, cn, out, st = mc.fastGraph(params, in.X, in.H, in.C)
			loss = mc.lossGraph(pred, in.Y)
			n := mc.numCellParams()
			g := Gradient(loss, out, params[n], params[n+1]) // ∂L/∂out and the readout's, by autodiff
			grads = append(bptt.FastGrads(st, g[0]), g[1], g[2])
		default:
			pred, hn, cn, _ = mc.forwardGraph(params, in.X, in.H, in.C)
			loss = mc.lossGraph(pred, in.Y)
			grads = Gradient(loss, params...)
		}
		raw := slices.Clone(grads) // update scales grads in place when clipping
		newParams, newState, norm := cfg.update(params, grads, in.State, in.Step, in.LR)
		checked := slices.Concat(params, []*Node{loss, norm}, raw, newParams, newState, []*Node{hn})
		if cn != nil {
			checked = append(checked, cn)
		}
		return pack(t.trainOut, graphIO[*Node]{Params: newParams, State: newState, Loss: loss, Norm: norm, H: hn, C: cn,
			Bad: countNonFinite(checked)})
	})
	return t, err
}

// checkedTrain names what the train step's Bad counts cover: the parameters given, the loss and
// gradient norm, each gradient, each updated parameter and optimizer state, the final states.
func (t *Trainer) checkedTrain() []string {
	names := t.Model.ParamNames()
	var out []string
	for _, n := range names {
		out = append(out, fmt.Sprintf(lang.Msg("parameter %s (before this step)"), n))
	}
	out = append(out, lang.Msg("the loss"), lang.Msg("the gradient norm"))
	for _, n := range names {
		out = append(out, fmt.Sprintf(lang.Msg("the gradient of %s"), n))
	}
	for _, n := range names {
		out = append(out, fmt.Sprintf(lang.Msg("parameter %s after the update"), n))
	}
	for j := range t.state {
		out = append(out, fmt.Sprintf(lang.Msg("optimizer state %s after the update"), slotName(j/len(names), names[j%len(names)])))
	}
	out = append(out, lang.Msg("the final hidden state h"))
	if t.Model.Config.hasCellState() {
		out = append(out, lang.Msg("the final cell state c"))
	}
	return out
}

// Steps returns the number of parameter updates done so far.
func (t *Trainer) Steps() int { return t.step }

// Config returns the training configuration.
func (t *Trainer) Config() Config { return t.cfg }

func (t *Trainer) scalar(v float64) *tensors.Tensor {
	if t.Model.Config.DType == dtypes.Float64 {
		return tensors.FromScalar(v)
	}
	return tensors.FromScalar(float32(v))
}

// Step trains on one batch: one update with full BPTT, or one update per chunk of TBPTT steps
// with the state carried across chunks (without gradient). The initial state is zero.
//
// A batch that is not what the model takes (nil, a wrong shape or dtype, a token id outside
// the vocabulary, more than Limits allows) is an error before anything runs. A NaN or ±Inf in
// the batch, in the parameters, or computed by the step (the loss, a gradient, an updated
// parameter or optimizer state, a carried state) is a *NonFiniteError, and that update is not
// applied: the parameters never become non-finite. With TBPTT the batch's earlier chunks may
// have been applied (Trainer.Steps tells how many).
func (t *Trainer) Step(x, y *tensors.Tensor) (Stats, error) {
	mc := t.Model.Config
	if err := t.Model.checkBatch(x, y, true); err != nil {
		return Stats{}, err
	}
	B, T := x.Shape().Dim(0), x.Shape().Dim(1)
	k := t.cfg.TBPTT
	if k == 0 || k > T {
		k = T
	}
	if err := mc.checkWork(B, k); err != nil {
		return Stats{}, err
	}
	chunks := (T + k - 1) / k
	if nf := batchNonFinite(x, y); nf != nil {
		nf.Step, nf.Chunks = t.step+1, chunks
		return Stats{}, nf
	}
	h, c := t.zeroStates(B)
	st := Stats{}
	lossSum, lossN := 0.0, 0
	for ci := range chunks {
		from, to := ci*k, min((ci+1)*k, T)
		xc, err := sliceTime(x, from, to)
		if err != nil {
			return st, err
		}
		yc := y
		if mc.Loss != MSELast {
			if yc, err = sliceTime(y, from, to); err != nil {
				return st, err
			}
		} else if ci < chunks-1 {
			// The adding problem's loss is at the last step only: earlier chunks just carry the
			// state forward (with k < T no gradient can reach the early markers: that is the
			// price of truncation).
			if h, c, err = t.advance(xc, h, c); err != nil {
				var nf *NonFiniteError
				if errors.As(err, &nf) {
					nf.Step, nf.Chunk, nf.Chunks = t.step+1, ci+1, chunks
				}
				return st, err
			}
			continue
		}
		in := graphIO[*tensors.Tensor]{Params: t.Model.Params(), State: t.state, Step: t.scalar(float64(t.step + 1)),
			LR: t.scalar(t.cfg.LearningRate), X: xc, Y: yc, H: h, C: c}
		flat, err := t.trainExec.Call(anys(pack(t.trainIn, in))...)
		if err != nil {
			return st, fmt.Errorf("train: step %d: %w", t.step+1, err)
		}
		out := unpack(t.trainOut, flat)
		loss, norm := scalarValue(out.Loss), scalarValue(out.Norm)
		nf := nonFiniteOut(out.Bad, t.trainChecked, len(out.Params))
		if nf == nil && (math.IsNaN(loss) || math.IsInf(loss, 0) || math.IsNaN(norm) || math.IsInf(norm, 0)) {
			nf = &NonFiniteError{What: lang.Msg("the loss or the gradient norm"), Count: 1} // the counts cover them: a safeguard
		}
		if nf != nil {
			nf.Step, nf.Chunk, nf.Chunks, nf.Loss, nf.GradNorm = t.step+1, ci+1, chunks, loss, norm
			return st, nf
		}
		copy(t.Model.params, out.Params) // same shapes, all finite: checked above
		copy(t.state, out.State)
		h, c = out.H, out.C
		t.step++
		st.Updates++
		lossSum += loss
		lossN++
		st.GradNorm = math.Max(st.GradNorm, norm)
		if t.cfg.ClipNorm > 0 && norm > t.cfg.ClipNorm {
			st.Clipped = true
		}
	}
	st.Step = t.step
	st.Loss = lossSum / float64(lossN)
	return st, nil
}

// advance runs the model forward over x from state (h, c) and returns the final state.
func (t *Trainer) advance(x, h, c *tensors.Tensor) (*tensors.Tensor, *tensors.Tensor, error) {
	_, hn, cn, err := t.Forward(x, h, c)
	return hn, cn, err
}

func scalarValue(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	panic(fmt.Sprintf("train: expected a float scalar, got %s", t.Shape()))
}

// sliceTime returns x[:, from:to, ...] of a [B, T, ...] tensor, on the host.
func sliceTime(x *tensors.Tensor, from, to int) (*tensors.Tensor, error) {
	s := x.Shape()
	if from == 0 && to == s.Dim(1) {
		return x, nil
	}
	B, T := s.Dim(0), s.Dim(1)
	inner := s.Size() / (B * T)
	dims := append([]int{B, to - from}, s.Dimensions[2:]...)
	var out *tensors.Tensor
	var err error
	x.MustConstFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32:
			out = tensors.FromFlatDataAndDimensions(sliceRows(v, B, T, inner, from, to), dims...)
		case []float64:
			out = tensors.FromFlatDataAndDimensions(sliceRows(v, B, T, inner, from, to), dims...)
		case []int32:
			out = tensors.FromFlatDataAndDimensions(sliceRows(v, B, T, inner, from, to), dims...)
		default:
			err = fmt.Errorf("train: cannot slice a %s tensor in time", s.DType)
		}
	})
	return out, err
}

func sliceRows[E any](v []E, B, T, inner, from, to int) []E {
	out := make([]E, 0, B*(to-from)*inner)
	for b := range B {
		out = append(out, v[(b*T+from)*inner:(b*T+to)*inner]...)
	}
	return out
}

// Compile builds and compiles the train-step graph (with y) or the forward graph (y == nil)
// for batches shaped like x and y, so that timing can separate compilation from execution.
// With TBPTT the train graph is compiled for the first chunk's shape.
func (t *Trainer) Compile(x, y *tensors.Tensor) error {
	if y == nil {
		return t.Predictor.Compile(x)
	}
	mc := t.Model.Config
	if err := t.Model.checkBatch(x, y, true); err != nil {
		return err
	}
	if err := mc.checkWork(x.Shape().Dim(0), x.Shape().Dim(1)); err != nil {
		return err
	}
	if k := t.cfg.TBPTT; k > 0 && k < x.Shape().Dim(1) {
		var err error
		if x, err = sliceTime(x, 0, k); err != nil {
			return err
		}
		if mc.Loss != MSELast {
			if y, err = sliceTime(y, 0, k); err != nil {
				return err
			}
		}
	}
	h, c := t.zeroStates(x.Shape().Dim(0))
	in := graphIO[*tensors.Tensor]{Params: t.Model.Params(), State: t.state, Step: t.scalar(0), LR: t.scalar(0),
		X: x, Y: y, H: h, C: c}
	_, err := t.trainExec.Compile(shapesOf(pack(t.trainIn, in))...)
	return err
}
