package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

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

// checkBatch checks that the model is still the one it was made (check), then the batch.
func (m *Model) checkBatch(x, y *tensors.Tensor, needY bool) error {
	if err := m.check(); err != nil {
		return err
	}
	return m.Config.checkBatch(x, y, needY)
}
