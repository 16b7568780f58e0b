package tasks

import (
	"math"
	"testing"

	"github.com/rnn-course/bottleneck/internal/recovered"

	"github.com/stretchr/testify/require"
)

// catch is recovered.Call: a bad input that panics fails its case, not the test binary.
var catch = recovered.Call

// batcher is what Adding, Recall and NoisySine have in common.
type batcher interface {
	BatchAt(step, batchSize int) (x, y []float32, err error)
}

// Bad inputs of the tasks (issue 27, items 10 and 19): each gets an error that says what was
// wrong and what was expected, never a panic, never values that are not finite.
func TestBadInputs(t *testing.T) {
	// batch makes a task and asks for one batch; a batch without error must be finite.
	batch := func(newTask func() (batcher, error), step, batchSize int) func() error {
		return func() error {
			task, err := newTask()
			if err != nil {
				return err
			}
			x, y, err := task.BatchAt(step, batchSize)
			if err != nil {
				return err
			}
			for _, v := range append(x, y...) {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Errorf("batch has the non-finite value %v and no error", v)
					break
				}
			}
			return nil
		}
	}
	adding := func(T int) func() (batcher, error) { return func() (batcher, error) { return NewAdding(T, 1) } }
	recall := func(T int) func() (batcher, error) { return func() (batcher, error) { return NewRecall(T, 1) } }
	sine := func(T int, noise float64) func() (batcher, error) {
		return func() (batcher, error) { return NewNoisySine(T, noise, 1) }
	}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"adding T=2^62", batch(adding(1<<62), 0, 1), "sequence length is 4611686018427387904, want 2 to 1073741823"},
		{"adding T=MaxInt", batch(adding(math.MaxInt), 0, 1), "want 2 to 1073741823"},
		{"adding T over one batch", batch(adding(1<<30), 0, 1), "want 2 to 1073741823"},
		{"adding fields set by hand", func() error {
			a := &Adding{SeqLen: 1 << 62}
			_, _, err := a.BatchAt(0, 1)
			return err
		}, "want 2 to 1073741823"},
		{"recall T=2^62", batch(recall(1<<62), 0, 1), "sequence length is 4611686018427387904, want 2 to 1073741823"},
		{"recall fields set by hand", func() error {
			r := &Recall{SeqLen: math.MaxInt}
			_, _, err := r.BatchAt(0, 1)
			return err
		}, "want 2 to 1073741823"},
		{"sine T=MaxInt", batch(sine(math.MaxInt, 0.1), 0, 1), "sequence length is 9223372036854775807, want 1 to 2147483646"},
		{"sine noise 1e300", batch(sine(10, 1e300), 0, 4), "noise standard deviation is 1e+300, want a finite value in [0, 1e+06]"},
		{"sine noise just over the limit", batch(sine(10, MaxNoise*1.5), 0, 4), "want a finite value in [0, 1e+06]"},
		{"sine noise set by hand", func() error {
			s, err := NewNoisySine(10, 0.1, 1)
			if err != nil {
				return err
			}
			s.Noise = 1e300
			_, _, err = s.BatchAt(0, 4)
			return err
		}, "noise standard deviation is 1e+300"},
		{"adding batch too large", batch(adding(1<<29), 0, 4), "too large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := catch(c.run)
			require.Error(t, err, "want an error containing %q", c.want)
			require.NotContains(t, err.Error(), "panic")
			require.ErrorContains(t, err, c.want)
		})
	}
}

// The limits themselves are accepted (the largest noise gives finite values).
func TestLimitsAccepted(t *testing.T) {
	s, err := NewNoisySine(50, MaxNoise, 3)
	require.NoError(t, err)
	x, y, err := s.BatchAt(0, 64)
	require.NoError(t, err)
	for _, v := range append(x, y...) {
		require.False(t, math.IsInf(float64(v), 0) || math.IsNaN(float64(v)), "value %v", v)
	}
	_, err = NewAdding(MaxBatchValues/2, 0)
	require.NoError(t, err)
	_, err = NewRecall(MaxBatchValues/2, 0)
	require.NoError(t, err)
	_, err = NewNoisySine(MaxBatchValues-1, 0, 0)
	require.NoError(t, err)
}
