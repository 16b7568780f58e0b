package train

import (
	"iter"

	"github.com/gomlx/gomlx/core/tensors"
	gtrain "github.com/gomlx/gomlx/ml/train"
)

// batchDataset is a GoMLX dataset (ml/train.Dataset) over a pure batch function.
type batchDataset struct {
	name  string
	batch func(i int) (x, y *tensors.Tensor, err error)
	n     int
}

// Dataset returns batches 0 … n−1 of batch (e.g. CharBatches) as a GoMLX dataset
// (ml/train.Dataset) for GoMLX's Trainer and Loop: batch i has Inputs {x} and Labels {y}. Each
// Iter starts again at batch 0, in the same order as the course's loop (LoopConfig.Batch), so the
// two trainers see the same data. An error from batch ends the iteration with that error.
func Dataset(name string, batch func(i int) (x, y *tensors.Tensor, err error), n int) gtrain.Dataset {
	return &batchDataset{name: name, batch: batch, n: n}
}

func (d *batchDataset) Name() string { return d.name }

func (d *batchDataset) Iter() iter.Seq2[gtrain.Batch, error] {
	return func(yield func(gtrain.Batch, error) bool) {
		for i := range d.n {
			x, y, err := d.batch(i)
			if !yield(gtrain.Batch{Inputs: []*tensors.Tensor{x}, Labels: []*tensors.Tensor{y}}, err) || err != nil {
				return
			}
		}
	}
}
