package train

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/stretchr/testify/require"
)

// trajectoryTolerance bounds max|ours - PyTorch| / max|PyTorch| of every compared array (the
// losses of all steps, the gradient norms of all steps, each final parameter), in float64.
const trajectoryTolerance = 1e-6

// trajectoryCase is one file of testdata/pytorch_trajectories (see its README.md): a training
// run of PyTorch's own loop, optimizers and clipping, to be replayed by a Trainer.
type trajectoryCase struct {
	model            ModelConfig
	cfg              Config // without the gradient path (Gradients)
	x, y             []*tensors.Tensor
	order            []int64
	loss, gradNorm   []float64 // per Step: mean loss over its updates, largest pre-clipping norm
	updates          int       // parameter updates per Step
	init, final      []float64 // every parameter, flattened, in ParamNames order
	steps, batchSize int
}

func readTrajectoryCase(t *testing.T, path string) *trajectoryCase {
	t.Helper()
	f, err := npz.ReadFile(path)
	require.NoError(t, err)
	str := func(name string) string {
		s, err := f.String(name)
		require.NoError(t, err)
		return s
	}
	f64 := func(name string, shape ...int) []float64 {
		v, _, err := f.Float64(name, shape...)
		require.NoError(t, err)
		return v
	}
	sizes, _, err := f.Int64("sizes", 6)
	require.NoError(t, err)
	hyper := f64("hyper", 6)
	L, D, H, O, k, N := int(sizes[0]), int(sizes[1]), int(sizes[2]), int(sizes[3]), int(sizes[4]), int(sizes[5])
	c := &trajectoryCase{
		model: ModelConfig{Kind: CellKind(str("kind")), InputSize: D, HiddenSize: H, NumLayers: L,
			DType: dtypes.Float64, OutputSize: O, Loss: LossKind(str("loss_kind"))},
		cfg: Config{Optimizer: OptimizerKind(str("optimizer")), LearningRate: hyper[0], Momentum: hyper[1],
			Beta1: hyper[2], Beta2: hyper[3], Epsilon: hyper[4], ClipNorm: hyper[5], TBPTT: k},
		steps: N,
	}
	c.order, _, err = f.Int64("order", N)
	require.NoError(t, err)
	c.loss, c.gradNorm = f64("loss", N), f64("grad_norm", N)
	updateLoss := f64("update_loss")
	require.Zero(t, len(updateLoss)%N, "update_loss has %d values, not a multiple of %d steps", len(updateLoss), N)
	c.updates = len(updateLoss) / N
	c.init, c.final = f64("init"), f64("final")

	// The batches: x [NB, B, T, D] float64 or [NB, B, T] token ids; y likewise.
	batches := func(name string) []*tensors.Tensor {
		a, err := f.Get(name)
		require.NoError(t, err)
		NB, per := a.Shape[0], a.Size()/a.Shape[0]
		dims := a.Shape[1:]
		var out []*tensors.Tensor
		for i := range NB {
			switch a.DType {
			case npz.Float64:
				out = append(out, tensors.FromFlatDataAndDimensions(append([]float64{}, a.F64[i*per:(i+1)*per]...), dims...))
			case npz.Int64:
				ids := make([]int32, per)
				for j, v := range a.I64[i*per : (i+1)*per] {
					ids[j] = int32(v)
				}
				out = append(out, tensors.FromFlatDataAndDimensions(ids, dims...))
			default:
				t.Fatalf("%s has dtype %s, want float64 or int64", name, a.DType)
			}
		}
		c.batchSize = dims[0]
		return out
	}
	c.x, c.y = batches("x"), batches("y")
	require.Equal(t, len(c.x), len(c.y))
	for _, b := range c.order {
		require.True(t, b >= 0 && int(b) < len(c.x), "order names batch %d of %d", b, len(c.x))
	}
	return c
}

// maxRel is max|got - want| / max|want|: +Inf for a NaN or for a length mismatch.
func maxRel(got, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	scale, worst := 0.0, 0.0
	for i := range want {
		scale = math.Max(scale, math.Abs(want[i]))
		d := math.Abs(got[i] - want[i])
		if math.IsNaN(d) {
			d = math.Inf(1)
		}
		worst = math.Max(worst, d)
	}
	return worst / math.Max(scale, 1e-300)
}

// splitParams cuts a flat vector of every parameter (ParamNames order) into one slice per
// parameter of m.
func splitParams(t *testing.T, m *Model, flat []float64) [][]float64 {
	t.Helper()
	var out [][]float64
	at := 0
	for _, p := range m.Params() {
		n := p.Size()
		require.LessOrEqual(t, at+n, len(flat), "too few parameter values: %d", len(flat))
		out = append(out, flat[at:at+n])
		at += n
	}
	require.Equal(t, at, len(flat), "parameter values: the file has %d, the model %d", len(flat), at)
	return out
}

// TestPyTorchTrajectories replays training runs of PyTorch's own loop (scripts/pytorch/
// make_trajectories.py: torch.optim.Adam and SGD with momentum, clip_grad_norm_, truncated BPTT
// with the state detached between chunks) with a Trainer in float64, from the same initial
// weights over the same batches, and requires every step's loss and gradient norm and every
// final parameter to agree to trajectoryTolerance, on the hand-written fast path and with
// autodiff.
func TestPyTorchTrajectories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "pytorch_trajectories", "*.npz"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no trajectory files in testdata/pytorch_trajectories")
	b := testBackend(t)
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".npz")
		c := readTrajectoryCase(t, path)
		for _, autodiff := range []bool{false, true} {
			gradPath := "fast"
			if autodiff {
				gradPath = "autodiff"
			}
			t.Run(name+"/"+gradPath, func(t *testing.T) {
				m, err := NewModel(c.model, 1)
				require.NoError(t, err)
				var ps []*tensors.Tensor
				for i, v := range splitParams(t, m, c.init) {
					ps = append(ps, tensors.FromFlatDataAndDimensions(append([]float64{}, v...), m.Params()[i].Shape().Dimensions...))
				}
				require.NoError(t, m.SetParams(ps))
				cfg := c.cfg
				cfg.Gradients = gradientsOf(autodiff)
				tr, err := New(b, m, cfg)
				require.NoError(t, err)
				require.Equal(t, !autodiff, cfg.handWritten(c.model))
				losses, norms := make([]float64, c.steps), make([]float64, c.steps)
				for s := range c.steps {
					bi := c.order[s]
					st, err := tr.Step(c.x[bi], c.y[bi])
					require.NoError(t, err, "step %d", s+1)
					require.Equal(t, c.updates, st.Updates, "step %d: updates", s+1)
					losses[s], norms[s] = st.Loss, st.GradNorm
				}
				require.Equal(t, c.steps*c.updates, tr.Steps())
				rels := map[string]float64{"loss": maxRel(losses, c.loss), "grad_norm": maxRel(norms, c.gradNorm)}
				names := []string{"loss", "grad_norm"}
				want := splitParams(t, m, c.final)
				worstParam, worstName := 0.0, ""
				for i, p := range m.Params() {
					n := "final " + m.ParamNames()[i]
					rels[n] = maxRel(tensors.MustCopyFlatData[float64](p), want[i])
					names = append(names, n)
					if r := rels[n]; r > worstParam || math.IsNaN(r) || math.IsInf(r, 0) {
						worstParam, worstName = r, n
					}
				}
				var bad []string
				for _, n := range names {
					if !(rels[n] <= trajectoryTolerance) {
						bad = append(bad, fmt.Sprintf("%s %.3g", n, rels[n]))
					}
				}
				t.Logf("%s %s: %d steps (%d updates, %s %s, clip %g, tbptt %d): worst relative difference loss %.2g, "+
					"grad norm %.2g, parameters %.2g (%s); loss %.4f -> %.4f",
					name, gradPath, c.steps, tr.Steps(), c.model.Kind, cfg.Optimizer, cfg.ClipNorm, cfg.TBPTT,
					rels["loss"], rels["grad_norm"], worstParam, worstName, losses[0], losses[c.steps-1])
				require.Empty(t, bad, "differences from PyTorch over the tolerance %g", trajectoryTolerance)
			})
		}
	}
}
