package tasks

import "fmt"

// AddingBaselineMSE is the mean squared error of the best input-blind
// predictor on the adding problem: always answering 1, the mean of the
// target. The target is the sum of two independent U(0,1) values, so this MSE
// is its variance, 2 * 1/12 = 1/6 ≈ 0.1667. (Le et al. 2015 quote 0.1767 for
// their baseline; for the data generated here the exact value is 1/6, which
// the tests check empirically.) A model has learnt something only when its
// MSE falls clearly below this line.
const AddingBaselineMSE = 1.0 / 6

// AddingOneMarkerMSE is the mean squared error of the best predictor that uses
// only the second marked value v2 (the one in the last half, which needs no
// long memory): answering v2 + 1/2 leaves the first value's deviation from its
// mean, whose variance is 1/12 ≈ 0.0833. A model below this line has carried
// the first marked value across the sequence; between 1/12 and 1/6 it may only
// have learnt to read the second.
const AddingOneMarkerMSE = 1.0 / 12

// Adding is the adding problem: each sequence has SeqLen steps of two
// features, a value drawn from U(0,1) and a marker that is 1 at exactly two
// steps (one in the first half, one in the second half) and 0 elsewhere. The
// target is the sum of the two marked values. To solve it a network must find
// the first marked value and carry it across up to SeqLen-1 steps, which makes
// the task a standard probe of long-range memory: vanilla RNNs stall at the
// baseline (AddingBaselineMSE) once SeqLen reaches a few hundred, LSTMs get
// further.
//
// References: S. Hochreiter and J. Schmidhuber, "Long Short-Term Memory",
// Neural Computation 9(8), 1997 (experiment 4); Q. V. Le, N. Jaitly and
// G. E. Hinton, "A Simple Way to Initialize Recurrent Networks of Rectified
// Linear Units", arXiv:1504.00941, 2015 (the variant used here).
type Adding struct {
	// SeqLen is the number of time steps T of every sequence, at least 2 and at most
	// MaxBatchValues/2.
	SeqLen int
	// Seed selects the data; the batch of each step is a function of
	// (Seed, step, batch size, SeqLen).
	Seed uint64

	step int // next step of Batch
}

// NewAdding returns the adding problem with sequences of seqLen >= 2 steps (at most
// MaxBatchValues/2).
func NewAdding(seqLen int, seed uint64) (*Adding, error) {
	a := &Adding{SeqLen: seqLen, Seed: seed}
	if err := a.check(); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *Adding) check() error {
	if a.SeqLen < 2 {
		return fmt.Errorf("tasks: adding problem: sequence length is %d, want >= 2 (one marker in each half)", a.SeqLen)
	}
	return checkSeqLen("adding problem", a.SeqLen, 2, 2, 0)
}

// BatchAt returns the batch of the given training step:
//
//	x: [batchSize, SeqLen, 2] — x[(b*T+t)*2+0] is the value in [0, 1),
//	   x[(b*T+t)*2+1] the marker, 0 or 1
//	y: [batchSize] — the sum of the two marked values
//
// The first marker is at a step drawn uniformly from [0, T/2), the second
// from [T/2, T) (integer division). The result depends only on (Seed, step,
// batchSize, SeqLen).
func (a *Adding) BatchAt(step, batchSize int) (x, y []float32, err error) {
	if err := a.check(); err != nil {
		return nil, nil, err
	}
	T := a.SeqLen
	if err := checkBatch("adding problem", step, batchSize, 2*T); err != nil {
		return nil, nil, err
	}
	rng := stepRNG(a.Seed, streamAdding, step)
	x = make([]float32, batchSize*T*2) // [B, T, 2]
	y = make([]float32, batchSize)     // [B]
	half := T / 2
	for b := range batchSize {
		seq := x[b*T*2 : (b+1)*T*2]
		for t := range T {
			seq[2*t] = rng.Float32()
		}
		i := rng.IntN(half)
		j := half + rng.IntN(T-half)
		seq[2*i+1] = 1
		seq[2*j+1] = 1
		y[b] = seq[2*i] + seq[2*j]
	}
	return x, y, nil
}

// Batch returns BatchAt(Step(), batchSize) and advances the step counter.
func (a *Adding) Batch(batchSize int) (x, y []float32, err error) {
	x, y, err = a.BatchAt(a.step, batchSize)
	if err == nil {
		a.step++
	}
	return x, y, err
}

// Step returns the step whose batch Batch returns next (0 for a new task).
func (a *Adding) Step() int { return a.step }

// SetStep sets the step whose batch Batch returns next, e.g. the step stored
// in a checkpoint when resuming.
func (a *Adding) SetStep(step int) { a.step = step }
