// Package modelspec is the one model interface of the course: what train, cost, deer,
// cmd/rnnbench and the notebooks need to know of a sequence layer, whatever its cell.
//
// A [Spec] names its parameters and gives their shapes (PyTorch's state_dict names and layout),
// draws fresh parameters from a seed, gives the shapes of its recurrent states for a batch of B
// sequences, and builds its forward pass on a graph:
//
//	(params, x [B, T, D], states) -> (out [B, T, H], final states)
//
// the whole sequence at once, the way flax writes a cell as (carry, x) -> (carry, y) applied over
// time. The states are h (and c for the LSTM), each shaped as StateShapes says; a nil state means
// zeros. recurrent.Config (a stack of tanh/ReLU RNN, LSTM or GRU cells) and mingru.Layer (a
// minGRU or minLSTM layer with the scan that runs it) implement it.
//
// [Runner] runs any Spec on host tensors; recurrent.Runner is a thin wrapper over it.
//
// The package imports none of the model packages (recurrent, mingru, cost, train, deer): they
// import it.
package modelspec
