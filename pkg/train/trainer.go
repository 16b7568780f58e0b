package train

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/bptt"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
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
	// HandWritten uses the explicit adjoint recursion of package bptt instead of autodiff
	// (vanilla RNNs and LSTM only). A one-layer LSTM runs bptt's features-by-batch fast path
	// (FastLSTMForward/FastLSTMGrads), the fastest train step on the Go backend.
	HandWritten bool
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
	if c.Epsilon < 0 {
		return fmt.Errorf("train: Adam epsilon must be >= 0 (0 = default 1e-8), got %v", c.Epsilon)
	}
	if c.ClipNorm < 0 {
		return fmt.Errorf("train: clip norm must be >= 0 (0 = off), got %v", c.ClipNorm)
	}
	if c.TBPTT < 0 {
		return fmt.Errorf("train: truncation length must be >= 0 (0 = full BPTT), got %d", c.TBPTT)
	}
	if c.HandWritten && m.Scan != nil {
		return fmt.Errorf("train: the hand-written adjoint is for classic cells, not the scan cell %s", m.Scan.Kind)
	}
	if c.HandWritten {
		if err := bptt.Supported(m.Cell.Kind); err != nil {
			return err
		}
	}
	return nil
}

// Stats of one Step.
type Stats struct {
	Step     int     // number of parameter updates done so far
	Loss     float64 // mean training loss over the chunks that carry a loss
	GradNorm float64 // largest global gradient norm (before clipping) over the chunks
	Clipped  bool    // whether clipping scaled any chunk's gradients
	Updates  int     // parameter updates in this Step (1, or the number of TBPTT chunks)
}

// NonFiniteError reports a NaN or Inf loss or gradient norm. The update was not applied.
type NonFiniteError struct {
	Step           int // the update that would have been number Step
	Chunk, Chunks  int
	Loss, GradNorm float64
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("train: step %d (chunk %d of %d): loss %v, gradient norm %v is not finite; "+
		"stopped before applying this update: the model keeps the parameters after step %d "+
		"(try a lower learning rate or gradient clipping)", e.Step, e.Chunk, e.Chunks, e.Loss, e.GradNorm, e.Step-1)
}

// Trainer trains a Model. It is not safe for concurrent use.
type Trainer struct {
	Model *Model
	cfg   Config

	state []*tensors.Tensor // optimizer state, slots() per parameter, slot-major
	step  int               // parameter updates done

	trainExec, lossExec, fwdExec *Exec

	loopSt loopState // where Run stands (loop.go)
}

// New creates a Trainer; the model's parameters are updated in place by Step.
func New(b compute.Backend, m *Model, cfg Config) (*Trainer, error) {
	if err := cfg.Validate(m.Config); err != nil {
		return nil, err
	}
	t := &Trainer{Model: m, cfg: cfg}
	for range cfg.slots() {
		for _, p := range m.Params() {
			t.state = append(t.state, tensors.FromShape(p.Shape()))
		}
	}
	mc := m.Config
	P := len(m.Params())
	S := len(t.state)
	hasC := mc.hasCellState()
	// Inputs: params[P], state[S], step, lr, x, y, h0, (c0).
	var err error
	t.trainExec, err = NewExec(b, func(in []*Node) []*Node {
		params, state := in[:P], in[P:P+S]
		step, lr, x, y, h0 := in[P+S], in[P+S+1], in[P+S+2], in[P+S+3], in[P+S+4]
		var c0 *Node
		if hasC {
			c0 = in[P+S+5]
		}
		var pred, hn, cn, loss *Node
		var grads []*Node
		if cfg.HandWritten && mc.fastLSTM() {
			var out *Node
			var tr *bptt.FastLSTMTrace
			pred, hn, cn, out, tr = mc.fastLSTMGraph(params, x, h0, c0)
			loss = mc.lossGraph(pred, y)
			g := Gradient(loss, out, params[4], params[5]) // the readout, by autodiff
			grads = append(bptt.FastLSTMGrads(tr, g[0]), g[1], g[2])
		} else {
			var out *Node
			var traces []*recurrent.Trace
			pred, hn, cn, out, traces = mc.forwardGraph(params, x, h0, c0)
			loss = mc.lossGraph(pred, y)
			if cfg.HandWritten {
				grads = handWrittenGrads(mc, params, loss, out, traces)
			} else {
				grads = Gradient(loss, params...)
			}
		}
		newParams, newState, norm := cfg.update(params, grads, state, step, lr)
		outs := append(append(newParams, newState...), loss, norm, hn)
		if hasC {
			outs = append(outs, cn)
		}
		return outs
	})
	if err != nil {
		return nil, err
	}
	t.lossExec, err = NewExec(b, func(in []*Node) []*Node {
		var c0 *Node
		if hasC {
			c0 = in[P+3]
		}
		pred, hn, cn, _, _ := mc.forwardGraph(in[:P], in[P], in[P+2], c0)
		outs := []*Node{mc.lossGraph(pred, in[P+1]), hn}
		if hasC {
			outs = append(outs, cn)
		}
		return outs
	})
	if err != nil {
		return nil, err
	}
	t.fwdExec, err = NewExec(b, func(in []*Node) []*Node {
		var c0 *Node
		if hasC {
			c0 = in[P+2]
		}
		pred, hn, cn, _, _ := mc.forwardGraph(in[:P], in[P], in[P+1], c0)
		outs := []*Node{pred, hn}
		if hasC {
			outs = append(outs, cn)
		}
		return outs
	})
	return t, err
}

// handWrittenGrads gets ∂L/∂h_t of the top layer and the readout gradients by autodiff of the
// (non-recurrent) loss, then runs the explicit adjoint recursion through the recurrent layers.
func handWrittenGrads(mc ModelConfig, params []*Node, loss, out *Node, traces []*recurrent.Trace) []*Node {
	n := mc.numCellParams()
	g := Gradient(loss, out, params[n], params[n+1])
	dOut, dWo, dBo := g[0], g[1], g[2]
	T := len(traces[0].H)
	var dH []*Node
	if mc.Loss == MSELast {
		dH = make([]*Node, T)
		dH[T-1] = dOut // out is h_T of the top layer
	} else {
		dH = recurrent.SplitTime(dOut, 1)
	}
	wg, _, _, _ := bptt.StackAdjoint(traces, params[:n], dH, nil, nil)
	return append(wg, dWo, dBo)
}

// Steps returns the number of parameter updates done so far.
func (t *Trainer) Steps() int { return t.step }

// Config returns the training configuration.
func (t *Trainer) Config() Config { return t.cfg }

func (t *Trainer) zeroState(B int) *tensors.Tensor {
	c := t.Model.Config.Cell
	return tensors.FromShape(shapes.Make(c.DType, c.NumLayers, B, c.HiddenSize))
}

func (t *Trainer) scalar(v float64) *tensors.Tensor {
	if t.Model.Config.Cell.DType == dtypes.Float64 {
		return tensors.FromScalar(v)
	}
	return tensors.FromScalar(float32(v))
}

// Step trains on one batch: one update with full BPTT, or one update per chunk of TBPTT steps
// with the state carried across chunks (without gradient). The initial state is zero.
func (t *Trainer) Step(x, y *tensors.Tensor) (Stats, error) {
	mc := t.Model.Config
	if err := mc.checkBatch(x, y); err != nil {
		return Stats{}, err
	}
	B, T := x.Shape().Dim(0), x.Shape().Dim(1)
	k := t.cfg.TBPTT
	if k == 0 || k > T {
		k = T
	}
	chunks := (T + k - 1) / k
	h := t.zeroState(B)
	var c *tensors.Tensor
	if mc.hasCellState() {
		c = t.zeroState(B)
	}
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
				return st, err
			}
			continue
		}
		P := len(t.Model.Params())
		args := make([]any, 0, P+len(t.state)+6)
		for _, p := range t.Model.Params() {
			args = append(args, p)
		}
		for _, s := range t.state {
			args = append(args, s)
		}
		args = append(args, t.scalar(float64(t.step+1)), t.scalar(t.cfg.LearningRate), xc, yc, h)
		if c != nil {
			args = append(args, c)
		}
		outs, err := t.trainExec.Call(args...)
		if err != nil {
			return st, fmt.Errorf("train: step %d: %w", t.step+1, err)
		}
		S := len(t.state)
		loss := scalarValue(outs[P+S])
		norm := scalarValue(outs[P+S+1])
		if math.IsNaN(loss) || math.IsInf(loss, 0) || math.IsNaN(norm) || math.IsInf(norm, 0) {
			return st, &NonFiniteError{Step: t.step + 1, Chunk: ci + 1, Chunks: chunks, Loss: loss, GradNorm: norm}
		}
		if err := t.Model.SetParams(outs[:P]); err != nil {
			return st, err
		}
		copy(t.state, outs[P:P+S])
		h = outs[P+S+2]
		if c != nil {
			c = outs[P+S+3]
		}
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

// Forward runs the model on x from the state (h0, c0) ([L, B, H], nil for zeros) and returns
// the predictions ([B, T, O], or [B, O] for mse_last) and the final states.
func (t *Trainer) Forward(x, h0, c0 *tensors.Tensor) (pred, hn, cn *tensors.Tensor, err error) {
	mc := t.Model.Config
	if err := mc.checkBatch(x, nil); err != nil {
		return nil, nil, nil, err
	}
	args := t.paramArgs()
	if h0 == nil {
		h0 = t.zeroState(x.Shape().Dim(0))
	}
	args = append(args, x, h0)
	if mc.hasCellState() {
		if c0 == nil {
			c0 = t.zeroState(x.Shape().Dim(0))
		}
		args = append(args, c0)
	}
	outs, err := t.fwdExec.Call(args...)
	if err != nil {
		return nil, nil, nil, err
	}
	pred, hn = outs[0], outs[1]
	if len(outs) > 2 {
		cn = outs[2]
	}
	return pred, hn, cn, nil
}

// Evaluate returns the mean loss on a batch, from a zero state, without training.
func (t *Trainer) Evaluate(x, y *tensors.Tensor) (float64, error) {
	mc := t.Model.Config
	if err := mc.checkBatch(x, y); err != nil {
		return 0, err
	}
	B := x.Shape().Dim(0)
	args := append(t.paramArgs(), x, y, t.zeroState(B))
	if mc.hasCellState() {
		args = append(args, t.zeroState(B))
	}
	outs, err := t.lossExec.Call(args...)
	if err != nil {
		return 0, err
	}
	return scalarValue(outs[0]), nil
}

func (t *Trainer) paramArgs() []any {
	var args []any
	for _, p := range t.Model.Params() {
		args = append(args, p)
	}
	return args
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
	mc := t.Model.Config
	if err := mc.checkBatch(x, y); err != nil {
		return err
	}
	B := x.Shape().Dim(0)
	var shs []shapes.Shape
	for _, p := range t.Model.Params() {
		shs = append(shs, p.Shape())
	}
	state := t.zeroState(B).Shape()
	if y == nil {
		shs = append(shs, x.Shape(), state)
		if mc.hasCellState() {
			shs = append(shs, state)
		}
		_, err := t.fwdExec.Compile(shs...)
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
	for _, s := range t.state {
		shs = append(shs, s.Shape())
	}
	sc := t.scalar(0).Shape()
	shs = append(shs, sc, sc, x.Shape(), y.Shape(), state)
	if mc.hasCellState() {
		shs = append(shs, state)
	}
	_, err := t.trainExec.Compile(shs...)
	return err
}
