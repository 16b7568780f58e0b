// Package tasks provides the datasets that the course trains recurrent
// networks on, in plain Go slices ready to be copied into tensors:
//
//   - Adding: the adding problem (Hochreiter & Schmidhuber 1997, in the form
//     of Le, Jaitly & Hinton 2015), a test of long-range memory: the target
//     depends on two inputs that may be a whole sequence apart.
//   - NoisySine: next-value prediction of noisy sine waves of random phase and
//     frequency, a first regression task.
//   - CharText: character-level language modelling on a text (LoadBook gives
//     the course's text, Newton's Opticks), measured in perplexity.
//
// # Determinism and resuming
//
// Every batch is a pure function of (seed, step, sizes): BatchAt(step, ...)
// and TrainBatchAt(step, ...) draw from a random generator seeded with the
// task's seed and the step number (math/rand/v2's PCG), so the batch for step
// n is the same in every run, on every machine, whatever happened before. A
// training run resumed from a checkpoint at step n reproduces the data order
// of an uninterrupted run by asking for step n next: store the step, nothing
// else. The stateful conveniences Batch and TrainBatch just call the *At
// methods with an internal step counter (Step, SetStep) and are not safe for
// concurrent use; the *At methods are.
//
// # Layout
//
// Batches are flat row-major slices: x of an Adding batch is [batch, time, 2]
// with element (b, t, f) at x[(b*T+t)*2+f]. Shapes are given in the comments of
// each method.
package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnn-course/bottleneck/data"
)

// Stream constants keep the random streams of different tasks apart, so that
// the same seed does not give correlated data across tasks.
const (
	streamAdding    = 0x616464696e67 // "adding"
	streamNoisySine = 0x73696e65     // "sine"
	streamCharText  = 0x63686172     // "char"
)

// splitmix64 is a bijective 64-bit mixer (Steele, Lea & Flood 2014), used to
// turn (stream, step) into well-separated PCG seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// stepRNG returns the generator for one step of one task: a PCG seeded with
// (seed, a mix of stream and step).
func stepRNG(seed, stream uint64, step int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, splitmix64(stream^splitmix64(uint64(step)))))
}

// MaxBatchValues is the most values (x and y each) that one batch may hold: 2^31 - 1. It bounds
// the sequence lengths too, since one sequence must fit in a batch: an Adding or Recall sequence
// has 2 values per step (T <= 1073741823), a NoisySine sequence T + 1 samples
// (T <= 2147483646).
const MaxBatchValues = math.MaxInt32

// checkSeqLen validates a sequence length: at least minLen, and one sequence of perStep values
// per step plus extra values within MaxBatchValues (so no size computation overflows int).
func checkSeqLen(task string, seqLen, minLen, perStep, extra int) error {
	maxLen := (MaxBatchValues - extra) / perStep
	if seqLen < minLen || seqLen > maxLen {
		return fmt.Errorf("tasks: %s: sequence length is %d, want %d to %d (a batch holds at most %d values)",
			task, seqLen, minLen, maxLen, MaxBatchValues)
	}
	return nil
}

// checkBatch validates a step and batch size and that batchSize*perItem
// elements can be allocated without overflowing int. perItem must be > 0 (the
// caller checked its sequence length).
func checkBatch(task string, step, batchSize, perItem int) error {
	if step < 0 {
		return fmt.Errorf("tasks: %s: step is %d, want >= 0", task, step)
	}
	if batchSize <= 0 {
		return fmt.Errorf("tasks: %s: batch size is %d, want > 0", task, batchSize)
	}
	if perItem <= 0 || batchSize > MaxBatchValues/perItem {
		return fmt.Errorf("tasks: %s: batch of %d sequences of %d values is too large, want at most %d values", task, batchSize, perItem, MaxBatchValues)
	}
	return nil
}

// LoadBook returns the course's text, Newton's Opticks (public domain; see
// package data for where it comes from): 567,198 bytes of UTF-8 with 91
// distinct characters. The slice is a fresh copy the caller may modify.
func LoadBook() []byte {
	return append([]byte(nil), data.Opticks...)
}

// Perplexity converts a mean negative log-likelihood per token, in nats
// (natural logarithm, as softmax cross-entropy losses report it), into a
// perplexity: exp(meanNLL). A model that spreads probability uniformly over V
// tokens has meanNLL = ln V and perplexity V; a perfect model has 1.
func Perplexity(meanNLL float64) float64 {
	return math.Exp(meanNLL)
}
