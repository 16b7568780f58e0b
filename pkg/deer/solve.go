package deer

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/modelspec"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// Config chooses the solver.
type Config struct {
	Method Method    // Full (the default, also for "") or Quasi
	Scan   scan.Func // the elementwise scan of Quasi; nil: scan.Blelloch. Full uses MatrixScan.
	// Clip projects every iterate onto |h| <= max(1, max|h0|), a box that holds the true
	// trajectory of the tanh RNN and the GRU (not the ReLU RNN). It keeps the Newton guarantee
	// (iterate k exact up to step k) and stops the exponential overshoot of chaotic regimes.
	Clip bool
}

// Validate says what is wrong with the configuration.
func (c Config) Validate() error {
	if c.Method != Full && c.Method != Quasi && c.Method != "" {
		return fmt.Errorf("deer: unknown method %q, want %q or %q", c.Method, Full, Quasi)
	}
	return nil
}

// check validates the configuration for a cell.
func (c Config) check(cell recurrent.Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Clip && cell.Kind == recurrent.RNNReLU {
		return fmt.Errorf("deer: Clip needs a bounded cell (rnn_tanh or gru); a %s is unbounded", cell.Kind)
	}
	return nil
}

func (c Config) method() Method {
	if c.Method == "" {
		return Full
	}
	return c.Method
}

// Defaults of Options.
const (
	DefaultTol64            = 1e-6 // Options.Tol for float64
	DefaultTol32            = 1e-4 // Options.Tol for float32
	DefaultDivergenceFactor = 1e6  // Options.DivergenceFactor
)

// Options of one solve. The zero value gives the defaults.
type Options struct {
	// Tol: stop when max |h^(k+1) - h^(k)| < Tol. 0: DefaultTol64 or DefaultTol32 by dtype.
	Tol float64
	// MaxIter is the most Newton iterations (graph calls). 0: T + 2. In exact arithmetic T + 1
	// always suffice for both methods (T iterations make every step exact, one more sees it); in
	// floating point a chaotic trajectory can still move by an amplified rounding error after
	// iteration T (see [Conditioning]): quasi-DEER on a chaotic tanh RNN at T = 300 took T + 2.
	MaxIter int
	// Guess is h^(0), [B, T, H]; nil starts from zeros.
	Guess *tensors.Tensor
	// DivergenceFactor: fail when the residual of an iterate exceeds this factor times
	// max(residual of h^(0), Tol). 0: DefaultDivergenceFactor; negative: never.
	DivergenceFactor float64
	// Observe, when not nil, is called with every iterate h^(0), h^(1), …, in order, before the
	// convergence test (for plots: see ErrorByIteration). The tensor must not be modified.
	Observe func(k int, h *tensors.Tensor)
}

// Result of a converged solve.
type Result struct {
	H          *tensors.Tensor // the trajectory h_0 .. h_{T-1}, [B, T, H]
	Iterations int             // Newton iterations run (graph calls of the iteration)
	// Residuals[k] = max_{b,t,i} |h^(k)_t - f(h^(k)_{t-1}, x_t)| for k = 0 .. Iterations.
	Residuals []float64
	// Updates[k] = max |h^(k+1) - h^(k)| for k = 0 .. Iterations-1.
	Updates []float64
}

// Residual is the residual of the returned trajectory, Residuals[Iterations].
func (r *Result) Residual() float64 { return r.Residuals[len(r.Residuals)-1] }

// Reasons of a NotConvergedError.
const (
	ReasonMaxIter   = "reached MaxIter"
	ReasonNonFinite = "NaN or Inf in the iterate or its inputs"
	ReasonDiverged  = "residual diverged"
)

// The Reasons as catalog messages, which NotConvergedError.Localized translates.
var _ = []string{lang.Msg("reached MaxIter"), lang.Msg("NaN or Inf in the iterate or its inputs"), lang.Msg("residual diverged")}

// NotConvergedError is returned, instead of a trajectory, when the iterations stop without
// meeting the tolerance.
type NotConvergedError struct {
	Method     Method
	Reason     string  // ReasonMaxIter, ReasonNonFinite or ReasonDiverged
	Iterations int     // iterations run
	Residual   float64 // residual of the last iterate (NaN if it could not be computed)
	Update     float64 // the last update max |h^(k+1) - h^(k)|
	Tol        float64
	MaxIter    int
	Residuals  []float64 // as Result.Residuals, as far as computed
	Updates    []float64 // as Result.Updates
}

// Error is the English text, for Go code and logs; Localized (lang.Explain) is the edition's.
func (e *NotConvergedError) Error() string {
	return e.text(fmt.Sprintf, func(s string) string { return s })
}

// Localized is the error's text in the course's current edition (see package lang).
func (e *NotConvergedError) Localized() string { return e.text(lang.Sprintf, lang.Localize) }

func (e *NotConvergedError) text(sprintf func(string, ...any) string, tr func(string) string) string {
	hint := ""
	switch e.Reason {
	case ReasonMaxIter:
		hint = sprintf(lang.Msg("; raise MaxIter or Tol (T+1 iterations suffice in exact arithmetic; in floating point a chaotic trajectory may not settle below Tol, see deer.Conditioning)"))
	case ReasonDiverged, ReasonNonFinite:
		hint = sprintf(lang.Msg("; the linearisation overshoots (chaotic dynamics?): try Config.Clip, or a negative DivergenceFactor in float64"))
	}
	return sprintf(lang.Msg("deer: %s did not converge (%s) after %d iterations (MaxIter %d): last update %.3g, "+
		"tolerance %.3g, residual max|h_t - f(h_{t-1}, x_t)| = %.3g"), e.Method, tr(e.Reason), e.Iterations, e.MaxIter,
		e.Update, e.Tol, e.Residual) + hint
}

// Solver runs DEER or quasi-DEER for one cell configuration on a backend. Graphs are compiled
// once per input shape and reused by every iteration and every later Solve.
type Solver struct {
	cell     recurrent.Config
	cfg      Config
	step     *Exec // (params, x, h0, guess) -> (next, max|δ|, max|r|, count of non-finite values in next)
	residual *Exec // (params, x, h0, h) -> max|h - f(h_prev)|
}

// NewSolver creates a Solver for a layer given as a modelspec.Spec (package train's Layer,
// cost's layers): it must be a recurrent.Config of one layer of the tanh/ReLU RNN or the GRU
// (CheckSupported), the cells whose Jacobian this package writes out.
func NewSolver(b compute.Backend, layer modelspec.Spec, cfg Config) (*Solver, error) {
	cell, ok := layer.(recurrent.Config)
	if !ok {
		return nil, fmt.Errorf("deer: the layer is a %T; DEER here solves a recurrent.Config "+
			"(rnn_tanh, rnn_relu or gru), whose Jacobian package deer writes out", layer)
	}
	if err := cell.Validate(); err != nil {
		return nil, err
	}
	if err := CheckSupported(cell.Kind); err != nil {
		return nil, err
	}
	if cell.NumLayers != 1 {
		return nil, fmt.Errorf("deer: %d layers; DEER here solves one layer (NumLayers = 1): "+
			"run it layer by layer", cell.NumLayers)
	}
	if err := cfg.check(cell); err != nil {
		return nil, err
	}
	s := &Solver{cell: cell, cfg: cfg}
	kind := cell.Kind
	params := func(in []*Node) recurrent.LayerParams { return recurrent.SplitParams(in[:4])[0] }
	h0Of := func(in []*Node) *Node { // [B, H] from [B, H] or [1, B, H]
		x, h0 := in[4], in[5]
		return Reshape(h0, x.Shape().Dim(0), cell.HiddenSize)
	}
	var err error
	s.step, err = NewExec(b, func(in []*Node) []*Node {
		it := newtonIteration(kind, cfg, params(in), in[4], h0Of(in), in[6])
		// NaN/Inf count of the next iterate and of everything it was computed from: the backend's
		// tanh and logistic may map NaN to a finite value (compute's SIMD Tanh(NaN) = -1), so a
		// finite iterate does not prove finite inputs.
		bad := nonFiniteCount(it.next)
		for _, n := range in {
			bad = Add(bad, nonFiniteCount(n))
		}
		return []*Node{it.next, ReduceAllMax(Abs(it.delta)), ReduceAllMax(Abs(it.resid)), bad}
	})
	if err != nil {
		return nil, err
	}
	s.residual, err = NewExec(b, func(in []*Node) *Node {
		return Residual(kind, params(in), in[4], h0Of(in), in[6])
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Solve evaluates h_t = f(h_{t-1}, x_t) for x [B, T, D] from h0 ([B, H] or [1, B, H]; nil for
// zeros) with weights w, by Newton iterations from opts.Guess (zeros by default), until the
// update is below the tolerance. It returns a *NotConvergedError (and no trajectory) when
// MaxIter is reached, a value is not finite or the residual diverges; other errors say what was
// wrong with the inputs. ctx is checked between iterations.
func (s *Solver) Solve(ctx context.Context, w *recurrent.Weights, x, h0 *tensors.Tensor, opts Options) (*Result, error) {
	if w == nil || w.Config != s.cell {
		return nil, fmt.Errorf("deer: weights are for %+v, the solver for %+v", weightsConfig(w), s.cell)
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if x == nil {
		return nil, errors.New("deer: x is nil, want [batch, time, features]")
	}
	if err := recurrent.CheckInput(s.cell, x.Shape(), nil, nil); err != nil {
		return nil, err
	}
	B, T, H, dtype := x.Shape().Dim(0), x.Shape().Dim(1), s.cell.HiddenSize, s.cell.DType
	if h0 == nil {
		h0 = tensors.FromShape(shapes.Make(dtype, B, H))
	} else if hs := h0.Shape(); !hs.Equal(shapes.Make(dtype, B, H)) && !hs.Equal(shapes.Make(dtype, 1, B, H)) {
		return nil, fmt.Errorf("deer: h0 has shape %s, want [batch, hidden] = (%s)[%d %d] or [1, %d, %d]",
			hs, dtype, B, H, B, H)
	}
	guess := opts.Guess
	if guess == nil {
		guess = tensors.FromShape(shapes.Make(dtype, B, T, H))
	} else if gs := guess.Shape(); !gs.Equal(shapes.Make(dtype, B, T, H)) {
		return nil, fmt.Errorf("deer: the initial guess has shape %s, want [batch, time, hidden] = (%s)[%d %d %d]",
			gs, dtype, B, T, H)
	}
	tol := opts.Tol
	if tol == 0 {
		tol = defaultTol(dtype)
	}
	if !(tol > 0) || math.IsInf(tol, 0) {
		return nil, fmt.Errorf("deer: tolerance must be a finite number > 0, got %g", tol)
	}
	maxIter := opts.MaxIter
	if maxIter == 0 {
		maxIter = T + 2
	}
	if maxIter < 0 {
		return nil, fmt.Errorf("deer: MaxIter must be >= 0 (0: T+2), got %d", maxIter)
	}
	factor := opts.DivergenceFactor
	if factor == 0 {
		factor = DefaultDivergenceFactor
	}

	call := func(e *Exec, h *tensors.Tensor) ([]*tensors.Tensor, error) { // the graphs take (weights, x, h0, h)
		return e.Call(seq.Args(w.Tensors, x, h0, h)...)
	}
	fail := func(reason string, iters int, resid []float64, upd []float64, last *tensors.Tensor) error {
		e := &NotConvergedError{Method: s.cfg.method(), Reason: reason, Iterations: iters, Tol: tol, MaxIter: maxIter,
			Residual: math.NaN(), Update: math.NaN(), Residuals: resid, Updates: upd}
		if len(upd) > 0 {
			e.Update = upd[len(upd)-1]
		}
		if len(resid) > iters {
			e.Residual = resid[iters]
		} else if last != nil && reason != ReasonNonFinite {
			if out, err := call(s.residual, last); err == nil {
				e.Residual = scalar(out[0])
				e.Residuals = append(e.Residuals, e.Residual)
			}
		}
		return e
	}

	h := guess
	var resid, upd []float64
	for k := 0; ; k++ {
		if opts.Observe != nil {
			opts.Observe(k, h)
		}
		if k == maxIter {
			return nil, fail(ReasonMaxIter, k, resid, upd, h)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out, err := call(s.step, h)
		if err != nil {
			return nil, fmt.Errorf("deer: iteration %d: %w", k+1, err)
		}
		r, u := scalar(out[2]), scalar(out[1])
		resid, upd = append(resid, r), append(upd, u) // resid[k]: of h^(k); upd[k]: h^(k+1) - h^(k)
		next := out[0]
		if !finite(r) || !finite(u) || scalar(out[3]) != 0 { // checked in the graph: h stays on the device
			if opts.Observe != nil {
				opts.Observe(k+1, next)
			}
			return nil, fail(ReasonNonFinite, k+1, resid, upd, nil)
		}
		if factor > 0 && r > factor*math.Max(resid[0], tol) {
			return nil, fail(ReasonDiverged, k, resid, upd[:k], nil)
		}
		h = next
		if u < tol {
			if opts.Observe != nil {
				opts.Observe(k+1, h)
			}
			out, err := call(s.residual, h)
			if err != nil {
				return nil, fmt.Errorf("deer: residual: %w", err)
			}
			return &Result{H: h, Iterations: k + 1, Residuals: append(resid, scalar(out[0])), Updates: upd}, nil
		}
	}
}

// Solve is NewSolver(b, w.Config, cfg) followed by Solver.Solve; it compiles the graphs on every
// call (keep a Solver to reuse them).
func Solve(ctx context.Context, b compute.Backend, cfg Config, w *recurrent.Weights, x, h0 *tensors.Tensor, opts Options) (*Result, error) {
	if w == nil {
		return nil, errors.New("deer: weights are nil")
	}
	s, err := NewSolver(b, w.Config, cfg)
	if err != nil {
		return nil, err
	}
	return s.Solve(ctx, w, x, h0, opts)
}

// Errors is DEER's error against Newton iteration, for plots (see ErrorByIteration).
type Errors struct {
	// Max[k] = max_{b,t,i} |h^(k)_t - h_true_t| for every iterate k = 0 (the initial guess), 1, ….
	Max []float64
	// Exact[k] is the number of leading steps that iterate k has right: the largest n such that
	// max_{b,i} |h^(k)_t - h_true_t| <= Threshold for every t < n. Newton's guarantee, in exact
	// arithmetic, is Exact[k] >= k.
	Exact []int
	// Threshold is the error below which a step counts as exact: 100 x the solve's tolerance
	// (the two computations round differently, and a chaotic trajectory amplifies rounding).
	Threshold float64
}

// ErrorByIteration measures DEER's error against Newton iteration, from the true trajectory
// h_true of the sequential loop (recurrent.Runner, same weights): the largest error and the
// length of the exact prefix of every iterate. It returns the errors also when the solve does
// not converge, together with the solve's error (a *NotConvergedError); res is nil then.
func ErrorByIteration(ctx context.Context, b compute.Backend, cfg Config, w *recurrent.Weights, x, h0 *tensors.Tensor,
	opts Options) (errs *Errors, res *Result, err error) {
	if w == nil {
		return nil, nil, errors.New("deer: weights are nil")
	}
	s, err := NewSolver(b, w.Config, cfg)
	if err != nil {
		return nil, nil, err
	}
	truth, err := Sequential(b, w, x, h0)
	if err != nil {
		return nil, nil, err
	}
	ref := flat64(truth)
	T, H := truth.Shape().Dim(1), truth.Shape().Dim(2) // truth is [B, T, H]
	errs = &Errors{Threshold: 100 * opts.Tol}
	if opts.Tol == 0 {
		errs.Threshold = 100 * defaultTol(w.Config.DType)
	}
	observe := opts.Observe
	opts.Observe = func(k int, h *tensors.Tensor) {
		perStep := make([]float64, T) // max over b, i
		for n, v := range flat64(h) {
			t := (n / H) % T
			d := math.Abs(v - ref[n])
			if !(d <= perStep[t]) { // NaN propagates
				perStep[t] = d
			}
		}
		m, exact := 0.0, T
		for t, d := range perStep {
			if !(d <= m) {
				m = d
			}
			if !(d <= errs.Threshold) && exact == T {
				exact = t
			}
		}
		errs.Max = append(errs.Max, m)
		errs.Exact = append(errs.Exact, exact)
		if observe != nil {
			observe(k, h)
		}
	}
	res, err = s.Solve(ctx, w, x, h0, opts)
	return errs, res, err
}

// Sequential runs the sequential loop of package recurrent (recurrent.Runner) on one layer: the
// reference trajectory, [B, T, H]. h0 is [B, H], [1, B, H] or nil.
func Sequential(b compute.Backend, w *recurrent.Weights, x, h0 *tensors.Tensor) (*tensors.Tensor, error) {
	if w == nil {
		return nil, errors.New("deer: weights are nil")
	}
	run, err := recurrent.NewRunner(b, w.Config)
	if err != nil {
		return nil, err
	}
	if h0 != nil && h0.Shape().Rank() == 2 {
		h0 = withLeadingOne(h0) // [1, B, H], recurrent's [layers, batch, hidden]
	}
	out, err := run.Run(w, x, h0, nil)
	if err != nil {
		return nil, err
	}
	return out.Out, nil
}

func defaultTol(dtype dtypes.DType) float64 {
	if dtype == dtypes.Float32 {
		return DefaultTol32
	}
	return DefaultTol64
}

func weightsConfig(w *recurrent.Weights) any {
	if w == nil {
		return "nil weights"
	}
	return w.Config
}

// scalar reads a float32 or float64 scalar tensor as float64.
func scalar(t *tensors.Tensor) float64 { return flat64(t)[0] }

// flat64 copies a float32 or float64 tensor's values as float64.
func flat64(t *tensors.Tensor) []float64 {
	var out []float64
	t.MustConstFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32:
			out = make([]float64, len(v))
			for i, x := range v {
				out[i] = float64(x)
			}
		case []float64:
			out = append([]float64(nil), v...)
		}
	})
	return out
}

// withLeadingOne copies a float32 or float64 tensor with a new leading axis of size 1.
func withLeadingOne(t *tensors.Tensor) *tensors.Tensor {
	dims := append([]int{1}, t.Shape().Dimensions...)
	var out *tensors.Tensor
	t.MustConstFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32:
			out = tensors.FromFlatDataAndDimensions(append([]float32(nil), v...), dims...)
		case []float64:
			out = tensors.FromFlatDataAndDimensions(append([]float64(nil), v...), dims...)
		}
	})
	return out
}

// nonFiniteCount is the number of NaN and ±Inf entries of x, as a float64 scalar.
func nonFiniteCount(x *Node) *Node {
	return ReduceAllSum(ConvertDType(LogicalNot(IsFinite(x)), dtypes.Float64))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
