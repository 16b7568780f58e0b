package tasks

import (
	"fmt"
	"math"
)

// Default period range of NoisySine, in time steps.
const (
	DefaultMinPeriod = 8.0
	DefaultMaxPeriod = 64.0
)

// MaxNoise is the largest noise standard deviation NoisySine accepts: 1e6. Beyond it the unit
// sine is lost in float32 rounding of the samples (float32 resolves about 1 part in 1.7e7), so
// the task would be noise alone; far beyond it the samples are not even finite in float32
// (3.4e38 at most).
const MaxNoise = 1e6

// NoisySine is next-value prediction on noisy sine waves. Sequence b of a
// batch samples
//
//	s_t = sin(2π f t + φ) + Noise·ε_t,   t = 0, 1, ..., SeqLen
//
// with its own frequency f (cycles per step) drawn uniformly from
// [1/MaxPeriod, 1/MinPeriod], phase φ uniform in [0, 2π) and ε_t independent
// standard normal noise. The input is s_0..s_{T-1} and the target at each step
// is the next sample s_1..s_T, noise included.
//
// Reference points for the MSE: predicting 0 costs 0.5 + Noise² (the power of
// a unit sine plus the noise); a model that has inferred the clean wave from
// the past costs about Noise² (IrreducibleMSE), since the next noise sample
// cannot be predicted. The first steps of a sequence are harder: the model has
// not yet seen enough of the wave to know its frequency and phase.
type NoisySine struct {
	// SeqLen is the number of time steps T of every sequence, at least 1 and at most
	// MaxBatchValues - 1.
	SeqLen int
	// Noise is the standard deviation of the Gaussian noise added to every
	// sample, 0 to MaxNoise.
	Noise float64
	// MinPeriod and MaxPeriod bound the period 1/f, in steps:
	// 2 <= MinPeriod <= MaxPeriod (a period under 2 steps aliases).
	// NewNoisySine sets DefaultMinPeriod and DefaultMaxPeriod.
	MinPeriod, MaxPeriod float64
	// Seed selects the data; the batch of each step is a function of
	// (Seed, step, batch size and the fields above).
	Seed uint64

	step int // next step of Batch
}

// NewNoisySine returns the task with sequences of seqLen >= 1 steps, noise
// standard deviation 0 <= noise <= MaxNoise, and periods between DefaultMinPeriod and
// DefaultMaxPeriod steps (change MinPeriod and MaxPeriod to taste).
func NewNoisySine(seqLen int, noise float64, seed uint64) (*NoisySine, error) {
	s := &NoisySine{SeqLen: seqLen, Noise: noise, MinPeriod: DefaultMinPeriod, MaxPeriod: DefaultMaxPeriod, Seed: seed}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *NoisySine) check() error {
	if s.SeqLen < 1 {
		return fmt.Errorf("tasks: noisy sine: sequence length is %d, want >= 1", s.SeqLen)
	}
	if err := checkSeqLen("noisy sine", s.SeqLen, 1, 1, 1); err != nil {
		return err
	}
	if !(s.Noise >= 0) || math.IsInf(s.Noise, 0) {
		return fmt.Errorf("tasks: noisy sine: noise standard deviation is %v, want a finite value >= 0", s.Noise)
	}
	if s.Noise > MaxNoise {
		return fmt.Errorf("tasks: noisy sine: noise standard deviation is %v, want a finite value in [0, %g] (MaxNoise: "+
			"beyond it float32 samples lose the unit sine, and overflow to ±Inf far beyond)", s.Noise, float64(MaxNoise))
	}
	if !(s.MinPeriod >= 2 && s.MinPeriod <= s.MaxPeriod) || math.IsInf(s.MaxPeriod, 0) {
		return fmt.Errorf("tasks: noisy sine: period range is [%v, %v], want 2 <= MinPeriod <= MaxPeriod < +Inf", s.MinPeriod, s.MaxPeriod)
	}
	return nil
}

// IrreducibleMSE returns Noise², the MSE of a predictor that knows the clean
// wave: the floor no model can beat on average.
func (s *NoisySine) IrreducibleMSE() float64 { return s.Noise * s.Noise }

// BatchAt returns the batch of the given training step:
//
//	x: [batchSize, SeqLen, 1] — s_0 .. s_{T-1} of each sequence
//	y: [batchSize, SeqLen, 1] — s_1 .. s_T, so y[b,t] = x[b,t+1] for t < T-1
//
// The result depends only on (Seed, step, batchSize) and the task's fields.
func (s *NoisySine) BatchAt(step, batchSize int) (x, y []float32, err error) {
	if err := s.check(); err != nil {
		return nil, nil, err
	}
	T := s.SeqLen
	if err := checkBatch("noisy sine", step, batchSize, T+1); err != nil {
		return nil, nil, err
	}
	rng := stepRNG(s.Seed, streamNoisySine, step)
	x = make([]float32, batchSize*T) // [B, T, 1]
	y = make([]float32, batchSize*T) // [B, T, 1]
	fLo, fHi := 1/s.MaxPeriod, 1/s.MinPeriod
	for b := range batchSize {
		f := fLo + (fHi-fLo)*rng.Float64()
		phase := 2 * math.Pi * rng.Float64()
		for t := 0; t <= T; t++ {
			v := float32(math.Sin(2*math.Pi*f*float64(t)+phase) + s.Noise*rng.NormFloat64())
			if t < T {
				x[b*T+t] = v
			}
			if t > 0 {
				y[b*T+t-1] = v
			}
		}
	}
	return x, y, nil
}

// Batch returns BatchAt(Step(), batchSize) and advances the step counter.
func (s *NoisySine) Batch(batchSize int) (x, y []float32, err error) {
	x, y, err = s.BatchAt(s.step, batchSize)
	if err == nil {
		s.step++
	}
	return x, y, err
}

// Step returns the step whose batch Batch returns next (0 for a new task).
func (s *NoisySine) Step() int { return s.step }

// SetStep sets the step whose batch Batch returns next, e.g. the step stored
// in a checkpoint when resuming.
func (s *NoisySine) SetStep(step int) { s.step = step }
