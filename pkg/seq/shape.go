package seq

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
)

// ShapeOf returns a pointer to the shape of a node or tensor, or nil for a nil one: the
// optional shapes (h0, c0) that the packages' input checks take.
func ShapeOf[T interface {
	comparable
	Shape() shapes.Shape
}](v T) *shapes.Shape {
	var none T
	if v == none {
		return nil
	}
	s := v.Shape()
	return &s
}

// CheckSizes says what is wrong with a layer's input and hidden sizes (each must be > 0); pkg
// prefixes the error ("recurrent", "mingru").
func CheckSizes(pkg string, inputSize, hiddenSize int) error {
	if inputSize <= 0 {
		return fmt.Errorf("%s: input size must be > 0, got %d", pkg, inputSize)
	}
	if hiddenSize <= 0 {
		return fmt.Errorf("%s: hidden size must be > 0, got %d", pkg, hiddenSize)
	}
	return nil
}

// CheckFloat says what is wrong with a model's dtype: it must be Float32 or Float64.
func CheckFloat(pkg string, dtype dtypes.DType) error {
	if dtype != dtypes.Float32 && dtype != dtypes.Float64 {
		return fmt.Errorf("%s: dtype must be Float32 or Float64, got %s", pkg, dtype)
	}
	return nil
}
