package train

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Predictor runs a model forward: predictions, final states and sampling, with no optimizer
// (e.g. a model read by LoadModel). A Trainer embeds one.
type Predictor struct {
	Model *Model

	fwdExec, lossExec *Exec
	fwdIn, fwdOut     ioLayout
	lossIn, lossOut   ioLayout
}

// NewPredictor compiles (lazily, per input shape) the forward pass of m on backend b.
func NewPredictor(b compute.Backend, m *Model) (*Predictor, error) {
	if err := m.Config.Validate(); err != nil {
		return nil, err
	}
	p := &Predictor{Model: m}
	mc := m.Config
	_, _, p.lossIn, p.lossOut, p.fwdIn, p.fwdOut = trainLayouts(len(m.Params()), 0, mc.hasCellState())
	var err error
	p.fwdExec, err = NewExec(b, func(flat []*Node) []*Node {
		in := unpack(p.fwdIn, flat)
		pred, hn, cn, _ := mc.forwardGraph(in.Params, in.X, in.H, in.C)
		return pack(p.fwdOut, graphIO[*Node]{Pred: pred, H: hn, C: cn})
	})
	if err != nil {
		return nil, err
	}
	p.lossExec, err = NewExec(b, func(flat []*Node) []*Node {
		in := unpack(p.lossIn, flat)
		pred, hn, cn, _ := mc.forwardGraph(in.Params, in.X, in.H, in.C)
		return pack(p.lossOut, graphIO[*Node]{Loss: mc.lossGraph(pred, in.Y), H: hn, C: cn})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Evaluate returns the mean loss on a batch, from a zero state.
func (p *Predictor) Evaluate(x, y *tensors.Tensor) (float64, error) {
	if err := p.Model.Config.checkBatch(x, y); err != nil {
		return 0, err
	}
	h, c := p.zeroStates(x.Shape().Dim(0))
	flat, err := p.lossExec.Call(anys(pack(p.lossIn, graphIO[*tensors.Tensor]{Params: p.Model.Params(), X: x, Y: y, H: h, C: c}))...)
	if err != nil {
		return 0, err
	}
	return scalarValue(unpack(p.lossOut, flat).Loss), nil
}

// zeroStates returns zero states h (and c, for a cell state; else nil) [L, B, H].
func (p *Predictor) zeroStates(B int) (h, c *tensors.Tensor) {
	mc := p.Model.Config
	sh := shapes.Make(mc.DType, mc.NumLayers, B, mc.HiddenSize)
	h = tensors.FromShape(sh)
	if mc.hasCellState() {
		c = tensors.FromShape(sh)
	}
	return h, c
}

// Forward runs the model on x from the state (h0, c0) ([L, B, H], nil for zeros) and returns
// the predictions ([B, T, O], or [B, O] for mse_last) and the final states (cn nil without a
// cell state).
func (p *Predictor) Forward(x, h0, c0 *tensors.Tensor) (pred, hn, cn *tensors.Tensor, err error) {
	mc := p.Model.Config
	if err := mc.checkBatch(x, nil); err != nil {
		return nil, nil, nil, err
	}
	zh, zc := p.zeroStates(x.Shape().Dim(0))
	if h0 == nil {
		h0 = zh
	}
	if c0 == nil {
		c0 = zc
	}
	if !mc.hasCellState() {
		c0 = nil
	}
	flat, err := p.fwdExec.Call(anys(pack(p.fwdIn, graphIO[*tensors.Tensor]{Params: p.Model.Params(), X: x, H: h0, C: c0}))...)
	if err != nil {
		return nil, nil, nil, err
	}
	out := unpack(p.fwdOut, flat)
	return out.Pred, out.H, out.C, nil
}

// Compile builds and compiles the forward graph for batches shaped like x.
func (p *Predictor) Compile(x *tensors.Tensor) error {
	if err := p.Model.Config.checkBatch(x, nil); err != nil {
		return err
	}
	h, c := p.zeroStates(x.Shape().Dim(0))
	_, err := p.fwdExec.Compile(shapesOf(pack(p.fwdIn, graphIO[*tensors.Tensor]{Params: p.Model.Params(), X: x, H: h, C: c}))...)
	return err
}

func anys[T any](v []T) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

func shapesOf(ts []*tensors.Tensor) []shapes.Shape {
	out := make([]shapes.Shape, len(ts))
	for i, t := range ts {
		out[i] = t.Shape()
	}
	return out
}
