package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gomlx/gomlx/core/tensors"
)

// Sample generates n tokens from a character model (loss xent) after feeding the prompt, one
// step at a time with the recurrent state carried along: each next token is drawn from
// softmax(logits / temperature); temperature 0 takes the most likely token. The same seed gives
// the same text.
func (t *Predictor) Sample(prompt []int32, n int, temperature float64, seed uint64) ([]int32, error) {
	mc := t.Model.Config
	if mc.Loss != CrossEntropy {
		return nil, fmt.Errorf("train: Sample needs a character model (loss xent), this one has loss %s", mc.Loss)
	}
	if len(prompt) == 0 {
		return nil, fmt.Errorf("train: Sample needs a prompt of at least one token")
	}
	if n < 0 {
		return nil, fmt.Errorf("train: Sample: the number of tokens to generate must be >= 0, got %d", n)
	}
	if temperature < 0 || math.IsNaN(temperature) {
		return nil, fmt.Errorf("train: temperature must be >= 0, got %v", temperature)
	}
	V := mc.OutputSize
	for _, id := range prompt {
		if id < 0 || int(id) >= V {
			return nil, fmt.Errorf("train: prompt token %d is outside the vocabulary [0, %d)", id, V)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x5a3))
	x := tensors.FromFlatDataAndDimensions(slices.Clone(prompt), 1, len(prompt))
	var h, c *tensors.Tensor
	out := make([]int32, 0, min(n, 1<<16))
	for len(out) < n {
		pred, hn, cn, err := t.Forward(x, h, c)
		if err != nil {
			return nil, err
		}
		h, c = hn, cn
		logits := lastLogits(pred, V) // [V]
		next := pick(logits, temperature, rng)
		out = append(out, next)
		x = tensors.FromFlatDataAndDimensions([]int32{next}, 1, 1)
	}
	return out, nil
}

// lastLogits returns the logits of the last step of pred [1, T, V] as float64.
func lastLogits(pred *tensors.Tensor, V int) []float64 {
	out := make([]float64, V)
	pred.MustConstFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32:
			for i, x := range v[len(v)-V:] {
				out[i] = float64(x)
			}
		case []float64:
			copy(out, v[len(v)-V:])
		}
	})
	return out
}

func pick(logits []float64, temperature float64, rng *rand.Rand) int32 {
	best := 0
	for i, l := range logits {
		if l > logits[best] {
			best = i
		}
	}
	if temperature == 0 {
		return int32(best)
	}
	probs := make([]float64, len(logits))
	sum := 0.0
	for i, l := range logits {
		probs[i] = math.Exp((l - logits[best]) / temperature)
		sum += probs[i]
	}
	u := rng.Float64() * sum
	for i, p := range probs {
		if u < p {
			return int32(i)
		}
		u -= p
	}
	return int32(len(probs) - 1)
}
