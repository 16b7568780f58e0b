package tasks

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// CharText is a character-level language-modelling dataset: a text encoded as
// one token id per rune, split by position into a training part (the first
// 1-valFraction of the runes) and a validation part (the rest). Training
// windows are drawn at random positions of the training part; validation
// windows tile the validation part in order. No window crosses the split, so
// validation never sees text the model was trained on (beyond the style of
// the book: the split is by position, not a shuffle).
//
// The vocabulary is the sorted set of distinct runes of the whole text, so the
// ids of a given text are the same in every run.
type CharText struct {
	vocab      []rune         // id -> rune, sorted
	ids        map[rune]int32 // rune -> id
	train, val []int32
	seed       uint64
	step       int // next step of TrainBatch
}

// NewCharText builds the dataset from UTF-8 text, holding out the last
// valFraction of it (0 < valFraction < 1, rounded to whole runes) for
// validation. It fails on empty text, invalid UTF-8 (reporting the byte offset
// of the first invalid byte), a text of fewer than 2 distinct runes (nothing
// to predict), and a split leaving either part with fewer than 2 runes (one
// input and its target).
func NewCharText(text []byte, valFraction float64, seed uint64) (*CharText, error) {
	if len(text) == 0 {
		return nil, fmt.Errorf("tasks: char text: text is empty, want at least 4 runes of UTF-8")
	}
	if !(valFraction > 0 && valFraction < 1) {
		return nil, fmt.Errorf("tasks: char text: validation fraction is %v, want a value in (0, 1)", valFraction)
	}
	n := 0
	seen := map[rune]bool{}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && size <= 1 {
			return nil, fmt.Errorf("tasks: char text: invalid UTF-8 at byte offset %d (byte %#02x), want UTF-8 text", i, text[i])
		}
		seen[r] = true
		i += size
		n++
	}
	if len(seen) < 2 {
		return nil, fmt.Errorf("tasks: char text: text has %d distinct rune(s), want at least 2 (with one there is nothing to predict)", len(seen))
	}
	nVal := int(math.Round(valFraction * float64(n)))
	if nVal < 2 || n-nVal < 2 {
		return nil, fmt.Errorf("tasks: char text: splitting %d runes with validation fraction %v gives %d for training and %d for validation, want at least 2 in each", n, valFraction, n-nVal, nVal)
	}
	c := &CharText{ids: make(map[rune]int32, len(seen)), seed: seed}
	for r := range seen {
		c.vocab = append(c.vocab, r)
	}
	slices.Sort(c.vocab)
	for i, r := range c.vocab {
		c.ids[r] = int32(i)
	}
	all := make([]int32, 0, n)
	for _, r := range string(text) {
		all = append(all, c.ids[r])
	}
	c.train, c.val = all[:n-nVal:n-nVal], all[n-nVal:]
	return c, nil
}

// VocabSize returns the number of distinct runes, V; ids are in [0, V).
func (c *CharText) VocabSize() int { return len(c.vocab) }

// Vocab returns the runes of the vocabulary, indexed by id (sorted).
func (c *CharText) Vocab() []rune { return slices.Clone(c.vocab) }

// TrainLen returns the number of runes in the training part.
func (c *CharText) TrainLen() int { return len(c.train) }

// ValLen returns the number of runes in the validation part.
func (c *CharText) ValLen() int { return len(c.val) }

// UniformPerplexity returns the perplexity of a model that gives every rune
// of the vocabulary the same probability: VocabSize. Any trained model should
// beat it.
func (c *CharText) UniformPerplexity() float64 { return float64(len(c.vocab)) }

// Encode returns the ids of the runes of s, or an error naming the first rune
// that is not in the vocabulary, or the first invalid UTF-8 byte.
func (c *CharText) Encode(s string) ([]int32, error) {
	out := make([]int32, 0, len(s))
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return nil, fmt.Errorf("tasks: char text: encode: invalid UTF-8 at byte offset %d", i)
			}
		}
		id, ok := c.ids[r]
		if !ok {
			return nil, fmt.Errorf("tasks: char text: encode: rune %q at byte offset %d is not in the vocabulary of %d runes", r, i, len(c.vocab))
		}
		out = append(out, id)
	}
	return out, nil
}

// Decode returns the text of ids. Ids outside [0, VocabSize) decode as the
// replacement character U+FFFD, so that samples from a broken model still
// print.
func (c *CharText) Decode(ids []int32) string {
	var b strings.Builder
	for _, id := range ids {
		if id >= 0 && int(id) < len(c.vocab) {
			b.WriteRune(c.vocab[id])
		} else {
			b.WriteRune(utf8.RuneError)
		}
	}
	return b.String()
}

func checkWindows(part string, have, seqLen int) error {
	if seqLen <= 0 {
		return fmt.Errorf("tasks: char text: sequence length is %d, want > 0", seqLen)
	}
	if have-1 < seqLen {
		return fmt.Errorf("tasks: char text: %s part has %d runes, too short for sequence length %d: want at least %d (inputs plus one target)", part, have, seqLen, seqLen+1)
	}
	return nil
}

// TrainBatchAt returns the training batch of the given step: batchSize
// windows at independent uniformly random positions of the training part.
//
//	x: [batchSize, seqLen] — x[b*seqLen+t] is the id at position p_b+t
//	y: [batchSize, seqLen] — the next ids: y[b,t] = id at p_b+t+1
//
// The result depends only on (seed, step, batchSize, seqLen).
func (c *CharText) TrainBatchAt(step, batchSize, seqLen int) (x, y []int32, err error) {
	if err := checkWindows("training", len(c.train), seqLen); err != nil {
		return nil, nil, err
	}
	if err := checkBatch("char text", step, batchSize, seqLen); err != nil {
		return nil, nil, err
	}
	rng := stepRNG(c.seed, streamCharText, step)
	x = make([]int32, batchSize*seqLen) // [B, T]
	y = make([]int32, batchSize*seqLen) // [B, T]
	positions := len(c.train) - seqLen  // valid starts: [0, positions)
	for b := range batchSize {
		p := rng.IntN(positions)
		copy(x[b*seqLen:(b+1)*seqLen], c.train[p:p+seqLen])
		copy(y[b*seqLen:(b+1)*seqLen], c.train[p+1:p+seqLen+1])
	}
	return x, y, nil
}

// TrainBatch returns TrainBatchAt(Step(), batchSize, seqLen) and advances the
// step counter.
func (c *CharText) TrainBatch(batchSize, seqLen int) (x, y []int32, err error) {
	x, y, err = c.TrainBatchAt(c.step, batchSize, seqLen)
	if err == nil {
		c.step++
	}
	return x, y, err
}

// Step returns the step whose batch TrainBatch returns next (0 at first).
func (c *CharText) Step() int { return c.step }

// SetStep sets the step whose batch TrainBatch returns next, e.g. the step
// stored in a checkpoint when resuming.
func (c *CharText) SetStep(step int) { c.step = step }

// TokenBatch is a batch of windows of token ids.
type TokenBatch struct {
	X []int32 // [BatchSize, SeqLen] input ids, row-major
	Y []int32 // [BatchSize, SeqLen] target ids: the ids one position later
	// BatchSize is the number of windows; the last batch of ValBatches may
	// have fewer than asked for.
	BatchSize int
	SeqLen    int
}

// ValBatches returns the whole validation part as non-overlapping windows of
// seqLen inputs, in order, grouped into batches of batchSize windows (the last
// batch may be smaller). Window k has inputs at validation positions
// [k*seqLen, (k+1)*seqLen) and targets one position later, so the windows'
// targets cover positions 1 .. W*seqLen exactly once, where
// W = (ValLen()-1)/seqLen; the fewer than seqLen positions left at the end are
// not scored. The result is the same on every call.
func (c *CharText) ValBatches(batchSize, seqLen int) ([]TokenBatch, error) {
	if err := checkWindows("validation", len(c.val), seqLen); err != nil {
		return nil, err
	}
	if batchSize <= 0 {
		return nil, fmt.Errorf("tasks: char text: batch size is %d, want > 0", batchSize)
	}
	windows := (len(c.val) - 1) / seqLen
	var out []TokenBatch
	for first := 0; first < windows; first += batchSize {
		nb := min(batchSize, windows-first)
		tb := TokenBatch{X: make([]int32, nb*seqLen), Y: make([]int32, nb*seqLen), BatchSize: nb, SeqLen: seqLen}
		for b := range nb {
			p := (first + b) * seqLen
			copy(tb.X[b*seqLen:(b+1)*seqLen], c.val[p:p+seqLen])
			copy(tb.Y[b*seqLen:(b+1)*seqLen], c.val[p+1:p+seqLen+1])
		}
		out = append(out, tb)
	}
	return out, nil
}
