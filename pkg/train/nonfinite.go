package train

import (
	"fmt"
	"math"
	"strings"

	"github.com/rnn-course/bottleneck/pkg/lang"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Nothing non-finite is hidden. The kernels of the pure-Go backend squash NaN (tanh(NaN) = -1,
// logistic(NaN) = 1; relu's Max(NaN, 0) is NaN in the SIMD lanes but 0 in the scalar tail of a
// row), so a NaN in a weight or an input need not reach the loss.
// Every graph of this package therefore counts, next to its results, the NaN and ±Inf values
// of what it read and computed (parameters, loss, gradients, updated parameters and optimizer
// state, final states), as one int32 vector; the host looks at it before using any result. The
// batch (x, y) and the initial states are checked on the host before a graph runs.

// NonFiniteError reports a value that is NaN or ±Inf: in the batch, in the parameters, or
// computed by a train step (the loss, a gradient, an updated parameter or optimizer state) or
// a forward pass. A train step that finds one is not applied; a forward pass returns no result.
type NonFiniteError struct {
	// Step is the update that would have been number Step, or 0 outside training
	// (Predictor.Forward, Evaluate).
	Step int
	// Chunk of Chunks is the TBPTT chunk whose update was refused (0 when the batch itself was
	// refused, before any chunk ran).
	Chunk, Chunks int
	// Loss and GradNorm are the step's loss and gradient norm (NaN when not computed).
	Loss, GradNorm float64
	// What names the first value found not finite, e.g. "the gradient of weight_hh_l0",
	// "parameter weight_hh_l0 after the update" or "input x"; Count is how many of its
	// elements are NaN or ±Inf, and At says where the first one is, when known ("[0, 3, 0]: NaN").
	What  string
	Count int
	At    string

	given bool // What was given (an input or the parameters before the step), not computed
}

// Error is the English text, for Go code and logs; Localized (lang.Explain) is the edition's.
func (e *NonFiniteError) Error() string {
	return e.text(fmt.Sprintf, func(s string) string { return s })
}

// Localized is the error's text in the course's current edition (see package lang).
func (e *NonFiniteError) Localized() string { return e.text(lang.Sprintf, lang.Localize) }

// text builds the message with sprintf, which formats a catalog message (fmt.Sprintf for the
// English text, lang.Sprintf for the edition's), and what, which shows e.What (made with lang.Msg).
func (e *NonFiniteError) text(sprintf func(string, ...any) string, what func(string) string) string {
	var b strings.Builder
	b.WriteString("train: ")
	if e.Step > 0 {
		if e.Chunk > 0 {
			b.WriteString(sprintf(lang.Msg("step %d (chunk %d of %d): "), e.Step, e.Chunk, e.Chunks))
		} else {
			b.WriteString(sprintf(lang.Msg("step %d: "), e.Step))
		}
	}
	b.WriteString(e.shortText(sprintf, what))
	if e.Step > 0 && !e.given {
		b.WriteString(sprintf(lang.Msg("; loss %v, gradient norm %v"), e.Loss, e.GradNorm))
	}
	switch {
	case e.Step == 1:
		b.WriteString(sprintf(lang.Msg("; stopped before applying this update: the model keeps its parameters")))
	case e.Step > 1:
		b.WriteString(sprintf(lang.Msg("; stopped before applying this update: the model keeps the parameters after step %d"), e.Step-1))
	default:
		b.WriteString(sprintf(lang.Msg("; no result is returned")))
	}
	switch {
	case e.What == "input x" || e.What == "input y":
		b.WriteString(sprintf(lang.Msg(" (the batch must hold finite numbers: check the data)")))
	case strings.HasPrefix(e.What, "input"):
		b.WriteString(sprintf(lang.Msg(" (the initial states must hold finite numbers)")))
	case e.given || e.Step == 0 && strings.HasPrefix(e.What, "parameter"):
		b.WriteString(sprintf(lang.Msg(" (the model's parameters were not finite already: set by hand, or copied from a diverged run?)")))
	case e.Step > 0:
		b.WriteString(sprintf(lang.Msg(" (try a lower learning rate or gradient clipping)")))
	}
	return b.String()
}

// short says what is not finite: "parameter weight_hh_l0 is not finite (1 NaN or ±Inf value, the first at [0, 0]: NaN)".
func (e *NonFiniteError) short() string {
	return e.shortText(fmt.Sprintf, func(s string) string { return s })
}

func (e *NonFiniteError) shortText(sprintf func(string, ...any) string, what func(string) string) string {
	switch {
	case e.Count == 1 && e.At != "":
		return sprintf(lang.Msg("%s is not finite (1 NaN or ±Inf value, the first at %s)"), what(e.What), e.At)
	case e.Count == 1:
		return sprintf(lang.Msg("%s is not finite (1 NaN or ±Inf value)"), what(e.What))
	case e.At != "":
		return sprintf(lang.Msg("%s is not finite (%d NaN or ±Inf values, the first at %s)"), what(e.What), e.Count, e.At)
	default:
		return sprintf(lang.Msg("%s is not finite (%d NaN or ±Inf values)"), what(e.What), e.Count)
	}
}

// countNonFinite is, in a graph, the number of NaN and ±Inf elements of each node: int32 [len(nodes)].
func countNonFinite(nodes []*Node) *Node {
	counts := make([]*Node, len(nodes))
	for i, n := range nodes {
		counts[i] = ReduceAllSum(ConvertDType(LogicalNot(IsFinite(n)), dtypes.Int32))
	}
	return Stack(counts, 0)
}

// nonFiniteOut reads the counts of countNonFinite, whose values names names, and returns an
// error for the first value that is not finite (nil if all are). given is how many of the
// first names are values the graph was given (the parameters before a step) rather than computed.
func nonFiniteOut(counts *tensors.Tensor, names []string, given int) *NonFiniteError {
	c := tensors.MustCopyFlatData[int32](counts)
	if len(c) != len(names) {
		panic(fmt.Sprintf("train: %d non-finite counts for %d checked values", len(c), len(names)))
	}
	for i, n := range c {
		if n != 0 {
			return &NonFiniteError{What: names[i], Count: int(n), Loss: math.NaN(), GradNorm: math.NaN(), given: i < given}
		}
	}
	return nil
}

// nonFiniteIn checks a host tensor given as input (float dtypes only; nil is fine): it returns
// an error naming it, the count and the index and value of the first NaN or ±Inf.
func nonFiniteIn(what string, x *tensors.Tensor) *NonFiniteError {
	if x == nil || !x.DType().IsFloat() {
		return nil
	}
	first, count := -1, 0
	var firstV float64
	x.MustConstFlatData(func(flat any) {
		check := func(i int, v float64) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				if count == 0 {
					first, firstV = i, v
				}
				count++
			}
		}
		switch v := flat.(type) {
		case []float32:
			for i, e := range v {
				check(i, float64(e))
			}
		case []float64:
			for i, e := range v {
				check(i, e)
			}
		}
	})
	if count == 0 {
		return nil
	}
	return &NonFiniteError{What: what, Count: count, At: fmt.Sprintf("%v: %v", flatIndex(first, x.Shape().Dimensions), firstV),
		Loss: math.NaN(), GradNorm: math.NaN(), given: true}
}

// batchNonFinite checks a batch's x and y (y may be nil) on the host.
func batchNonFinite(x, y *tensors.Tensor) *NonFiniteError {
	if nf := nonFiniteIn("input x", x); nf != nil {
		return nf
	}
	return nonFiniteIn("input y", y)
}

// flatIndex turns a row-major flat index into its index per axis, written [i, j, k].
func flatIndex(flat int, dims []int) string {
	idx := make([]string, len(dims))
	for a := len(dims) - 1; a >= 0; a-- {
		idx[a] = fmt.Sprint(flat % dims[a])
		flat /= dims[a]
	}
	return "[" + strings.Join(idx, ", ") + "]"
}

// checkFinite checks named tensors on the host (before writing them to a file) and says which
// is not finite, where.
func checkFinite(names []string, ts []*tensors.Tensor) error {
	for i, x := range ts {
		if nf := nonFiniteIn(names[i], x); nf != nil {
			return fmt.Errorf("%s", nf.short())
		}
	}
	return nil
}
