package train

import (
	"slices"

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
	fwdChecked        []string // what the forward graph's Bad counts cover, in order
	lossChecked       []string // the same for the loss graph
}

// NewPredictor compiles (lazily, per input shape) the forward pass of m on backend b.
func NewPredictor(b compute.Backend, m *Model) (*Predictor, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := m.Config.Validate(); err != nil {
		return nil, err
	}
	p := &Predictor{Model: m}
	mc := m.Config
	p.lossIn, p.lossOut = lossLayout(len(m.Params()), mc.hasCellState())
	p.fwdIn, p.fwdOut = forwardLayout(len(m.Params()), mc.hasCellState())
	p.fwdChecked, p.lossChecked = p.checkedForward("the predictions"), p.checkedForward("the loss")
	// checked lists what the counts cover: the parameters, the result, the final states.
	checked := func(params []*Node, result, hn, cn *Node) *Node {
		nodes := append(slices.Clone(params), result, hn)
		if cn != nil {
			nodes = append(nodes, cn)
		}
		return countNonFinite(nodes)
	}
	var err error
	p.fwdExec, err = NewExec(b, func(flat []*Node) []*Node {
		in := unpack(p.fwdIn, flat)
		pred, hn, cn, _ := mc.forwardGraph(in.Params, in.X, in.H, in.C)
		return pack(p.fwdOut, graphIO[*Node]{Pred: pred, H: hn, C: cn, Bad: checked(in.Params, pred, hn, cn)})
	})
	if err != nil {
		return nil, err
	}
	p.lossExec, err = NewExec(b, func(flat []*Node) []*Node {
		in := unpack(p.lossIn, flat)
		pred, hn, cn, _ := mc.forwardGraph(in.Params, in.X, in.H, in.C)
		loss := mc.lossGraph(pred, in.Y)
		return pack(p.lossOut, graphIO[*Node]{Loss: loss, H: hn, C: cn, Bad: checked(in.Params, loss, hn, cn)})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// checkedForward names what a forward graph's Bad counts cover: the parameters, its result,
// the final states.
func (p *Predictor) checkedForward(result string) []string {
	var out []string
	for _, n := range p.Model.ParamNames() {
		out = append(out, "parameter "+n)
	}
	out = append(out, result, "the final hidden state h")
	if p.Model.Config.hasCellState() {
		out = append(out, "the final cell state c")
	}
	return out
}

// Evaluate returns the mean loss on a batch, from a zero state. A batch that is not what the
// model takes is an error, and a NaN or ±Inf in the batch, the parameters, the loss or the
// final states is a *NonFiniteError (no loss is returned).
func (p *Predictor) Evaluate(x, y *tensors.Tensor) (float64, error) {
	mc := p.Model.Config
	if err := p.Model.checkBatch(x, y, true); err != nil {
		return 0, err
	}
	if err := mc.checkWork(x.Shape().Dim(0), x.Shape().Dim(1)); err != nil {
		return 0, err
	}
	if nf := batchNonFinite(x, y); nf != nil {
		return 0, nf
	}
	h, c := p.zeroStates(x.Shape().Dim(0))
	flat, err := p.lossExec.Call(anys(pack(p.lossIn, graphIO[*tensors.Tensor]{Params: p.Model.Params(), X: x, Y: y, H: h, C: c}))...)
	if err != nil {
		return 0, err
	}
	out := unpack(p.lossOut, flat)
	if nf := nonFiniteOut(out.Bad, p.lossChecked, 0); nf != nil {
		return 0, nf
	}
	return scalarValue(out.Loss), nil
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
// cell state). A batch or a state that is not what the model takes is an error (c0 for a cell
// without a cell state included), and a NaN or ±Inf in them, in the parameters or in the
// results is a *NonFiniteError (no result is returned).
func (p *Predictor) Forward(x, h0, c0 *tensors.Tensor) (pred, hn, cn *tensors.Tensor, err error) {
	mc := p.Model.Config
	if err := p.Model.checkBatch(x, nil, false); err != nil {
		return nil, nil, nil, err
	}
	B := x.Shape().Dim(0)
	if err := mc.checkWork(B, x.Shape().Dim(1)); err != nil {
		return nil, nil, nil, err
	}
	if err := mc.checkState(B, h0, c0); err != nil {
		return nil, nil, nil, err
	}
	if nf := nonFiniteIn("input x", x); nf != nil {
		return nil, nil, nil, nf
	}
	zh, zc := p.zeroStates(B)
	if h0 == nil {
		h0 = zh
	}
	if c0 == nil {
		c0 = zc
	}
	flat, err := p.fwdExec.Call(anys(pack(p.fwdIn, graphIO[*tensors.Tensor]{Params: p.Model.Params(), X: x, H: h0, C: c0}))...)
	if err != nil {
		return nil, nil, nil, err
	}
	out := unpack(p.fwdOut, flat)
	if nf := nonFiniteOut(out.Bad, p.fwdChecked, 0); nf != nil {
		return nil, nil, nil, nf
	}
	return out.Pred, out.H, out.C, nil
}

// Compile builds and compiles the forward graph for batches shaped like x.
func (p *Predictor) Compile(x *tensors.Tensor) error {
	mc := p.Model.Config
	if err := p.Model.checkBatch(x, nil, false); err != nil {
		return err
	}
	if err := mc.checkWork(x.Shape().Dim(0), x.Shape().Dim(1)); err != nil {
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
