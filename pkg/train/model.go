package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/bptt"
	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// LossKind selects the task's loss; see the package documentation.
type LossKind string

// The losses.
const (
	MSE          LossKind = "mse"
	MSELast      LossKind = "mse_last"
	CrossEntropy LossKind = "xent"
)

// ModelConfig describes a recurrent stack with a linear readout.
type ModelConfig struct {
	Cell       recurrent.Config // for CrossEntropy, Cell.InputSize is the vocabulary size
	OutputSize int              // O: readout width (the vocabulary size for CrossEntropy)
	Loss       LossKind
	// Scan, when set, replaces the classic cell by a parallel-in-time minGRU or minLSTM layer
	// (package mingru) whose linear recurrence runs as Scan.Mode says. Cell then gives only
	// InputSize, HiddenSize and DType: its Kind must be empty and NumLayers 1.
	Scan *ScanCell `json:",omitempty"`
}

// ScanCell selects a minGRU/minLSTM layer (Feng et al. 2024) and how its recurrence is run.
type ScanCell struct {
	Kind  mingru.Kind // mingru.MinGRU or mingru.MinLSTM
	Mode  mingru.Mode // sequential, blelloch, chunked, hillis or logspace
	Chunk int         // chunk length of the chunked mode (0: the scan package's default)
}

func (c ModelConfig) scanConfig() mingru.Config {
	return mingru.Config{Kind: c.Scan.Kind, InputSize: c.Cell.InputSize, HiddenSize: c.Cell.HiddenSize,
		DType: c.Cell.DType, PositiveCandidate: c.Scan.Mode == mingru.LogSpace, Chunk: c.Scan.Chunk}
}

// hasCellState reports whether the model carries a second state (the LSTM's c).
func (c ModelConfig) hasCellState() bool { return c.Scan == nil && c.Cell.Kind.HasCellState() }

// numCellParams is the number of recurrent parameter tensors (before the readout's two).
func (c ModelConfig) numCellParams() int {
	if c.Scan != nil {
		return len(c.scanConfig().ParamNames())
	}
	return 4 * c.Cell.NumLayers
}

func (c ModelConfig) validateCell() error {
	if c.Scan == nil {
		return c.Cell.Validate()
	}
	if c.Cell.Kind != "" {
		return fmt.Errorf("train: a scan cell (%s) takes its kind from Scan.Kind: leave Cell.Kind empty, got %q",
			c.Scan.Kind, c.Cell.Kind)
	}
	if c.Cell.NumLayers != 1 {
		return fmt.Errorf("train: a scan cell has one layer, got NumLayers %d", c.Cell.NumLayers)
	}
	sc := c.scanConfig()
	if err := sc.Validate(); err != nil {
		return err
	}
	return sc.CheckMode(c.Scan.Mode)
}

// Validate says what is wrong with a model configuration.
func (c ModelConfig) Validate() error {
	if err := c.validateCell(); err != nil {
		return err
	}
	if c.OutputSize <= 0 {
		return fmt.Errorf("train: output size must be > 0, got %d", c.OutputSize)
	}
	switch c.Loss {
	case MSE, MSELast:
	case CrossEntropy:
		if c.OutputSize != c.Cell.InputSize {
			return fmt.Errorf("train: a character model reads and predicts the same vocabulary: "+
				"input size %d != output size %d", c.Cell.InputSize, c.OutputSize)
		}
	default:
		return fmt.Errorf("train: unknown loss %q, want mse, mse_last or xent", c.Loss)
	}
	return c.CheckSize()
}

// Model holds the host-side parameters: the recurrent weights (PyTorch names) and the readout.
type Model struct {
	Config   ModelConfig
	Cell     *recurrent.Weights // classic cells (nil for a scan cell)
	ScanCell *mingru.Weights    // scan cells (nil for a classic cell)
	ReadoutW *tensors.Tensor    // [O, H]
	ReadoutB *tensors.Tensor    // [O]
}

// NewModel creates a model with PyTorch's default initialisation (recurrent weights and
// nn.Linear readout both U(-1/sqrt(H), 1/sqrt(H))).
func NewModel(cfg ModelConfig, seed uint64) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Config: cfg}
	var err error
	if cfg.Scan != nil {
		m.ScanCell, err = mingru.NewWeights(cfg.scanConfig(), seed)
	} else {
		m.Cell, err = recurrent.NewWeights(cfg.Cell, seed)
	}
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x7ead))
	k := 1 / math.Sqrt(float64(cfg.Cell.HiddenSize))
	uniform := func(dims ...int) *tensors.Tensor { return recurrent.InitUniform(cfg.Cell.DType, k, rng, dims...) }
	m.ReadoutW, m.ReadoutB = uniform(cfg.OutputSize, cfg.Cell.HiddenSize), uniform(cfg.OutputSize)
	return m, nil
}

func (m *Model) cellTensors() *[]*tensors.Tensor {
	if m.ScanCell != nil {
		return &m.ScanCell.Tensors
	}
	return &m.Cell.Tensors
}

// ParamNames lists the parameters in the order of Params.
func (m *Model) ParamNames() []string {
	var names []string
	if m.ScanCell != nil {
		names = m.Config.scanConfig().ParamNames()
	} else {
		names = m.Cell.Names()
	}
	return append(names, "readout.weight", "readout.bias")
}

// Params returns the parameter tensors (shared, not copied), in ParamNames order.
func (m *Model) Params() []*tensors.Tensor {
	return append(append([]*tensors.Tensor{}, *m.cellTensors()...), m.ReadoutW, m.ReadoutB)
}

// SetParams replaces the parameters (in ParamNames order), checking their shapes.
func (m *Model) SetParams(ps []*tensors.Tensor) error {
	old := m.Params()
	if len(ps) != len(old) {
		return fmt.Errorf("train: %d parameters given, want %d", len(ps), len(old))
	}
	names := m.ParamNames()
	for i := range ps {
		if !ps[i].Shape().Equal(old[i].Shape()) {
			return fmt.Errorf("train: parameter %s has shape %s, want %s", names[i], ps[i].Shape(), old[i].Shape())
		}
	}
	cell := m.cellTensors()
	n := len(*cell)
	*cell = append([]*tensors.Tensor{}, ps[:n]...)
	m.ReadoutW, m.ReadoutB = ps[n], ps[n+1]
	return nil
}

// NumParams counts the trainable scalars.
func (m *Model) NumParams() int {
	n := 0
	for _, t := range m.Params() {
		n += t.Size()
	}
	return n
}

// forwardGraph runs the model on x and returns the predictions (all steps [B, T, O], or the last
// step [B, O] for MSELast), the final states and the traces.
func (c ModelConfig) forwardGraph(params []*Node, x, h0, c0 *Node) (pred, hn, cn, out *Node, traces []*recurrent.Trace) {
	n := c.numCellParams()
	if c.Loss == CrossEntropy {
		x = OneHot(x, c.Cell.InputSize, c.Cell.DType) // [B, T] ids -> [B, T, V]
	}
	var hT *Node // [B, H]: the top layer's last state
	if c.Scan != nil {
		out = mingru.Forward(c.scanConfig(), params[:n], x, Squeeze(h0, 0), c.Scan.Mode) // [B, T, H]
		hT = Squeeze(SliceAxis(out, 1, AxisElem(out.Shape().Dim(1)-1)), 1)               // [B, H]
		hn = ExpandAxes(hT, 0)                                                           // [1, B, H]
	} else {
		out, hn, cn, traces = recurrent.Forward(c.Cell.Kind, params[:n], x, h0, c0)
		top := traces[len(traces)-1]
		hT = top.H[len(top.H)-1]
	}
	pred = c.readout(params[n], params[n+1], out, hT)
	if c.Loss == MSELast {
		out = hT // the readout's input: what the hand-written backward starts from
	}
	return pred, hn, cn, out, traces
}

// readout applies the linear readout to every step's output out [B, T, H] or, for MSELast, to
// the last state hT [B, H].
func (c ModelConfig) readout(wo, bo, out, hT *Node) (pred *Node) {
	if c.Loss == MSELast {
		return Add(DotGeneral(hT, []int{1}, nil, wo, []int{1}, nil), ExpandAxes(bo, 0)) // [B, O]
	}
	B, T := out.Shape().Dim(0), out.Shape().Dim(1)
	pred = DotGeneral(out, []int{2}, nil, wo, []int{1}, nil)                               // [B, T, O]
	return Add(pred, BroadcastToDims(Reshape(bo, 1, 1, c.OutputSize), B, T, c.OutputSize)) // [B, T, O]
}

// fastLSTM reports whether the hand-written backward can use bptt's features-by-batch LSTM
// (one classic LSTM layer, any loss), which is faster on the Go backend.
func (c ModelConfig) fastLSTM() bool {
	return c.Scan == nil && c.Cell.Kind == recurrent.LSTM && c.Cell.NumLayers == 1
}

// fastLSTMGraph is forwardGraph for fastLSTM models: the forward pass of bptt.FastLSTMForward,
// whose trace bptt.FastLSTMGrads differentiates by hand.
func (c ModelConfig) fastLSTMGraph(params []*Node, x, h0, c0 *Node) (pred, hn, cn, out *Node, tr *bptt.FastLSTMTrace) {
	if c.Loss == CrossEntropy {
		x = OneHot(x, c.Cell.InputSize, c.Cell.DType) // [B, T] ids -> [B, T, V]
	}
	p := recurrent.LayerParams{WIH: params[0], WHH: params[1], BIH: params[2], BHH: params[3]}
	tr = bptt.FastLSTMForward(p, x, Squeeze(h0, 0), Squeeze(c0, 0))
	hT := Transpose(tr.Hs[len(tr.Hs)-1], 0, 1)             // [B, H]
	hn = ExpandAxes(hT, 0)                                 // [1, B, H]
	cn = ExpandAxes(Transpose(tr.C[len(tr.C)-1], 0, 1), 0) // [1, B, H]
	if c.Loss == MSELast {
		// The readout reads h_T only, so the hand-written backward starts from ∂L/∂h_T [B, H].
		return c.readout(params[4], params[5], nil, hT), hn, cn, hT, tr
	}
	out = tr.Out() // [B, T, H]
	return c.readout(params[4], params[5], out, nil), hn, cn, out, tr
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

// checkBatch validates the shapes and dtypes of a batch, and says what was expected.
func (c ModelConfig) checkBatch(x, y *tensors.Tensor) error {
	xs := x.Shape()
	switch c.Loss {
	case CrossEntropy:
		if xs.Rank() != 2 || xs.DType != dtypes.Int32 {
			return fmt.Errorf("train: a character model takes x as int32 ids [batch, time], got %s", xs)
		}
	default:
		if xs.Rank() != 3 || xs.DType != c.Cell.DType || xs.Dim(2) != c.Cell.InputSize {
			return fmt.Errorf("train: x must be %s [batch, time, %d], got %s", c.Cell.DType, c.Cell.InputSize, xs)
		}
	}
	if xs.Dim(0) == 0 {
		return fmt.Errorf("train: batch of zero sequences (x shape %s)", xs)
	}
	if xs.Dim(1) == 0 {
		return fmt.Errorf("train: empty sequences (x shape %s)", xs)
	}
	if y == nil {
		return nil
	}
	B, T := xs.Dim(0), xs.Dim(1)
	var want shapes.Shape
	switch c.Loss {
	case CrossEntropy:
		want = shapes.Make(dtypes.Int32, B, T)
	case MSE:
		want = shapes.Make(c.Cell.DType, B, T, c.OutputSize)
	case MSELast:
		want = shapes.Make(c.Cell.DType, B, c.OutputSize)
	}
	if !y.Shape().Equal(want) {
		return fmt.Errorf("train: y has shape %s, want %s for loss %s", y.Shape(), want, c.Loss)
	}
	return nil
}
