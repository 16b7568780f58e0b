package mingru

import (
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// G is the paper's positive candidate activation: g(x) = x + 0.5 for x >= 0, σ(x) for x < 0.
// It is continuous at 0 (both 0.5), positive, and linear for large x.
func G(x *Node) *Node {
	return Where(GreaterOrEqual(x, ZerosLike(x)), AddScalar(x, 0.5), Sigmoid(x))
}

// LogG is log g(x), computed without forming g for x < 0: log(x + 0.5) for x >= 0,
// -softplus(-x) for x < 0.
func LogG(x *Node) *Node {
	pos := Log(AddScalar(Max(x, ZerosLike(x)), 0.5)) // finite for every x, used where x >= 0
	return Where(GreaterOrEqual(x, ZerosLike(x)), pos, Neg(softplus(Neg(x))))
}

// softplus is log(1 + e^x), with scan.LogAddExpStable(x, 0): stable, and its gradient is
// exactly σ(x) everywhere.
func softplus(x *Node) *Node { return scan.LogAddExpStable(x, ZerosLike(x)) }

// mustCheck panics with the error from the configuration's checks: the graph functions below
// are called while building a graph, where GoMLX reports programmer errors by panicking.
// Host-side callers get the same errors as values from Config.CheckInput, Config.CheckParams
// and Config.CheckForm (the tests' Runner does that).
func mustCheck(cfg Config, params []*Node, x, h0 *Node) {
	ps := make([]shapes.Shape, len(params))
	for i, p := range params {
		ps[i] = p.Shape()
	}
	if err := cfg.CheckInput(x.Shape(), seq.ShapeOf(h0)); err != nil {
		panic(err)
	}
	if err := cfg.CheckParams(ps); err != nil {
		panic(err)
	}
}

// Coefficients returns a_t and b_t [B, T, H] of the recurrence h_t = a_t ⊙ h_{t-1} + b_t, for
// every step at once, from x [B, T, D] and the parameters (ParamNames order):
// minGRU a = 1 - z = σ(-k), b = z ⊙ h̃; minLSTM a = f/(f+i), b = i/(f+i) ⊙ h̃.
func Coefficients(cfg Config, params []*Node, x *Node) (a, b *Node) {
	mustCheck(cfg, params, x, nil)
	P := cfg.Kind.Projections()
	ht := seq.Linear(x, params[2*(P-1)], params[2*(P-1)+1]) // [B, T, H] candidate h̃
	if cfg.PositiveCandidate {
		ht = G(ht)
	}
	switch cfg.Kind {
	case MinLSTM:
		f := Sigmoid(seq.Linear(x, params[0], params[1])) // [B, T, H] forget gate
		i := Sigmoid(seq.Linear(x, params[2], params[3])) // [B, T, H] input gate
		sum := Add(f, i)
		a = Div(f, sum)          // f' = f / (f + i)
		b = Mul(Div(i, sum), ht) // i' ⊙ h̃
	default:
		k := seq.Linear(x, params[0], params[1]) // [B, T, H] update-gate pre-activation
		a = Sigmoid(Neg(k))                      // 1 - z = σ(-k), without the cancellation of 1 - σ(k)
		b = Mul(Sigmoid(k), ht)                  // z ⊙ h̃
	}
	return a, b
}

// LogCoefficients returns log a_t and log b_t [B, T, H] in the paper's log-space
// parametrisation (see the package documentation); it always uses the positive candidate g.
func LogCoefficients(cfg Config, params []*Node, x *Node) (logA, logB *Node) {
	mustCheck(cfg, params, x, nil)
	P := cfg.Kind.Projections()
	logHt := LogG(seq.Linear(x, params[2*(P-1)], params[2*(P-1)+1])) // [B, T, H] log h̃
	switch cfg.Kind {
	case MinLSTM:
		kf := seq.Linear(x, params[0], params[1])      // [B, T, H]
		ki := seq.Linear(x, params[2], params[3])      // [B, T, H]
		d := Sub(softplus(Neg(kf)), softplus(Neg(ki))) // log i - log f
		logA = Neg(softplus(d))                        // log f' = log σ(log f - log i)
		logB = Add(Neg(softplus(Neg(d))), logHt)       // log i' + log h̃
	default:
		k := seq.Linear(x, params[0], params[1]) // [B, T, H]
		logA = Neg(softplus(k))                  // log(1 - z) = log σ(-k)
		logB = Add(Neg(softplus(Neg(k))), logHt) // log z + log h̃
	}
	return logA, logB
}

// LogSpaceScan is Heinsen's log-space scan: all h_t of h_t = a_t ⊙ h_{t-1} + b_t for a, b > 0,
// from logA, logB [B, T, H] and h0 [B, H] (> 0) or nil:
//
//	a*_t = Σ_{s≤t} log a_s,   h_t = exp(a*_t + logaddexp(log h0, logcumsumexp_{s≤t}(log b_s - a*_s)))
//
// Both cumulative reductions are associative scans (scan.PrefixSum, scan.LogCumSumExp): work
// O(T), depth O(log T).
func LogSpaceScan(logA, logB, h0 *Node) *Node {
	aStar := scan.PrefixSum(logA)               // [B, T, H]
	logS := scan.LogCumSumExp(Sub(logB, aStar)) // [B, T, H]
	if h0 != nil {
		s := logB.Shape()
		logH0 := BroadcastToDims(ExpandAxes(Log(h0), 1), s.Dimensions...) // [B, T, H]
		logS = scan.LogAddExpStable(logS, logH0)
	}
	return Exp(Add(aStar, logS)) // [B, T, H]
}

// Forward runs the layer over x [B, T, D] from h0 [B, H] (nil for zeros; > 0 in the LogSpace form)
// and returns every h_t, [B, T, H]. params are the weights' nodes in ParamNames order. It panics
// (while the graph is built) with the errors of Config.CheckInput, CheckParams and CheckForm.
func Forward(cfg Config, params []*Node, x, h0 *Node, form scan.Form) *Node {
	mustCheck(cfg, params, x, h0)
	if err := cfg.CheckForm(form); err != nil {
		panic(err)
	}
	if form == LogSpace {
		logA, logB := LogCoefficients(cfg, params, x)
		return LogSpaceScan(logA, logB, h0)
	}
	a, b := Coefficients(cfg, params, x) // [B, T, H] each: the parallel part
	return form.ChunkFunc(cfg.Chunk)(a, b, h0)
}
