package recurrent

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/rnn-course/bottleneck/pkg/tensornpz"
)

// FromPyTorch builds weights from a PyTorch state_dict saved as .npz
// (np.savez(path, **{k: v.numpy() for k, v in module.state_dict().items()})), by PyTorch's
// names weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}. The number of layers, the
// input and hidden sizes are read from the shapes; kind says which cell the weights are for.
// Arrays may be float32 or float64; they are converted to dtype. Every shape is checked, every
// value must be finite (and within float32's range for float32), and every recurrent weight of
// the file must belong to the layers read: layers 0..L-1, no gap.
func FromPyTorch(f *npz.File, kind Kind, dtype dtypes.DType) (*Weights, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return nil, err
	}
	whh, err := f.Get("weight_hh_l0")
	if err != nil {
		return nil, fmt.Errorf("recurrent: not a PyTorch recurrent state_dict: %w", err)
	}
	wih, err := f.Get("weight_ih_l0")
	if err != nil {
		return nil, fmt.Errorf("recurrent: not a PyTorch recurrent state_dict: %w", err)
	}
	if len(whh.Shape) != 2 || len(wih.Shape) != 2 {
		return nil, fmt.Errorf("recurrent: weight_hh_l0 and weight_ih_l0 must be matrices, got shapes %v and %v",
			whh.Shape, wih.Shape)
	}
	H := whh.Shape[1]
	G := kind.Gates()
	if whh.Shape[0] != G*H {
		return nil, fmt.Errorf("recurrent: weight_hh_l0 has shape %v, want [%d*H, H] for a %s: "+
			"is this the state_dict of another kind of cell?", whh.Shape, G, kind)
	}
	L := 0
	for slices.Contains(f.Names(), fmt.Sprintf("weight_ih_l%d", L)) {
		L++
	}
	if slices.ContainsFunc(f.Names(), func(n string) bool { return len(n) > 8 && n[len(n)-8:] == "_reverse" }) {
		return nil, fmt.Errorf("recurrent: bidirectional weights (*_reverse) are not supported")
	}
	// Every recurrent weight must belong to one of the layers 0..L-1 read below: a state_dict
	// with layers 0 and 2 but no 1 is refused, never read as one layer.
	for _, n := range f.Names() {
		m := pytorchParam.FindStringSubmatch(n)
		if m == nil {
			continue
		}
		if m[2] == "hr" {
			return nil, fmt.Errorf("recurrent: %s: LSTM projections (proj_size) are not supported", n)
		}
		if l, err := strconv.Atoi(m[3]); err != nil || l >= L {
			return nil, fmt.Errorf("recurrent: the state_dict has layer %s (%s) but no weight_ih_l%d: "+
				"want layers numbered 0, 1, ... with no gap, each with %v", m[3], n, L, ParamNames(1))
		}
	}
	cfg := Config{Kind: kind, InputSize: wih.Shape[1], HiddenSize: H, NumLayers: L, DType: dtype}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w := &Weights{Config: cfg}
	for i, name := range ParamNames(L) {
		want := cfg.ParamShape(i)
		t, err := arrayTensor(f, name, want, dtype)
		if err != nil {
			return nil, err
		}
		w.Tensors = append(w.Tensors, t)
	}
	return w, nil
}

// fromPyTorchFile reads a .npz state_dict; see FromPyTorch.
func fromPyTorchFile(path string, kind Kind, dtype dtypes.DType) (*Weights, error) {
	f, err := npz.ReadFile(path)
	if err != nil {
		return nil, err
	}
	w, err := FromPyTorch(f, kind, dtype)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}

// pytorchParam matches the names of PyTorch's recurrent parameters: kind of weight, ih, hh or
// hr (LSTM projection), and the layer.
var pytorchParam = regexp.MustCompile(`^(weight|bias)_(ih|hh|hr)_l([0-9]+)$`)

// arrayTensor reads a float array (float32 or float64) of an exact shape as a tensor of dtype.
// NaN, ±Inf and float64 values outside the float32 range (for a float32 tensor) are refused.
func arrayTensor(f *npz.File, name string, shape []int, dtype dtypes.DType) (*tensors.Tensor, error) {
	t, err := tensornpz.Tensor(f, name, tensornpz.Want{DType: dtype, Shape: shape, Convert: true, Finite: true})
	if err != nil {
		return nil, fmt.Errorf("recurrent: %w", err)
	}
	return t, nil
}
