package mingru

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// Kind names a cell.
type Kind string

// The cells of this package.
const (
	MinGRU  Kind = "mingru"
	MinLSTM Kind = "minlstm"
)

// Projections is the number of linear maps of x: 2 for minGRU (z, h), 3 for minLSTM (f, i, h).
func (k Kind) Projections() int {
	if k == MinLSTM {
		return 3
	}
	return 2
}

// The scan forms a layer runs in (every one gives the same h): package scan's forms, the
// naive loop aside, and Heinsen's log-space evaluation of this package.
const (
	Sequential   = scan.FormSequential   // the loop, scan.Sequential
	Blelloch     = scan.FormBlelloch     // scan.Blelloch
	Chunked      = scan.FormChunked      // scan.Chunked with Config.Chunk
	HillisSteele = scan.FormHillisSteele // scan.HillisSteele
	// LogSpace is Heinsen's log-space scan (LogSpaceScan); it needs Config.PositiveCandidate.
	LogSpace = scan.FormLogSpace
)

// Forms lists every form a layer runs in, the reference (Sequential) first.
var Forms = []scan.Form{Sequential, Blelloch, Chunked, HillisSteele, LogSpace}

// ParseForm accepts the names of Forms: scan.ParseForm(s, Forms...).
//
// Deprecated: use scan.ParseForm(s, mingru.Forms...).
func ParseForm(s string) (scan.Form, error) { return scan.ParseForm(s, Forms...) }

// Config describes one minGRU or minLSTM layer.
type Config struct {
	Kind       Kind
	InputSize  int          // D, features of x_t
	HiddenSize int          // H
	DType      dtypes.DType // Float32 or Float64
	// PositiveCandidate passes the candidate through g (h̃ = g(W_h x + b_h) > 0), the paper's
	// log-space parametrisation. the LogSpace form requires it; the other forms honour it too.
	PositiveCandidate bool
	// Chunk is the chunk length of the Chunked form; 0 means scan.DefaultChunk.
	Chunk int
}

// Validate returns an error that says what is wrong with the configuration.
func (c Config) Validate() error {
	if c.Kind != MinGRU && c.Kind != MinLSTM {
		return fmt.Errorf("mingru: unknown kind %q, want %q or %q", c.Kind, MinGRU, MinLSTM)
	}
	if err := seq.CheckSizes("mingru", c.InputSize, c.HiddenSize); err != nil {
		return err
	}
	if err := seq.CheckFloat("mingru", c.DType); err != nil {
		return err
	}
	if c.Chunk < 0 {
		return fmt.Errorf("mingru: chunk length must be >= 0 (0 for the default), got %d", c.Chunk)
	}
	return nil
}

// CheckForm says whether the configuration can run in the given scan form.
func (c Config) CheckForm(form scan.Form) error {
	if _, err := scan.ParseForm(string(form), Forms...); err != nil {
		return err
	}
	if form == LogSpace && !c.PositiveCandidate {
		return fmt.Errorf("mingru: form %q needs b_t > 0: set Config.PositiveCandidate (h̃ = g(W_h x + b_h))", form)
	}
	return nil
}

// ParamNames returns the parameter names, PyTorch style, in the order of Weights.Tensors:
// linear_z.weight, linear_z.bias, linear_h.weight, linear_h.bias for minGRU;
// linear_f.*, linear_i.*, linear_h.* for minLSTM.
func (c Config) ParamNames() []string {
	layers := []string{"linear_z", "linear_h"}
	if c.Kind == MinLSTM {
		layers = []string{"linear_f", "linear_i", "linear_h"}
	}
	var names []string
	for _, l := range layers {
		names = append(names, l+".weight", l+".bias")
	}
	return names
}

// ParamShapes returns the shapes of the parameters in ParamNames order: [H, D] and [H] each.
func (c Config) ParamShapes() [][]int {
	var s [][]int
	for range c.Kind.Projections() {
		s = append(s, []int{c.HiddenSize, c.InputSize}, []int{c.HiddenSize})
	}
	return s
}

// NumParams is the number of trainable scalars: P·H·(D+1), P = Kind.Projections().
func (c Config) NumParams() int { return c.Kind.Projections() * c.HiddenSize * (c.InputSize + 1) }

// Weights holds the host-side weights of one layer, in ParamNames order.
type Weights struct {
	Config  Config
	Tensors []*tensors.Tensor
}

// NewWeights creates fresh weights initialised like PyTorch's nn.Linear: every weight and bias
// drawn from U(-k, k), k = 1/sqrt(D). The same seed gives the same weights.
func NewWeights(cfg Config, seed uint64) (*Weights, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x316e))
	k := 1 / math.Sqrt(float64(cfg.InputSize))
	w := &Weights{Config: cfg}
	for _, dims := range cfg.ParamShapes() {
		w.Tensors = append(w.Tensors, seq.InitUniform(cfg.DType, k, rng, dims...))
	}
	return w, nil
}

// Validate checks the number, dtype and shapes of the tensors against the configuration.
func (w *Weights) Validate() error {
	if err := w.Config.Validate(); err != nil {
		return err
	}
	ss := make([]shapes.Shape, len(w.Tensors))
	for i, t := range w.Tensors {
		if t == nil {
			return fmt.Errorf("mingru: %s is missing", w.Config.ParamNames()[i])
		}
		ss[i] = t.Shape()
	}
	return w.Config.CheckParams(ss)
}

// CheckParams checks parameter shapes (in ParamNames order) against the configuration.
func (c Config) CheckParams(params []shapes.Shape) error {
	names := c.ParamNames()
	if len(params) != len(names) {
		return fmt.Errorf("mingru: %d parameters, want %d (%v)", len(params), len(names), names)
	}
	for i, dims := range c.ParamShapes() {
		if want := shapes.Make(c.DType, dims...); !params[i].Equal(want) {
			return fmt.Errorf("mingru: %s has shape %s, want %s", names[i], params[i], want)
		}
	}
	return nil
}

// CheckInput says what is wrong with the shapes of an input sequence x [B, T, D] and of the
// optional initial state h0 [B, H].
func (c Config) CheckInput(x shapes.Shape, h0 *shapes.Shape) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if x.Rank() != 3 {
		return fmt.Errorf("mingru: x must be [batch, time, features], got shape %s", x)
	}
	if x.Dim(0) < 1 || x.Dim(1) < 1 {
		return fmt.Errorf("mingru: x has shape %s, want batch >= 1 and time >= 1", x)
	}
	if x.Dim(2) != c.InputSize {
		return fmt.Errorf("mingru: x has %d features per step (shape %s), the weights expect input size %d",
			x.Dim(2), x, c.InputSize)
	}
	if x.DType != c.DType {
		return fmt.Errorf("mingru: x has dtype %s, the weights are %s", x.DType, c.DType)
	}
	if h0 != nil {
		if want := shapes.Make(c.DType, x.Dim(0), c.HiddenSize); !h0.Equal(want) {
			return fmt.Errorf("mingru: h0 has shape %s, want [batch, hidden] = %s", *h0, want)
		}
	}
	return nil
}
