package tasks

import (
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestAdding(t *testing.T) {
	for _, T := range []int{2, 3, 10, 101} {
		a, err := NewAdding(T, 7)
		require.NoError(t, err)
		const B = 64
		x, y, err := a.BatchAt(3, B)
		require.NoError(t, err)
		require.Len(t, x, B*T*2)
		require.Len(t, y, B)
		for b := range B {
			var marked []int
			for tt := range T {
				v, m := x[(b*T+tt)*2], x[(b*T+tt)*2+1]
				require.True(t, v >= 0 && v < 1, "value %v", v)
				require.True(t, m == 0 || m == 1, "marker %v", m)
				if m == 1 {
					marked = append(marked, tt)
				}
			}
			require.Len(t, marked, 2, "T=%d sequence %d", T, b)
			require.Less(t, marked[0], T/2, "first marker in the first half")
			require.GreaterOrEqual(t, marked[1], T/2, "second marker in the second half")
			require.Equal(t, x[(b*T+marked[0])*2]+x[(b*T+marked[1])*2], y[b])
		}
	}
}

func TestAddingBaseline(t *testing.T) {
	a, err := NewAdding(20, 1)
	require.NoError(t, err)
	_, y, err := a.BatchAt(0, 200_000)
	require.NoError(t, err)
	var mse, mean float64
	for _, v := range y {
		mse += (float64(v) - 1) * (float64(v) - 1)
		mean += float64(v)
	}
	mse /= float64(len(y))
	mean /= float64(len(y))
	// Standard error of the MSE estimate is about 0.0004.
	require.InDelta(t, AddingBaselineMSE, mse, 0.002)
	require.InDelta(t, 1, mean, 0.005)
	require.InDelta(t, 0.16667, AddingBaselineMSE, 1e-5)
}

// The best one-marker predictor, v2 + 1/2 with v2 the marked value of the second half, has MSE
// 1/12 on generated data.
func TestAddingOneMarkerBaseline(t *testing.T) {
	const T, B = 20, 200_000
	a, err := NewAdding(T, 2)
	require.NoError(t, err)
	x, y, err := a.BatchAt(0, B)
	require.NoError(t, err)
	var mse float64
	for b := range B {
		for t := T / 2; t < T; t++ {
			if x[(b*T+t)*2+1] == 1 {
				d := float64(y[b]) - (float64(x[(b*T+t)*2]) + 0.5)
				mse += d * d
			}
		}
	}
	mse /= B
	require.InDelta(t, AddingOneMarkerMSE, mse, 0.001) // standard error about 0.0002
}

func TestAddingDeterminism(t *testing.T) {
	a, _ := NewAdding(50, 1)
	b, _ := NewAdding(50, 1)
	c, _ := NewAdding(50, 2)
	xa, ya, _ := a.BatchAt(5, 8)
	xb, yb, _ := b.BatchAt(5, 8)
	xc, _, _ := c.BatchAt(5, 8)
	xd, _, _ := a.BatchAt(6, 8)
	require.Equal(t, xa, xb)
	require.Equal(t, ya, yb)
	require.NotEqual(t, xa, xc, "another seed gives other data")
	require.NotEqual(t, xa, xd, "another step gives other data")

	// Batch walks the steps; SetStep resumes.
	for i := range 7 {
		x, _, err := b.Batch(8)
		require.NoError(t, err)
		if i == 5 {
			require.Equal(t, xa, x)
		}
	}
	require.Equal(t, 7, b.Step())
	b.SetStep(5)
	x, _, _ := b.Batch(8)
	require.Equal(t, xa, x)
}

func TestAddingErrors(t *testing.T) {
	_, err := NewAdding(1, 0)
	require.EqualError(t, err, "tasks: adding problem: sequence length is 1, want >= 2 (one marker in each half)")
	a, _ := NewAdding(10, 0)
	_, _, err = a.BatchAt(0, 0)
	require.EqualError(t, err, "tasks: adding problem: batch size is 0, want > 0")
	_, _, err = a.Batch(-3)
	require.EqualError(t, err, "tasks: adding problem: batch size is -3, want > 0")
	require.Equal(t, 0, a.Step(), "a failed Batch does not advance")
	_, _, err = a.BatchAt(-1, 2)
	require.EqualError(t, err, "tasks: adding problem: step is -1, want >= 0")
	_, _, err = a.BatchAt(0, math.MaxInt)
	require.ErrorContains(t, err, "too large")
}

func TestNoisySine(t *testing.T) {
	s, err := NewNoisySine(100, 0, 3)
	require.NoError(t, err)
	const B = 16
	x, y, err := s.BatchAt(0, B)
	require.NoError(t, err)
	require.Len(t, x, B*100)
	require.Len(t, y, B*100)
	for b := range B {
		for tt := range 99 {
			require.Equal(t, x[b*100+tt+1], y[b*100+tt], "y is x shifted by one")
		}
		for _, v := range x[b*100 : (b+1)*100] {
			require.LessOrEqual(t, math.Abs(float64(v)), 1.0)
		}
	}
	// Without noise, the waves are exact sines with a period in range: the
	// second difference satisfies s_{t+1} + s_{t-1} = 2 cos(2πf) s_t.
	for b := range B {
		seq := x[b*100 : (b+1)*100]
		k := -1
		for tt := 1; tt < 99; tt++ {
			if math.Abs(float64(seq[tt])) > 0.5 {
				k = tt
				break
			}
		}
		require.Positive(t, k)
		cos := float64(seq[k+1]+seq[k-1]) / (2 * float64(seq[k]))
		f := math.Acos(cos) / (2 * math.Pi)
		require.True(t, f >= 1/DefaultMaxPeriod-1e-4 && f <= 1/DefaultMinPeriod+1e-4, "frequency %v", f)
	}

	// With noise, the residual to the clean wave has the right variance:
	// check the MSE of predicting y from the noiseless wave of the same seed.
	noisy, err := NewNoisySine(100, 0.1, 3)
	require.NoError(t, err)
	require.InDelta(t, 0.01, noisy.IrreducibleMSE(), 1e-12)
	nx, ny, err := noisy.BatchAt(0, B)
	require.NoError(t, err)
	for b := range B {
		for tt := range 99 {
			require.Equal(t, nx[b*100+tt+1], ny[b*100+tt])
		}
	}
	var mse float64
	for i := range ny {
		d := float64(ny[i]) - float64(y[i])
		mse += d * d
	}
	mse /= float64(len(ny))
	require.InDelta(t, 0.01, mse, 0.002, "noise variance")
}

func TestNoisySineDeterminismAndErrors(t *testing.T) {
	a, _ := NewNoisySine(30, 0.2, 1)
	b, _ := NewNoisySine(30, 0.2, 1)
	c, _ := NewNoisySine(30, 0.2, 2)
	xa, _, _ := a.BatchAt(9, 4)
	xb, _, _ := b.BatchAt(9, 4)
	xc, _, _ := c.BatchAt(9, 4)
	require.Equal(t, xa, xb)
	require.NotEqual(t, xa, xc)
	b.SetStep(9)
	x, _, err := b.Batch(4)
	require.NoError(t, err)
	require.Equal(t, xa, x)
	require.Equal(t, 10, b.Step())

	_, err = NewNoisySine(0, 0.1, 1)
	require.EqualError(t, err, "tasks: noisy sine: sequence length is 0, want >= 1")
	_, err = NewNoisySine(10, -1, 1)
	require.EqualError(t, err, "tasks: noisy sine: noise standard deviation is -1, want a finite value >= 0")
	_, err = NewNoisySine(10, math.NaN(), 1)
	require.ErrorContains(t, err, "noise standard deviation is NaN")
	a.MinPeriod = 1
	_, _, err = a.BatchAt(0, 1)
	require.EqualError(t, err, "tasks: noisy sine: period range is [1, 64], want 2 <= MinPeriod <= MaxPeriod < +Inf")
	a.MinPeriod = 8
	_, _, err = a.BatchAt(0, 0)
	require.EqualError(t, err, "tasks: noisy sine: batch size is 0, want > 0")
}

func TestCharTextRoundTrip(t *testing.T) {
	text := "hello, wörld! ∑ 日本"
	c, err := NewCharText([]byte(strings.Repeat(text, 3)), 0.3, 1)
	require.NoError(t, err)
	vocab := c.Vocab()
	require.True(t, slices.IsSorted(vocab))
	require.Equal(t, 3*utf8.RuneCountInString(text), c.TrainLen()+c.ValLen())
	distinct := map[rune]bool{}
	for _, r := range text {
		distinct[r] = true
	}
	require.Equal(t, len(distinct), c.VocabSize())
	ids, err := c.Encode(text)
	require.NoError(t, err)
	require.Len(t, ids, utf8.RuneCountInString(text))
	require.Equal(t, text, c.Decode(ids))
	for _, id := range ids {
		require.True(t, id >= 0 && int(id) < c.VocabSize())
	}
	require.Equal(t, "h\uFFFD\uFFFD", c.Decode([]int32{ids[0], -1, int32(c.VocabSize())}))
	require.Equal(t, float64(c.VocabSize()), c.UniformPerplexity())

	// Deterministic ids: the same text gives the same vocabulary.
	c2, err := NewCharText([]byte(strings.Repeat(text, 3)), 0.3, 99)
	require.NoError(t, err)
	require.Equal(t, vocab, c2.Vocab())
}

func TestCharTextErrors(t *testing.T) {
	for _, tc := range []struct {
		text string
		frac float64
		want string
	}{
		{"", 0.1, "tasks: char text: text is empty, want at least 4 runes of UTF-8"},
		{"ab\xffcd", 0.5, "tasks: char text: invalid UTF-8 at byte offset 2 (byte 0xff), want UTF-8 text"},
		{"héllo\xe2\x82", 0.5, "invalid UTF-8 at byte offset 6 (byte 0xe2)"},
		{"aaaaaaaa", 0.5, "tasks: char text: text has 1 distinct rune(s), want at least 2 (with one there is nothing to predict)"},
		{"abababab", 0, "tasks: char text: validation fraction is 0, want a value in (0, 1)"},
		{"abababab", 1, "validation fraction is 1, want a value in (0, 1)"},
		{"abababab", math.NaN(), "validation fraction is NaN"},
		{"abababab", 0.1, "tasks: char text: splitting 8 runes with validation fraction 0.1 gives 7 for training and 1 for validation, want at least 2 in each"},
		{"abababab", 0.9, "gives 1 for training and 7 for validation"},
	} {
		_, err := NewCharText([]byte(tc.text), tc.frac, 1)
		require.ErrorContains(t, err, tc.want, "text %q", tc.text)
	}

	c, err := NewCharText([]byte("abcabcabcabc"), 0.25, 1) // 9 train, 3 val
	require.NoError(t, err)
	_, err = c.Encode("abz")
	require.EqualError(t, err, `tasks: char text: encode: rune 'z' at byte offset 2 is not in the vocabulary of 3 runes`)
	_, err = c.Encode("a\xff")
	require.EqualError(t, err, `tasks: char text: encode: invalid UTF-8 at byte offset 1`)

	_, _, err = c.TrainBatchAt(0, 2, 9)
	require.EqualError(t, err, "tasks: char text: training part has 9 runes, too short for sequence length 9: want at least 10 (inputs plus one target)")
	_, _, err = c.TrainBatchAt(0, 2, 0)
	require.EqualError(t, err, "tasks: char text: sequence length is 0, want > 0")
	_, _, err = c.TrainBatchAt(0, 0, 2)
	require.EqualError(t, err, "tasks: char text: batch size is 0, want > 0")
	_, _, err = c.TrainBatchAt(-2, 1, 2)
	require.EqualError(t, err, "tasks: char text: step is -2, want >= 0")
	_, _, err = c.TrainBatch(1, math.MaxInt)
	require.ErrorContains(t, err, "too short for sequence length")
	_, err = c.ValBatches(4, 3)
	require.EqualError(t, err, "tasks: char text: validation part has 3 runes, too short for sequence length 3: want at least 4 (inputs plus one target)")
	_, err = c.ValBatches(0, 2)
	require.EqualError(t, err, "tasks: char text: batch size is 0, want > 0")
}

func TestCharTextBatches(t *testing.T) {
	c, err := NewCharText(LoadBook(), 0.1, 42)
	require.NoError(t, err)
	require.Equal(t, 91, c.VocabSize())
	require.Equal(t, 567038, c.TrainLen()+c.ValLen())
	require.Equal(t, 56704, c.ValLen())

	const B, T = 8, 64
	x, y, err := c.TrainBatchAt(3, B, T)
	require.NoError(t, err)
	require.Len(t, x, B*T)
	require.Len(t, y, B*T)
	for b := range B {
		require.Equal(t, x[b*T+1:(b+1)*T], y[b*T:(b+1)*T-1], "y is x shifted by one")
	}
	x2, y2, _ := c.TrainBatchAt(3, B, T)
	require.Equal(t, x, x2)
	require.Equal(t, y, y2)
	x3, _, _ := c.TrainBatchAt(4, B, T)
	require.NotEqual(t, x, x3)
	other, _ := NewCharText(LoadBook(), 0.1, 43)
	x4, _, _ := other.TrainBatchAt(3, B, T)
	require.NotEqual(t, x, x4)

	c.SetStep(3)
	x5, _, err := c.TrainBatch(B, T)
	require.NoError(t, err)
	require.Equal(t, x, x5)
	require.Equal(t, 4, c.Step())

	vb, err := c.ValBatches(B, T)
	require.NoError(t, err)
	windows := (c.ValLen() - 1) / T
	require.Len(t, vb, (windows+B-1)/B)
	var xs, ys []int32
	for i, v := range vb {
		require.Equal(t, T, v.SeqLen)
		if i < len(vb)-1 {
			require.Equal(t, B, v.BatchSize)
		}
		require.Len(t, v.X, v.BatchSize*T)
		require.Len(t, v.Y, v.BatchSize*T)
		xs = append(xs, v.X...)
		ys = append(ys, v.Y...)
	}
	require.Equal(t, windows, len(xs)/T)
	// The windows tile the validation part in order, without overlap.
	require.Equal(t, c.val[:windows*T], xs)
	require.Equal(t, c.val[1:windows*T+1], ys)
	again, _ := c.ValBatches(B, T)
	require.Equal(t, vb, again)
}

// TestValidationNeverSeesTraining uses a text whose training part and
// validation part have disjoint alphabets.
func TestValidationNeverSeesTraining(t *testing.T) {
	text := strings.Repeat("abcd", 250) + strings.Repeat("WXYZ", 250) // 1000 + 1000
	c, err := NewCharText([]byte(text), 0.5, 5)
	require.NoError(t, err)
	lower := func(id int32) bool { return c.vocab[id] >= 'a' }
	for step := range 200 {
		x, y, err := c.TrainBatchAt(step, 16, 37)
		require.NoError(t, err)
		for i := range x {
			require.True(t, lower(x[i]) && lower(y[i]), "training window reaches into validation at step %d", step)
		}
	}
	vb, err := c.ValBatches(5, 37)
	require.NoError(t, err)
	for _, v := range vb {
		for i := range v.X {
			require.False(t, lower(v.X[i]) || lower(v.Y[i]), "validation window reaches into training")
		}
	}
}

func TestTrainWindowsCoverTheWholePart(t *testing.T) {
	c, err := NewCharText([]byte("abcdefghij"), 0.2, 1) // train "abcdefgh", val "ij"
	require.NoError(t, err)
	firsts := map[int32]bool{}
	for step := range 100 {
		x, y, err := c.TrainBatchAt(step, 4, 6) // starts 0 or 1
		require.NoError(t, err)
		for b := range 4 {
			firsts[x[b*6]] = true
			require.NotEqual(t, "i", c.Decode(y[b*6+5:b*6+6]))
		}
	}
	require.Len(t, firsts, 2)
	_, _, err = c.TrainBatchAt(0, 1, 7) // "abcdefg" -> "bcdefgh", the only window
	require.NoError(t, err)
}

func TestPerplexity(t *testing.T) {
	c, err := NewCharText(LoadBook(), 0.1, 1)
	require.NoError(t, err)
	// A uniform model assigns probability 1/V to every target: its mean
	// negative log-likelihood is ln V, and its perplexity is V.
	vb, err := c.ValBatches(32, 100)
	require.NoError(t, err)
	var nll float64
	var n int
	for _, v := range vb {
		for range v.Y {
			nll += -math.Log(1 / float64(c.VocabSize()))
			n++
		}
	}
	require.InDelta(t, c.UniformPerplexity(), Perplexity(nll/float64(n)), 1e-9)
	require.Equal(t, 1.0, Perplexity(0))
}

func TestLoadBook(t *testing.T) {
	b := LoadBook()
	require.Len(t, b, 567198)
	require.True(t, utf8.Valid(b))
	require.True(t, strings.HasPrefix(string(b), "Produced by Suzanne Lybarger"))
	require.Contains(t, string(b), "OPTICKS")
	b[0] = 'X'
	require.Equal(t, byte('P'), LoadBook()[0], "LoadBook returns a copy")
}
