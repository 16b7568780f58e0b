package train

import (
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/tasks"
)

// CharBatches returns a LoopConfig.Batch for a character model: batch i is
// ct.TrainBatchAt(i, B, T) as int32 tensors x, y [B, T].
func CharBatches(ct *tasks.CharText, B, T int) func(i int) (x, y *tensors.Tensor, err error) {
	return func(i int) (*tensors.Tensor, *tensors.Tensor, error) {
		xs, ys, err := ct.TrainBatchAt(i, B, T)
		if err != nil {
			return nil, nil, err
		}
		return tensors.FromFlatDataAndDimensions(xs, B, T), tensors.FromFlatDataAndDimensions(ys, B, T), nil
	}
}

// FloatBatches returns a LoopConfig.Batch for a task with float32 data: batch i is at(i, B),
// shaped x [B, xDims...] and y [B, yDims...] (e.g. tasks.NoisySine.BatchAt with xDims = yDims =
// T, 1; tasks.Adding.BatchAt with xDims = T, 2 and yDims = 1). A batch of another size is an
// error naming both shapes.
func FloatBatches(at func(i, B int) (x, y []float32, err error), B int, xDims, yDims []int) func(i int) (x, y *tensors.Tensor, err error) {
	size := func(dims []int) int {
		n := B
		for _, d := range dims {
			n *= d
		}
		return n
	}
	xShape, yShape := append([]int{B}, xDims...), append([]int{B}, yDims...)
	return func(i int) (*tensors.Tensor, *tensors.Tensor, error) {
		xs, ys, err := at(i, B)
		if err != nil {
			return nil, nil, err
		}
		if len(xs) != size(xDims) || len(ys) != size(yDims) {
			return nil, nil, fmt.Errorf("train: batch %d holds %d inputs and %d targets, want x %v and y %v (%d and %d values)",
				i, len(xs), len(ys), xShape, yShape, size(xDims), size(yDims))
		}
		return tensors.FromFlatDataAndDimensions(xs, xShape...), tensors.FromFlatDataAndDimensions(ys, yShape...), nil
	}
}
