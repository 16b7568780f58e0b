package cost

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/modelspec"
)

// SpecFunc gives the layer of a model (a modelspec.Spec) for input width D, hidden width H and
// a dtype: a recurrent.Config, a mingru.Layer, or any other Spec.
type SpecFunc func(D, H int, dtype dtypes.DType) modelspec.Spec

// FromSpec is the Model of a layer given as a modelspec.Spec: its Params are the Spec's names
// and shapes (float32), and its Build is the Spec's forward pass from zero states (its output,
// [B, T, H]). name, sequential and workOrder fill the Model's fields of the same names.
func FromSpec(name string, sequential bool, workOrder int, spec SpecFunc) Model {
	return Model{
		Name: name, Sequential: sequential, WorkOrder: workOrder,
		Params: func(D, H int) ([]Param, error) { return SpecParams(spec(D, H, dtypes.Float32)) },
		Build: func(params []*Node, x *Node) *Node {
			s, err := specFor(spec, params, x)
			if err != nil {
				panic(err)
			}
			out, _ := s.Build(params, x, nil)
			return out // [B, T, H]
		},
	}
}

// SpecParams returns the parameters (names and dimensions) of a Spec, or the Spec's own error
// when it does not validate.
func SpecParams(s modelspec.Spec) ([]Param, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	names, dims := s.ParamNames(), s.ParamShapes()
	ps := make([]Param, len(names))
	for i := range names {
		ps[i] = Param{Name: names[i], Dims: dims[i]}
	}
	return ps, nil
}

// specFor finds the Spec that params were made for: D is x's last axis, and H the one
// dimension of the parameters for which spec(D, H) has exactly their shapes.
func specFor(spec SpecFunc, params []*Node, x *Node) (modelspec.Spec, error) {
	D := x.Shape().Dim(-1)
	var tried []int
	for _, p := range params {
		for _, H := range p.Shape().Dimensions {
			if slices.Contains(tried, H) {
				continue
			}
			tried = append(tried, H)
			s := spec(D, H, x.DType())
			if s.Validate() != nil {
				continue
			}
			dims := s.ParamShapes()
			if len(dims) == len(params) && slices.EqualFunc(dims, params, func(d []int, n *Node) bool {
				return slices.Equal(d, n.Shape().Dimensions)
			}) {
				return s, nil
			}
		}
	}
	return nil, fmt.Errorf("cost: no hidden width H gives a layer with parameters of these shapes for input width %d", D)
}
