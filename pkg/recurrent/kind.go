package recurrent

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/gomlx/compute/dtypes"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// Kind names a recurrent cell, with PyTorch's spelling of the mode.
type Kind string

// The cells of this package.
const (
	RNNTanh Kind = "rnn_tanh" // Elman RNN with tanh, torch.nn.RNN(nonlinearity="tanh")
	RNNReLU Kind = "rnn_relu" // Elman RNN with ReLU, torch.nn.RNN(nonlinearity="relu")
	LSTM    Kind = "lstm"     // torch.nn.LSTM
	GRU     Kind = "gru"      // torch.nn.GRU
)

// Kinds lists every cell kind, in a fixed order.
var Kinds = []Kind{RNNTanh, RNNReLU, LSTM, GRU}

// ParseKind accepts "rnn_tanh", "rnn_relu", "lstm", "gru" (and "rnn" for "rnn_tanh").
func ParseKind(s string) (Kind, error) {
	switch s {
	case "rnn", string(RNNTanh):
		return RNNTanh, nil
	case string(RNNReLU), string(LSTM), string(GRU):
		return Kind(s), nil
	}
	return "", fmt.Errorf("recurrent: unknown cell kind %q, want one of rnn_tanh, rnn_relu, lstm, gru", s)
}

// Gates is G, the number of stacked gate blocks in the weights: 1 (RNN), 4 (LSTM), 3 (GRU).
// It is 1 for an unknown kind (which Validate refuses).
func (k Kind) Gates() int {
	if c, ok := cells[k]; ok {
		return c.gates()
	}
	return 1
}

// HasCellState reports whether the cell carries a second state c_t (the LSTM).
func (k Kind) HasCellState() bool {
	c, ok := cells[k]
	return ok && c.hasCellState()
}

// Config describes a stack of recurrent layers.
type Config struct {
	Kind       Kind
	InputSize  int          // D, features of x_t
	HiddenSize int          // H
	NumLayers  int          // L >= 1; layer l > 0 reads the hidden states of layer l-1
	DType      dtypes.DType // Float32 or Float64
}

// Validate returns an error that says what is wrong with the configuration.
func (c Config) Validate() error {
	if k, err := ParseKind(string(c.Kind)); err != nil {
		return err
	} else if k != c.Kind {
		return fmt.Errorf("recurrent: cell kind %q is an alias: use ParseKind, which returns %q", c.Kind, k)
	}
	if err := seq.CheckSizes("recurrent", c.InputSize, c.HiddenSize); err != nil {
		return err
	}
	if c.NumLayers <= 0 {
		return fmt.Errorf("recurrent: number of layers must be >= 1, got %d", c.NumLayers)
	}
	if err := seq.CheckFloat("recurrent", c.DType); err != nil {
		return err
	}
	if n, ok := c.numParams(); !ok || n > uint64(MaxParams) {
		count := fmt.Sprintf("%d", n)
		if !ok {
			count = "more than 2^64"
		}
		return fmt.Errorf("recurrent: a %s with input size %d, hidden size %d and %d layers has %s parameters, "+
			"over MaxParams = %d (1 GiB of float32 at the default 2^28): make it smaller, or raise recurrent.MaxParams",
			c.Kind, c.InputSize, c.HiddenSize, c.NumLayers, count, MaxParams)
	}
	return nil
}

// MaxParams is the largest stack, in trainable scalars (NumParams), that Validate accepts, so
// that a configuration too large for memory is refused before anything is allocated or built:
// 2^28 (1 GiB of float32), package train's limit too. A program that needs more may raise it.
var MaxParams = 1 << 28

// numParams is NumParams in uint64 with overflow detection (ok false when it overflows).
// It assumes positive sizes.
func (c Config) numParams() (n uint64, ok bool) {
	mul := func(a, b uint64) uint64 {
		hi, lo := bits.Mul64(a, b)
		if hi != 0 {
			ok = false
		}
		return lo
	}
	add := func(a, b uint64) uint64 {
		s, carry := bits.Add64(a, b, 0)
		if carry != 0 {
			ok = false
		}
		return s
	}
	ok = true
	G, D, H, L := uint64(c.Kind.Gates()), uint64(c.InputSize), uint64(c.HiddenSize), uint64(c.NumLayers)
	GH := mul(G, H)
	n = mul(GH, add(add(D, H), 2))                   // layer 0: G*H*(D + H + 2)
	n = add(n, mul(L-1, mul(GH, add(mul(2, H), 2)))) // layers 1..L-1: G*H*(2H + 2) each
	return n, ok
}

// LayerInputSize is the input width of layer l: D for l = 0, H above.
func (c Config) LayerInputSize(l int) int {
	if l == 0 {
		return c.InputSize
	}
	return c.HiddenSize
}

// NumParams is the number of trainable scalars: per layer G*H*(D_l + H + 2). It is
// math.MaxInt when that overflows int, and 0 for sizes < 1 (Validate refuses both).
func (c Config) NumParams() int {
	if c.InputSize < 1 || c.HiddenSize < 1 || c.NumLayers < 1 {
		return 0
	}
	n, ok := c.numParams()
	if !ok || n > math.MaxInt {
		return math.MaxInt
	}
	return int(n)
}
