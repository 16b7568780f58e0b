package scan

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// Func is the signature every form shares: given a, b [B, T, ...] and h0 [B, ...] (or nil for
// zeros) it returns all h_t of h_t = a_t ⊙ h_{t-1} + b_t, [B, T, ...].
type Func func(a, b, h0 *Node) *Node

// DefaultChunk is the chunk length K that Forms and package mingru use for Chunked. At B=32,
// H=64 on the Go backend, fwd+bwd at T=4096 and 16384 took the least CPU time with 64 of
// 8, 16, 32, 64 and 128 (smaller per-step tensors [B, T/K, H] stay in cache; beyond 64 the
// split of seq.SplitTime goes two-level). Depth grows with K: about 2K + 4 log2(T/K).
const DefaultChunk = 64

// Form names a way to evaluate the recurrence: one typed name used by this package, mingru,
// cost, the notebooks and the command-line tools (svgplot's scan diagrams take the same names).
type Form string

// The forms.
const (
	FormSequential   Form = "sequential"    // the linear-cost loop, Sequential
	FormNaive        Form = "naive"         // the loop with per-step slices, SequentialNaive
	FormHillisSteele Form = "hillis-steele" // HillisSteele
	FormBlelloch     Form = "blelloch"      // Blelloch
	FormChunked      Form = "chunked"       // Chunked with DefaultChunk
	// FormLogSpace is Heinsen's log-space scan, package mingru's (mingru.LogSpaceScan): it
	// needs b_t > 0 and works on log a, log b, so it has no Func and is not in Forms.
	FormLogSpace Form = "logspace"
)

// Forms lists every form, the reference (FormSequential) first.
var Forms = []Form{FormSequential, FormNaive, FormHillisSteele, FormBlelloch, FormChunked}

// Func returns the form's function (Chunked with DefaultChunk), or nil for a name outside Forms
// (ParseForm says what is wrong with one).
func (f Form) Func() Func { return f.ChunkFunc(0) }

// ChunkFunc is Func with the chunk length of FormChunked given (0: DefaultChunk).
func (f Form) ChunkFunc(chunk int) Func {
	if chunk == 0 {
		chunk = DefaultChunk
	}
	switch f {
	case FormSequential:
		return Sequential
	case FormNaive:
		return SequentialNaive
	case FormHillisSteele:
		return HillisSteele
	case FormBlelloch:
		return Blelloch
	case FormChunked:
		return ChunkedFunc(chunk)
	}
	return nil
}

// ParseForm accepts the names of the forms among (Forms when none are given): the one parser
// of scan-form names (package mingru passes its own list, mingru.Forms).
func ParseForm(s string, among ...Form) (Form, error) {
	if len(among) == 0 {
		among = Forms
	}
	if f := Form(s); slices.Contains(among, f) {
		return f, nil
	}
	return "", fmt.Errorf("scan: unknown scan form %q, want one of %v", s, among)
}

// ChunkedFunc returns Chunked with a fixed chunk length, as a Func.
func ChunkedFunc(chunk int) Func {
	return func(a, b, h0 *Node) *Node { return Chunked(a, b, h0, chunk) }
}

// Check says what is wrong with the shapes of a scan's inputs: a and b must have the same
// shape [B, T, ...] with B, T >= 1 and a float dtype; h0, when not nil, must be [B, ...] with
// the same dtype. The scan functions panic with this error; call Check first to get it as a
// value.
func Check(a, b shapes.Shape, h0 *shapes.Shape) error {
	if a.Rank() < 2 {
		return fmt.Errorf("scan: a must be [batch, time, ...features], got shape %s", a)
	}
	if !a.Equal(b) {
		return fmt.Errorf("scan: a and b must have the same shape, got a %s and b %s", a, b)
	}
	if !a.DType.IsFloat() {
		return fmt.Errorf("scan: a and b must be float (float32 or float64), got %s", a.DType)
	}
	if a.Dim(0) < 1 || a.Dim(1) < 1 {
		return fmt.Errorf("scan: batch and time must be >= 1, got a %s", a)
	}
	if h0 != nil {
		want := shapes.Make(a.DType, slices.Delete(slices.Clone(a.Dimensions), 1, 2)...)
		if !h0.Equal(want) {
			return fmt.Errorf("scan: h0 must be [batch, ...features] = %s (a is %s), got %s", want, a, *h0)
		}
	}
	return nil
}

// layout remembers the caller's shape while the forms work on [B, T, F], F the product of the
// feature dimensions (1 when there are none).
type layout struct {
	dims    []int // the caller's [B, T, ...]
	B, T, F int
}

// prepare checks the inputs and flattens them to a, b [B, T, F] and h0 [B, F] (nil stays nil).
func prepare(a, b, h0 *Node) (af, bf, h0f *Node, l layout) {
	if err := Check(a.Shape(), b.Shape(), seq.ShapeOf(h0)); err != nil {
		panic(err)
	}
	dims := a.Shape().Dimensions
	l = layout{dims: slices.Clone(dims), B: dims[0], T: dims[1], F: 1}
	for _, d := range dims[2:] {
		l.F *= d
	}
	af, bf = Reshape(a, l.B, l.T, l.F), Reshape(b, l.B, l.T, l.F)
	if h0 != nil {
		h0f = Reshape(h0, l.B, l.F)
	}
	return af, bf, h0f, l
}

// restore reshapes h [B, T, F] back to the caller's [B, T, ...].
func (l layout) restore(h *Node) *Node { return Reshape(h, l.dims...) }

// Sequential is the loop: h_t = a_t ⊙ h_{t-1} + b_t, one step after the other. Work O(T),
// depth O(T), O(T) graph nodes. The per-step slices come from recurrent.SplitTime and the
// results are joined by recurrent.StackTime, whose custom gradients keep the backward pass O(T)
// (compare SequentialNaive) and whose two-level split keeps graph building near-linear in T.
func Sequential(a, b, h0 *Node) *Node {
	af, bf, h0f, l := prepare(a, b, h0)
	as, bs := seq.SplitTime(af, 1), seq.SplitTime(bf, 1) // T x [B, F]
	if h0f == nil {
		// Start from explicit zeros so that every slice of a is used: recurrent.SplitTime
		// (T <= 64) panics in the backward pass when one of its slices receives no gradient.
		h0f = ZerosLike(bs[0])
	}
	return l.restore(seq.StackTime(loop(as, bs, h0f), 1)) // [B, T, F]
}

// SequentialNaive is the same loop with a plain Slice per step and one Stack at the end: the
// teaching counter-example. Its forward pass is O(T), but reverse-mode autodiff turns each of
// the T slices into a zero-padded copy of the whole sequence, so the backward pass costs O(T²)
// time and memory traffic (seconds at T=1024, minutes at T=4096); graph building is also O(T²)
// on the Go backend (its de-duplication compares all slices of one tensor).
func SequentialNaive(a, b, h0 *Node) *Node {
	af, bf, h0f, l := prepare(a, b, h0)
	as, bs := make([]*Node, l.T), make([]*Node, l.T)
	for t := range l.T {
		as[t] = Squeeze(SliceAxis(af, 1, AxisElem(t)), 1) // [B, F]
		bs[t] = Squeeze(SliceAxis(bf, 1, AxisElem(t)), 1) // [B, F]
	}
	return l.restore(Stack(loop(as, bs, h0f), 1)) // [B, T, F]
}

// loop runs the recurrence over per-step nodes; h0 may be nil (zeros: then h_0 = b_0).
func loop(as, bs []*Node, h0 *Node) []*Node {
	hs := make([]*Node, len(as))
	h := h0
	for t := range as {
		if h == nil {
			h = bs[t]
		} else {
			h = Add(Mul(as[t], h), bs[t])
		}
		hs[t] = h
	}
	return hs
}

// foldH0 returns b with b_0 replaced by a_0 ⊙ h0 + b_0, so that a scan from zero state gives
// the scan from h0. a, b are [B, T, F], h0 [B, F]. Whole-tensor ops only.
func foldH0(a, b, h0 *Node) *Node {
	T := a.Shape().Dim(1)
	first := Add(Mul(SliceAxis(a, 1, AxisElem(0)), ExpandAxes(h0, 1)), SliceAxis(b, 1, AxisElem(0))) // [B, 1, F]
	if T == 1 {
		return first
	}
	return Concatenate([]*Node{first, SliceAxis(b, 1, AxisRange(1, T))}, 1) // [B, T, F]
}

// filled returns a constant [B, n, F] (B, F from x [B, T, F]) full of the value fill.
// (Built with Concatenate rather than Pad below: GoMLX v0.28.2 defines no gradient for Pad.)
func filled(x *Node, n int, fill float64) *Node {
	s := x.Shape()
	return BroadcastToDims(Scalar(x.Graph(), x.DType(), fill), s.Dim(0), n, s.Dim(2))
}

// padTime appends n steps of the value fill to x [B, T, F].
func padTime(x *Node, n int, fill float64) *Node {
	if n == 0 {
		return x
	}
	return Concatenate([]*Node{x, filled(x, n, fill)}, 1)
}
