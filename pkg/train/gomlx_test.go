package train

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	gtrain "github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/rnn-course/bottleneck/internal/testutil"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

// gomlxRun trains a model with GoMLX's own Trainer and an optimizer of ml/train/optimizer on the
// scoped layers (ScopedForward), the way a GoMLX program does, one Step of this package's
// Trainer at a time: the same chunks for truncated BPTT, the state carried between chunks
// without gradient (in non-trainable variables that the train step updates), mse_last's early
// chunks only advancing the state.
type gomlxRun struct {
	mc      ModelConfig
	tbptt   int
	store   *model.Store
	trainer *gtrain.Trainer
	advance *model.Exec // forward only: mse_last's chunks before the last
	updates int
}

// keepState stores the final states in the non-trainable variables /tbptt/h and /tbptt/c.
func keepState(scope *model.Scope, hn, cn *Node) {
	s := scope.Store().Scope("/tbptt").WithInitializer(initializer.Zero)
	s.VariableWithShape("h", hn.Shape()).SetTrainable(false).SetNodeValue(hn)
	if cn != nil {
		s.VariableWithShape("c", cn.Shape()).SetTrainable(false).SetNodeValue(cn)
	}
}

func newGomlxRun(t *testing.T, b compute.Backend, m *Model, tbptt int, opt optimizer.Interface) *gomlxRun {
	t.Helper()
	mc := m.Config
	r := &gomlxRun{mc: mc, tbptt: tbptt, store: model.NewStore()}
	require.NoError(t, m.SetScope(r.store.RootScope()))
	forward := func(scope *model.Scope, in []*Node) (pred *Node) {
		var c0 *Node
		if mc.hasCellState() {
			c0 = in[2]
		}
		pred, hn, cn := mc.ScopedForward(scope, in[0], in[1], c0)
		keepState(scope, hn, cn)
		return pred
	}
	r.trainer = gtrain.NewTrainer(b, r.store, forward, mc.ScopedLoss, opt, nil, nil)
	var err error
	// On the pure-Go backend (PreferConstantsForVariables) a graph that is not marked as
	// training embeds the variables' values as constants when it is built: it would keep
	// computing with the weights of its first call. Marked as training, it reads them as
	// parameters at every call (docs/notes/gomlx.md).
	r.advance, err = model.NewExec(b, r.store, func(scope *model.Scope, in []*Node) *Node {
		scope.SetTraining(in[0].Graph(), true)
		return forward(scope, in)
	})
	require.NoError(t, err)
	return r
}

// state returns copies of the carried states.
func (r *gomlxRun) state(t *testing.T) (h, c *tensors.Tensor) {
	names := []string{"tbptt.h"}
	if r.mc.hasCellState() {
		names = append(names, "tbptt.c")
	}
	ts, err := recurrent.ScopeTensors(r.store.RootScope(), names)
	require.NoError(t, err)
	if len(ts) == 2 {
		return ts[0], ts[1]
	}
	return ts[0], nil
}

// step trains on one batch like Trainer.Step and returns the mean loss of its updates.
func (r *gomlxRun) step(t *testing.T, x, y *tensors.Tensor) float64 {
	t.Helper()
	B, T := x.Shape().Dim(0), x.Shape().Dim(1)
	k := r.tbptt
	if k == 0 || k > T {
		k = T
	}
	p := &Predictor{Model: &Model{Config: r.mc}}
	h, c := p.zeroStates(B)
	inputs := func(xc *tensors.Tensor) []*tensors.Tensor {
		in := []*tensors.Tensor{clone(t, xc), clone(t, h)}
		if c != nil {
			in = append(in, clone(t, c))
		}
		return in
	}
	sum, n := 0.0, 0
	for ci := range (T + k - 1) / k {
		from, to := ci*k, min((ci+1)*k, T)
		xc, err := sliceTime(x, from, to)
		require.NoError(t, err)
		yc := y
		if r.mc.Loss != MSELast {
			yc, err = sliceTime(y, from, to)
			require.NoError(t, err)
		} else if to < T {
			_, err := r.advance.Call(anys(inputs(xc))...)
			require.NoError(t, err)
			h, c = r.state(t)
			continue
		}
		metrics, err := r.trainer.TrainStep(gtrain.Batch{Inputs: inputs(xc), Labels: []*tensors.Tensor{clone(t, yc)}})
		require.NoError(t, err)
		sum += scalarValue(metrics[0])
		n++
		r.updates++
		h, c = r.state(t)
	}
	return sum / float64(n)
}

func clone(t *testing.T, x *tensors.Tensor) *tensors.Tensor {
	c, err := x.LocalClone()
	require.NoError(t, err)
	return c
}

// paramsOf returns the model's parameters as read from the store, flattened per parameter.
func (r *gomlxRun) params(t *testing.T, names []string) [][]float64 {
	ts, err := recurrent.ScopeTensors(r.store.RootScope(), names)
	require.NoError(t, err)
	var out [][]float64
	for _, p := range ts {
		out = append(out, tensors.MustCopyFlatData[float64](p))
	}
	return out
}

// worstRel is the largest maxRel over the parameters.
func worstRel(got, want [][]float64) float64 {
	worst := 0.0
	for i := range want {
		r := maxRel(got[i], want[i])
		if math.IsNaN(r) || r > worst {
			worst = r
		}
	}
	return worst
}

// gomlxVariant is one way of running a trajectory case through GoMLX.
type gomlxVariant struct {
	name string
	// opt returns GoMLX's optimizer for the case, or nil when the variant does not apply.
	opt func(t *testing.T, cfg Config) optimizer.Interface
}

// gomlxOptimizer is GoMLX's closest optimizer to the case's: Adam with the case's betas and
// epsilon, or SGD without its default 1/sqrt(step) decay. GoMLX's SGD has no momentum and no
// optimizer of GoMLX v0.28 clips by global norm: both are dropped.
func gomlxOptimizer(cfg Config) optimizer.Interface {
	if cfg.Optimizer == Adam {
		b1, b2, eps := cfg.adamConstants()
		return optimizer.Adam().LearningRate(cfg.LearningRate).Betas(b1, b2).Epsilon(eps).Done()
	}
	return optimizer.StochasticGradientDescent().WithLearningRate(cfg.LearningRate).WithDecay(false).Done()
}

var gomlxVariants = []gomlxVariant{
	{"gomlx", func(t *testing.T, cfg Config) optimizer.Interface { return gomlxOptimizer(cfg) }},
	// The course's clipping (ClipByGlobalNorm) in front of GoMLX's optimizer.
	{"gomlx+clip", func(t *testing.T, cfg Config) optimizer.Interface {
		if cfg.ClipNorm == 0 {
			return nil
		}
		opt, err := ClipByGlobalNorm(gomlxOptimizer(cfg), cfg.ClipNorm)
		require.NoError(t, err)
		return opt
	}},
	// GoMLX's defaults where they differ from PyTorch's: Adam's epsilon 1e-7, SGD's decay.
	{"gomlx-defaults", func(t *testing.T, cfg Config) optimizer.Interface {
		if cfg.ClipNorm > 0 || cfg.Momentum > 0 {
			return nil
		}
		if cfg.Optimizer == Adam {
			b1, b2, _ := cfg.adamConstants()
			return optimizer.Adam().LearningRate(cfg.LearningRate).Betas(b1, b2).Done()
		}
		return optimizer.StochasticGradientDescent().WithLearningRate(cfg.LearningRate).Done()
	}},
}

// gomlxExpected is what TestGoMLXOptimizers asserts for one case and variant: the largest
// relative parameter difference (max over parameters of max|Δ| / max|reference|) after 20 steps
// against PyTorch and after 50 against pkg/train. agree means "to rounding" (at most
// agreeTolerance); otherwise the measured size, which must stay within a factor 2.
type gomlxExpected struct {
	agree               bool
	vsTorch20, vsOurs50 float64
}

const agreeTolerance = 1e-12

// gomlxExpect holds the measured sizes (go:ops_sequential backend, float64, 2026-12).
var gomlxExpect = map[string]gomlxExpected{
	// Agree to rounding: Adam with PyTorch's epsilon, plain SGD without decay, and either behind
	// the course's clipping.
	"rnn_tanh_l1_mse_adam/gomlx":            {agree: true},
	"lstm_l1_mse_adam_tbptt4/gomlx":         {agree: true},
	"rnn_tanh_l1_mselast_adam_tbptt4/gomlx": {agree: true},
	"rnn_relu_l1_mse_sgd/gomlx":             {agree: true},
	"gru_l2_mse_adam_clip/gomlx+clip":       {agree: true},
	"lstm_l2_xent_adam_clip/gomlx+clip":     {agree: true},
	// GoMLX's Adam default epsilon, 1e-7 (PyTorch's and the course's: 1e-8).
	"rnn_tanh_l1_mse_adam/gomlx-defaults":            {vsTorch20: 6.6e-6, vsOurs50: 8.4e-6},
	"lstm_l1_mse_adam_tbptt4/gomlx-defaults":         {vsTorch20: 3.0e-4, vsOurs50: 3.6e-4},
	"rnn_tanh_l1_mselast_adam_tbptt4/gomlx-defaults": {vsTorch20: 1.3e-6, vsOurs50: 2.1e-6},
	// GoMLX's SGD default decay, lr / sqrt(step).
	"rnn_relu_l1_mse_sgd/gomlx-defaults": {vsTorch20: 0.17, vsOurs50: 0.40},
	// No global-norm clipping in GoMLX: the clipped cases unclipped.
	"gru_l2_mse_adam_clip/gomlx":   {vsTorch20: 0.030, vsOurs50: 0.058},
	"lstm_l2_xent_adam_clip/gomlx": {vsTorch20: 0.088, vsOurs50: 0.26},
	// No momentum in GoMLX's SGD (and, for "gomlx", no clipping).
	"lstm_l1_mse_sgdmom/gomlx":                   {vsTorch20: 0.72, vsOurs50: 3.4},
	"gru_l1_xent_sgdmom_clip/gomlx":              {vsTorch20: 0.46, vsOurs50: 0.82},
	"gru_l1_xent_sgdmom_clip/gomlx+clip":         {vsTorch20: 0.46, vsOurs50: 0.82},
	"gru_l1_xent_sgdmom_clip_tbptt2/gomlx":       {vsTorch20: 1.2, vsOurs50: 1.5},
	"gru_l1_xent_sgdmom_clip_tbptt2/gomlx+clip":  {vsTorch20: 1.2, vsOurs50: 1.5},
	"rnn_tanh_l2_mselast_sgdmom_clip/gomlx":      {vsTorch20: 0.59, vsOurs50: 4.4},
	"rnn_tanh_l2_mselast_sgdmom_clip/gomlx+clip": {vsTorch20: 1.1, vsOurs50: 6.6},
}

// TestGoMLXOptimizers replays every PyTorch trajectory case (testdata/pytorch_trajectories) with
// GoMLX's Trainer and optimizers on the scoped layers, beside this package's Trainer on the
// same weights and batches, and compares the parameters after every step: for 20 steps against
// PyTorch's final parameters, for 50 against this package's (the batches of steps 21-50 repeat
// the file's order). Variants: GoMLX's closest optimizer (gomlx), the same behind the course's
// global-norm clipping (gomlx+clip), and GoMLX's defaults (gomlx-defaults). The table it logs is
// the one in docs/notes/gomlx.md.
func TestGoMLXOptimizers(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "pytorch_trajectories", "*.npz"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	b := testBackend(t)
	const steps = 50
	var table []string
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".npz")
		c := readTrajectoryCase(t, path)
		newModel := func() *Model {
			m, err := NewModel(c.model, 1)
			require.NoError(t, err)
			var ps []*tensors.Tensor
			for i, v := range splitParams(t, m, c.init) {
				ps = append(ps, tensors.FromFlatDataAndDimensions(append([]float64{}, v...), m.Params()[i].Shape().Dimensions...))
			}
			require.NoError(t, m.SetParams(ps))
			return m
		}
		// This package's Trainer (its default, hand-written gradients), parameters after each step.
		ours := newModel()
		tr, err := New(b, ours, c.cfg)
		require.NoError(t, err)
		var oursAt [][][]float64
		for s := range steps {
			_, err := tr.Step(c.x[c.order[s%c.steps]], c.y[c.order[s%c.steps]])
			require.NoError(t, err)
			var ps [][]float64
			for _, p := range ours.Params() {
				ps = append(ps, tensors.MustCopyFlatData[float64](p))
			}
			oursAt = append(oursAt, ps)
		}
		torchFinal := splitParams(t, ours, c.final)
		for _, v := range gomlxVariants {
			opt := v.opt(t, c.cfg)
			if opt == nil {
				continue
			}
			t.Run(name+"/"+v.name, func(t *testing.T) {
				m := newModel()
				run := newGomlxRun(t, b, m, c.cfg.TBPTT, opt)
				var losses []float64
				vsOurs20, vsOurs50, vsTorch20, lossVsTorch := 0.0, 0.0, 0.0, 0.0
				for s := range steps {
					bi := c.order[s%c.steps]
					losses = append(losses, run.step(t, c.x[bi], c.y[bi]))
					got := run.params(t, m.ParamNames())
					d := worstRel(got, oursAt[s])
					if s < c.steps {
						vsOurs20 = math.Max(vsOurs20, d)
					}
					vsOurs50 = math.Max(vsOurs50, d)
					if s == c.steps-1 {
						vsTorch20 = worstRel(got, torchFinal)
						lossVsTorch = maxRel(losses, c.loss)
					}
				}
				require.Equal(t, steps*c.updates, run.updates)
				row := fmt.Sprintf("| %-33s | %-14s | %-17s | %8.2g | %8.2g | %8.2g | %8.2g |", name, v.name,
					describeOptimizer(c.cfg), lossVsTorch, vsTorch20, vsOurs20, vsOurs50)
				table = append(table, row)
				t.Log(row)
				want, ok := gomlxExpect[name+"/"+v.name]
				if !ok {
					t.Errorf("no expectation recorded for %s/%s: measured vs PyTorch %.3g, vs pkg/train %.3g", name, v.name, vsTorch20, vsOurs50)
					return
				}
				if want.agree {
					require.LessOrEqual(t, vsOurs50, agreeTolerance, "GoMLX against pkg/train after %d steps", steps)
					require.LessOrEqual(t, vsTorch20, trajectoryTolerance, "GoMLX against PyTorch after %d steps", c.steps)
					return
				}
				for _, m := range []struct {
					what      string
					got, want float64
				}{{"vs PyTorch after 20 steps", vsTorch20, want.vsTorch20}, {"vs pkg/train after 50 steps", vsOurs50, want.vsOurs50}} {
					require.True(t, m.got >= m.want/2 && m.got <= 2*m.want,
						"%s: the difference %s is %.3g, recorded %.3g: the formulas changed", v.name, m.what, m.got, m.want)
				}
			})
		}
	}
	t.Logf("largest relative difference (max over parameters of max|Δ|/max|ref|):\n"+
		"| case | variant | optimizer | loss vs PyTorch (20) | params vs PyTorch (20) | vs pkg/train (20) | vs pkg/train (50) |\n%s",
		strings.Join(table, "\n"))
}

// describeOptimizer is the case's optimizer in a few words.
func describeOptimizer(c Config) string {
	s := string(c.Optimizer)
	if c.Momentum > 0 {
		s += fmt.Sprintf(" mom %g", c.Momentum)
	}
	if c.ClipNorm > 0 {
		s += fmt.Sprintf(" clip %g", c.ClipNorm)
	}
	if c.TBPTT > 0 {
		s += fmt.Sprintf(" k=%d", c.TBPTT)
	}
	return s
}

// f32 converts a float64 tensor to float32 (others are returned as they are).
func f32(t *testing.T, x *tensors.Tensor) *tensors.Tensor {
	if x.DType() != dtypes.Float64 {
		return x
	}
	v := tensors.MustCopyFlatData[float64](x)
	out := make([]float32, len(v))
	for i := range v {
		out[i] = float32(v[i])
	}
	return tensors.FromFlatDataAndDimensions(out, x.Shape().Dimensions...)
}

// TestGoMLXAdamFloat32 runs the Adam cases in float32 (parameters, optimizer state and step
// counter all float32 in both trainers) for 50 steps, beside this package's Trainer in float64,
// and requires GoMLX's Adam (behind the course's clipping where the case clips) to stay as close
// to this package's float32 run as that run is to the float64 one: their difference is float32
// rounding, not a formula.
func TestGoMLXAdamFloat32(t *testing.T) {
	b := testBackend(t)
	const steps = 50
	for _, name := range []string{"rnn_tanh_l1_mse_adam", "lstm_l1_mse_adam_tbptt4", "lstm_l2_xent_adam_clip"} {
		t.Run(name, func(t *testing.T) {
			c := readTrajectoryCase(t, filepath.Join("testdata", "pytorch_trajectories", name+".npz"))
			newModel := func(mc ModelConfig) *Model {
				m, err := NewModel(mc, 1)
				require.NoError(t, err)
				var ps []*tensors.Tensor
				for i, v := range splitParams(t, m, c.init) {
					p := tensors.FromFlatDataAndDimensions(append([]float64{}, v...), m.Params()[i].Shape().Dimensions...)
					if mc.DType == dtypes.Float32 {
						p = f32(t, p)
					}
					ps = append(ps, p)
				}
				require.NoError(t, m.SetParams(ps))
				return m
			}
			mc32 := c.model
			mc32.DType = dtypes.Float32
			ours64, ours32, theirs32 := newModel(c.model), newModel(mc32), newModel(mc32)
			tr64, err := New(b, ours64, c.cfg)
			require.NoError(t, err)
			tr32, err := New(b, ours32, c.cfg)
			require.NoError(t, err)
			opt := gomlxOptimizer(c.cfg)
			if c.cfg.ClipNorm > 0 {
				opt, err = ClipByGlobalNorm(opt, c.cfg.ClipNorm)
				require.NoError(t, err)
			}
			run := newGomlxRun(t, b, theirs32, c.cfg.TBPTT, opt)
			worst := func(a, b []*tensors.Tensor, w *float64) {
				for i := range a {
					if r := maxRel(testutil.Flat64(a[i]), testutil.Flat64(b[i])); math.IsNaN(r) || r > *w {
						*w = r
					}
				}
			}
			var gomlxVsOurs, oursVs64, gomlxVs64 float64
			for s := range steps {
				bi := c.order[s%c.steps]
				_, err := tr64.Step(c.x[bi], c.y[bi])
				require.NoError(t, err)
				x, y := f32(t, c.x[bi]), f32(t, c.y[bi])
				_, err = tr32.Step(x, y)
				require.NoError(t, err)
				run.step(t, x, y)
				ts, err := recurrent.ScopeTensors(run.store.RootScope(), theirs32.ParamNames())
				require.NoError(t, err)
				worst(ts, ours32.Params(), &gomlxVsOurs)
				worst(ours32.Params(), ours64.Params(), &oursVs64)
				worst(ts, ours64.Params(), &gomlxVs64)
			}
			t.Logf("%s, %d steps in float32, largest relative parameter difference: GoMLX against pkg/train %.2g; "+
				"against pkg/train in float64: pkg/train %.2g, GoMLX %.2g", name, steps, gomlxVsOurs, oursVs64, gomlxVs64)
			require.LessOrEqual(t, gomlxVsOurs, 2*oursVs64)
			require.LessOrEqual(t, gomlxVs64, 2*oursVs64)
		})
	}
}

// TestGoMLXEvalGraphsKeepBuildTimeWeights records a trap of GoMLX v0.28.16 on the pure-Go
// backend, whose capabilities say PreferConstantsForVariables: a graph not marked as training
// (model.Exec for inference, Trainer.EvalStep) embeds the variables' values as constants when it
// is built, so after a training step it still computes with the old weights; a graph marked as
// training reads them as parameters. If this test fails, GoMLX changed and docs/notes/gomlx.md
// should say so.
func TestGoMLXEvalGraphsKeepBuildTimeWeights(t *testing.T) {
	b := testBackend(t)
	store := model.NewStore()
	fn := func(scope *model.Scope, x *Node) *Node {
		return Mul(x, scope.VariableWithValue("w", []float64{1, 2}).NodeValue(x.Graph())) // [2]
	}
	ones := func() *tensors.Tensor { return tensors.FromValue([]float64{1, 1}) }
	batch := func() gtrain.Batch {
		return gtrain.Batch{Inputs: []*tensors.Tensor{ones()}, Labels: []*tensors.Tensor{ones()}}
	}
	infer, err := model.NewExec(b, store, fn)
	require.NoError(t, err)
	asTraining, err := model.NewExec(b, store, func(scope *model.Scope, x *Node) *Node {
		scope.SetTraining(x.Graph(), true)
		return fn(scope, x)
	})
	require.NoError(t, err)
	sum := func(labels, pred []*Node) *Node { return ReduceAllSum(pred[0]) }
	tr := gtrain.NewTrainer(b, store, fn, sum, optimizer.StochasticGradientDescent().WithDecay(false).WithLearningRate(1).Done(), nil, nil)
	run := func(e *model.Exec) []float64 {
		out, err := e.Call(ones())
		require.NoError(t, err)
		return tensors.MustCopyFlatData[float64](out[0])
	}
	eval := func() float64 {
		m, err := tr.EvalStep(batch())
		require.NoError(t, err)
		return scalarValue(m[0])
	}
	require.Equal(t, []float64{1, 2}, run(infer))
	require.Equal(t, []float64{1, 2}, run(asTraining))
	require.Equal(t, 3.0, eval())
	_, err = tr.TrainStep(batch()) // w -= 1 * d(sum)/dw: w = [0, 1]
	require.NoError(t, err)
	require.Equal(t, []float64{1, 2}, run(infer), "an inference graph built before the step")
	require.Equal(t, 3.0, eval(), "Trainer.EvalStep, its graph built before the step")
	require.Equal(t, []float64{0, 1}, run(asTraining), "a graph marked as training")
	fresh, err := model.NewExec(b, store, fn)
	require.NoError(t, err)
	require.Equal(t, []float64{0, 1}, run(fresh), "an inference graph built after the step")
}
