package recurrent

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// Weights holds the host-side weights of a stack of recurrent layers, in PyTorch's layout and
// order: for each layer l, weight_ih_l{l} [G*H, D_l], weight_hh_l{l} [G*H, H],
// bias_ih_l{l} [G*H], bias_hh_l{l} [G*H].
type Weights struct {
	Config  Config
	Tensors []*tensors.Tensor // 4 per layer, in the order of Names()
}

// ParamNames returns PyTorch's state_dict names for a configuration, 4 per layer.
func ParamNames(numLayers int) []string {
	names := make([]string, 0, ParamsPerLayer*numLayers)
	for l := range numLayers {
		names = append(names,
			fmt.Sprintf("weight_ih_l%d", l), fmt.Sprintf("weight_hh_l%d", l),
			fmt.Sprintf("bias_ih_l%d", l), fmt.Sprintf("bias_hh_l%d", l))
	}
	return names
}

// LayerShapes returns the shapes of the 4 tensors of layer l (in ParamNames order).
func (c Config) LayerShapes(l int) [4][]int {
	GH := c.Kind.Gates() * c.HiddenSize
	return [4][]int{{GH, c.LayerInputSize(l)}, {GH, c.HiddenSize}, {GH}, {GH}}
}

// ParamShape returns the shape of the tensor at position i of a flat list in ParamNames order.
func (c Config) ParamShape(i int) []int {
	l, p := ParamAt(i)
	return c.LayerShapes(l)[p]
}

// Names returns the PyTorch names of w.Tensors.
func (w *Weights) Names() []string { return ParamNames(w.Config.NumLayers) }

// Layer returns the 4 tensors of layer l: weight_ih, weight_hh, bias_ih, bias_hh.
func (w *Weights) Layer(l int) [4]*tensors.Tensor {
	var out [ParamsPerLayer]*tensors.Tensor
	copy(out[:], w.Tensors[ParamIndex(l, WeightIH):ParamIndex(l+1, WeightIH)])
	return out
}

// NewWeights creates fresh weights with PyTorch's default initialisation: every weight and bias
// drawn from U(-k, k), k = 1/sqrt(H). The same seed gives the same weights.
func NewWeights(cfg Config, seed uint64) (*Weights, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	k := 1 / math.Sqrt(float64(cfg.HiddenSize))
	w := &Weights{Config: cfg}
	for l := range cfg.NumLayers {
		for _, dims := range cfg.LayerShapes(l) {
			w.Tensors = append(w.Tensors, seq.InitUniform(cfg.DType, k, rng, dims...))
		}
	}
	return w, nil
}

// NewWeightsFromSlices builds weights from flat row-major slices given in ParamNames order
// ([]float32 or []float64 matching cfg.DType). Shapes are checked.
func NewWeightsFromSlices(cfg Config, flat ...any) (*Weights, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	names := ParamNames(cfg.NumLayers)
	if len(flat) != len(names) {
		return nil, fmt.Errorf("recurrent: got %d weight arrays, want %d (%v)", len(flat), len(names), names)
	}
	w := &Weights{Config: cfg}
	for i, f := range flat {
		dims := cfg.ParamShape(i)
		size := 1
		for _, d := range dims {
			size *= d
		}
		var t *tensors.Tensor
		switch v := f.(type) {
		case []float32:
			if cfg.DType != dtypes.Float32 {
				return nil, fmt.Errorf("recurrent: %s is []float32, want %s", names[i], cfg.DType)
			}
			if len(v) != size {
				return nil, fmt.Errorf("recurrent: %s has %d values, want %v = %d", names[i], len(v), dims, size)
			}
			t = tensors.FromFlatDataAndDimensions(slices.Clone(v), dims...)
		case []float64:
			if cfg.DType != dtypes.Float64 {
				return nil, fmt.Errorf("recurrent: %s is []float64, want %s", names[i], cfg.DType)
			}
			if len(v) != size {
				return nil, fmt.Errorf("recurrent: %s has %d values, want %v = %d", names[i], len(v), dims, size)
			}
			t = tensors.FromFlatDataAndDimensions(slices.Clone(v), dims...)
		default:
			return nil, fmt.Errorf("recurrent: %s is %T, want []float32 or []float64", names[i], f)
		}
		w.Tensors = append(w.Tensors, t)
	}
	return w, nil
}

// Validate checks the number, dtype and shapes of the tensors against the configuration, and
// that none is nil or finalized. It does not look at the values (see Runner.Run).
func (w *Weights) Validate() error {
	if w == nil {
		return fmt.Errorf("recurrent: weights are nil, want weights from NewWeights or FromPyTorch")
	}
	if err := w.Config.Validate(); err != nil {
		return err
	}
	names := w.Names()
	if len(w.Tensors) != len(names) {
		return fmt.Errorf("recurrent: %d weight tensors, want %d (%v)", len(w.Tensors), len(names), names)
	}
	for i, t := range w.Tensors {
		want := shapes.Make(w.Config.DType, w.Config.ParamShape(i)...)
		if t == nil {
			return fmt.Errorf("recurrent: %s is missing", names[i])
		}
		if !t.Ok() {
			return fmt.Errorf("recurrent: %s is a finalized tensor (its data was freed)", names[i])
		}
		if !t.Shape().Equal(want) {
			return fmt.Errorf("recurrent: %s has shape %s, want %s", names[i], t.Shape(), want)
		}
	}
	return nil
}

// Clone returns a deep copy.
func (w *Weights) Clone() (*Weights, error) {
	c := &Weights{Config: w.Config}
	for _, t := range w.Tensors {
		ct, err := t.LocalClone()
		if err != nil {
			return nil, err
		}
		c.Tensors = append(c.Tensors, ct)
	}
	return c, nil
}
