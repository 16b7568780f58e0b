package train

import (
	"fmt"

	"github.com/rnn-course/bottleneck/pkg/recurrent"
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

// estimate is the graph nodes and activation bytes of a train step on B sequences of T steps.
// It uses float64 arithmetic, which cannot overflow on sizes that passed the parameter checks.
func (c ModelConfig) estimate(B, T int) (nodes, bytes float64) {
	L, H := float64(c.NumLayers), float64(c.HiddenSize)
	nodes = nodesPerLayerStep*L*float64(T) + nodesFixed
	perStep := valuesPerUnitStep*L*H + valuesPerIOStep*float64(c.InputSize+c.OutputSize)
	bytes = float64(B) * float64(T) * perStep * float64(c.DType.Size())
	return nodes, bytes
}

// checkWork bounds the graph and the activations of a batch of B sequences of T steps (for a
// train step with TBPTT, T is the chunk length k).
func (c ModelConfig) checkWork(B, T int) error {
	nodes, bytes := c.estimate(B, T)
	if nodes > float64(Limits.GraphNodes) {
		return fmt.Errorf("train: %d time steps through %d layer(s) build a graph of about %.0f nodes, over the limit of %d "+
			"(train.Limits.GraphNodes): use shorter sequences (with TBPTT a train step builds k steps at a time) or fewer layers, "+
			"or raise train.Limits.GraphNodes if this machine has the memory (about 1 KiB a node)",
			T, c.NumLayers, nodes, Limits.GraphNodes)
	}
	if bytes > float64(Limits.ActivationBytes) {
		return fmt.Errorf("train: a batch of %d sequences of %d steps through %d layer(s) of %d units needs about %s "+
			"for its activations, over the limit of %s (train.Limits.ActivationBytes): use smaller batches or shorter sequences, "+
			"or raise train.Limits.ActivationBytes if this machine has the memory",
			B, T, c.NumLayers, c.HiddenSize, gib(bytes), gib(float64(Limits.ActivationBytes)))
	}
	return nil
}

func gib(b float64) string { return fmt.Sprintf("%.2f GiB", b/(1<<30)) }

// CheckSize is the upper bound that ModelConfig.Validate applies last: it refuses
// configurations whose parameters exceed Limits.Params, or whose graph for a single time step
// exceeds Limits.GraphNodes (a million layers would), so that a configuration read from a file
// or a command line cannot ask NewModel, or the first Step, for an absurd allocation. The
// batches are checked against Limits when they come. It assumes the rest of Validate passed.
func (c ModelConfig) CheckSize() error {
	H, D, O, L := c.HiddenSize, c.InputSize, c.OutputSize, c.NumLayers
	limit := Limits.Params
	for _, d := range []struct {
		name string
		v    int
	}{{"hidden size", H}, {"input size", D}, {"output size", O}, {"number of layers", L}} {
		if d.v > limit {
			return fmt.Errorf("train: %s %d is over the limit of %d parameters (train.Limits.Params)", d.name, d.v, limit)
		}
	}
	if nodes, _ := c.estimate(1, 1); nodes > float64(Limits.GraphNodes) {
		return fmt.Errorf("train: %d layers build a graph of about %.0f nodes for every time step, over the limit of %d "+
			"(train.Limits.GraphNodes): use fewer layers, or raise train.Limits.GraphNodes if this machine has the memory "+
			"(about 1 KiB a node)", L, nodes, Limits.GraphNodes)
	}
	G := float64(recurrent.Kind(c.Kind).Gates())
	if c.Kind.Parallel() {
		G = 3 // at most 3 projections (minLSTM), each smaller than a classic gate block: a bound
	}
	h := float64(H)
	n := float64(O)*h + float64(O) + G*h*(float64(D)+h+2) + float64(L-1)*G*h*(2*h+2)
	if n > float64(limit) {
		return fmt.Errorf("train: model has about %.0f parameters (hidden %d, input %d, output %d, %d layers of %s), "+
			"over the limit of %d (train.Limits.Params): make it smaller, or raise train.Limits.Params if this machine has "+
			"the memory", n, H, D, O, L, c.Kind, limit)
	}
	return c.checkWork(1, 1)
}
