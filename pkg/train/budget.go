package train

import (
	"fmt"
)

// Sizes are checked against a stated budget before anything is allocated or built, so that a
// configuration or a batch read from a file or a command line cannot ask for an absurd
// allocation or an unrolled graph that never finishes building: ModelConfig.CheckSize (part of
// Validate) bounds the parameters and the graph of one time step, and every batch (Step,
// Evaluate, Forward, Compile) bounds the graph and the activations of its whole sequence.

// MaxParams is the default of Limits.Params: 2^28 trainable scalars (1 GiB of float32
// parameters, 3 GiB with Adam's moments), far above what the course trains.
const MaxParams = 1 << 28

// Budget bounds the size of a model and of the work one batch asks for.
type Budget struct {
	// Params bounds the trainable scalars of a model (NewModel, LoadModel, a checkpoint).
	Params int
	// GraphNodes bounds the estimated nodes of one compiled graph: the train step of one batch
	// (one TBPTT chunk) or a forward pass. The graph is unrolled in time, so it grows as
	// layers × time steps; a node takes about 1 KiB while the graph is built.
	GraphNodes int
	// ActivationBytes bounds the estimated bytes that one train step or forward pass allocates
	// for its intermediate values (about 40 values per unit, layer, step and sequence).
	ActivationBytes int64
}

// Limits is the budget in force. Its defaults suit a machine with a few GiB to spare; raise a
// field to go beyond it (e.g. train.Limits.GraphNodes = 1 << 23) when the machine has the memory.
var Limits = Budget{Params: MaxParams, GraphNodes: 1 << 21, ActivationBytes: 4 << 30}

// The estimates behind GraphNodes and ActivationBytes, from measured train steps (float32,
// Adam): at most about 150 graph nodes per layer and time step (the LSTM by autodiff; about 60
// on the hand-written path, fewer for the scans), plus a fixed part; at most about 37 bytes ÷
// item size per unit, layer, step and sequence (the LSTM on the hand-written path).
const (
	nodesPerLayerStep = 160
	nodesFixed        = 2000
	valuesPerUnitStep = 40
	valuesPerIOStep   = 8 // per input and output feature (one-hot ids, logits, softmax)
)

func gib(b float64) string { return fmt.Sprintf("%.2f GiB", b/(1<<30)) }
