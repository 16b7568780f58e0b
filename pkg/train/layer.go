package train

import (
	"fmt"

	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/modelspec"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// CellKind names the recurrent layer of a model: a classic cell of package recurrent, run step
// by step, or a parallel-in-time cell of package mingru, run by the scan that ModelConfig.Scan
// names.
type CellKind string

// The cell kinds.
const (
	RNNTanh = CellKind(recurrent.RNNTanh)
	RNNReLU = CellKind(recurrent.RNNReLU)
	LSTM    = CellKind(recurrent.LSTM)
	GRU     = CellKind(recurrent.GRU)
	MinGRU  = CellKind(mingru.MinGRU)
	MinLSTM = CellKind(mingru.MinLSTM)
)

// CellKinds lists every kind: the classic cells, then the parallel-in-time ones.
var CellKinds = []CellKind{RNNTanh, RNNReLU, LSTM, GRU, MinGRU, MinLSTM}

// Parallel reports whether the kind is a parallel-in-time cell (mingru, minlstm).
func (k CellKind) Parallel() bool { return k == MinGRU || k == MinLSTM }

// Layer is what the trainer needs from a recurrent layer family: a modelspec.Spec (parameter
// names and shapes, fresh parameters, state shapes, the forward pass), the one model interface
// that packages cost and deer take too. recurrent.Config (a stack of classic cells, states h
// and c [L, B, H]) and mingru.Layer (a minGRU/minLSTM layer with its scan, state h [1, B, H])
// implement it. The readout on top is the model's own (ModelConfig's OutputSize and Loss).
type Layer = modelspec.Spec

// Layer returns the recurrent layer that the configuration describes (it assumes Validate
// passed): a recurrent.Config for the classic kinds, a mingru.Layer for the parallel ones.
func (c ModelConfig) Layer() Layer {
	if c.Kind.Parallel() {
		return c.minLayer()
	}
	return c.classic()
}

func (c ModelConfig) classic() recurrent.Config {
	return recurrent.Config{Kind: recurrent.Kind(c.Kind), InputSize: c.InputSize, HiddenSize: c.HiddenSize,
		NumLayers: c.NumLayers, DType: c.DType}
}

func (c ModelConfig) minLayer() mingru.Layer {
	form := c.Scan
	if form == "" {
		form = mingru.Sequential
	}
	return mingru.Layer{Config: mingru.Config{Kind: mingru.Kind(c.Kind), InputSize: c.InputSize,
		HiddenSize: c.HiddenSize, DType: c.DType, PositiveCandidate: form == mingru.LogSpace, Chunk: c.Chunk}, Form: form}
}

// validateLayer checks the cell kind and the fields that belong to it.
func (c ModelConfig) validateLayer() error {
	switch {
	case c.Kind.Parallel():
		if c.NumLayers != 1 {
			return fmt.Errorf("train: a %s model has one layer, got NumLayers %d", c.Kind, c.NumLayers)
		}
		return c.minLayer().Validate()
	case c.Kind == RNNTanh || c.Kind == RNNReLU || c.Kind == LSTM || c.Kind == GRU:
		if c.Scan != "" || c.Chunk != 0 {
			return fmt.Errorf("train: Scan and Chunk choose how a mingru/minlstm recurrence runs; "+
				"a %s cell runs step by step: leave them empty, got Scan %q, Chunk %d", c.Kind, c.Scan, c.Chunk)
		}
		return c.classic().Validate()
	}
	return fmt.Errorf("train: unknown cell kind %q, want one of %v", c.Kind, CellKinds)
}
