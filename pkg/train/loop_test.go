package train

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

// The loop tests train a small GRU (H=8) with Adam on the noisy sine: T=16, B=4.
const (
	loopT = 16
	loopB = 4
)

func loopModelConfig() ModelConfig {
	return ModelConfig{
		Kind: GRU, InputSize: 1, HiddenSize: 8, NumLayers: 1, DType: dtypes.Float32,
		OutputSize: 1, Loss: MSE}
}

var loopTrainConfig = Config{Optimizer: Adam, LearningRate: 0.01, ClipNorm: 1}

// loopTrainer returns a fresh Trainer (model initialised with modelSeed) and a LoopConfig whose
// batches come from a noisy sine seeded with dataSeed.
func loopTrainer(t testing.TB, modelSeed, dataSeed uint64, steps int) (*Trainer, LoopConfig) {
	m, err := NewModel(loopModelConfig(), modelSeed)
	require.NoError(t, err)
	tr, err := New(testBackend(t), m, loopTrainConfig)
	require.NoError(t, err)
	task, err := tasks.NewNoisySine(loopT, 0.1, dataSeed)
	require.NoError(t, err)
	return tr, LoopConfig{Steps: steps, Batch: func(i int) (x, y *tensors.Tensor, err error) {
		xs, ys, err := task.BatchAt(i, loopB)
		if err != nil {
			return nil, nil, err
		}
		return tensors.FromFlatDataAndDimensions(xs, loopB, loopT, 1), tensors.FromFlatDataAndDimensions(ys, loopB, loopT, 1), nil
	}}
}

// flatParams copies the parameters, for bit-exact comparisons.
func flatParams(tr *Trainer) [][]float32 {
	var out [][]float32
	for _, p := range tr.Model.Params() {
		out = append(out, tensors.MustCopyFlatData[float32](p))
	}
	return out
}

// requireSameBits requires bit-identical loss trajectories and parameters.
func requireSameBits(t *testing.T, wantH, gotH *History, want, got [][]float32) {
	t.Helper()
	require.Equal(t, wantH.Batch, gotH.Batch, "batch indices")
	require.Equal(t, len(wantH.Loss), len(gotH.Loss))
	for i := range wantH.Loss {
		require.Equal(t, math.Float64bits(wantH.Loss[i]), math.Float64bits(gotH.Loss[i]),
			"loss of batch %d: %v vs %v", i, wantH.Loss[i], gotH.Loss[i])
		require.Equal(t, math.Float64bits(wantH.GradNorm[i]), math.Float64bits(gotH.GradNorm[i]), "grad norm of batch %d", i)
	}
	require.Equal(t, len(want), len(got))
	for i := range want {
		for j := range want[i] {
			require.Equal(t, math.Float32bits(want[i][j]), math.Float32bits(got[i][j]), "parameter %d element %d", i, j)
		}
	}
}

func TestRunRecordsHistoryAndContinues(t *testing.T) {
	tr, cfg := loopTrainer(t, 1, 2, 5)
	var seen []int
	cfg.OnStep = func(i int, st Stats) { seen = append(seen, i) }
	cfg.EvalEvery = 2
	cfg.Eval = func(tr *Trainer) (map[string]float64, error) {
		return map[string]float64{"updates": float64(tr.Steps())}, nil
	}
	h, err := tr.Run(context.Background(), cfg)
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2, 3, 4}, h.Batch)
	require.Equal(t, []int{0, 1, 2, 3, 4}, seen)
	require.Len(t, h.Loss, 5)
	require.Len(t, h.GradNorm, 5)
	require.Equal(t, []Evaluation{{2, map[string]float64{"updates": 2}}, {4, map[string]float64{"updates": 4}},
		{5, map[string]float64{"updates": 5}}}, h.Evals, "every 2 batches and at the end")
	require.Equal(t, 5, tr.Position())
	require.Equal(t, 5, tr.Steps())

	// A second Run continues from position 5 and appends.
	cfg.Steps = 7
	h2, err := tr.Run(context.Background(), cfg)
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6}, h2.Batch)
	require.Equal(t, 7, tr.Steps())
	// Nothing to do: no error, nothing trained.
	h3, err := tr.Run(context.Background(), cfg)
	require.NoError(t, err)
	require.Equal(t, 7, h3.Len())
}

func TestRunConfigErrors(t *testing.T) {
	tr, cfg := loopTrainer(t, 1, 2, 3)
	for name, c := range map[string]LoopConfig{
		"no batch":          {Steps: 3},
		"negative steps":    {Steps: -1, Batch: cfg.Batch},
		"every without dir": {Steps: 3, Batch: cfg.Batch, CheckpointEvery: 1},
		"negative eval":     {Steps: 3, Batch: cfg.Batch, EvalEvery: -1},
	} {
		_, err := tr.Run(context.Background(), c)
		require.Error(t, err, name)
		t.Logf("%s: %v", name, err)
	}
	// A non-finite hyperparameter (which a checkpoint could not record either) is refused.
	m, err := NewModel(loopModelConfig(), 1)
	require.NoError(t, err)
	_, err = New(testBackend(t), m, Config{Optimizer: Adam, LearningRate: 0.01, ClipNorm: math.Inf(1)})
	require.ErrorContains(t, err, "finite")

	cfg.Batch = func(i int) (x, y *tensors.Tensor, err error) { return nil, nil, errors.New("disk on fire") }
	_, err = tr.Run(context.Background(), cfg)
	require.ErrorContains(t, err, "batch 0: disk on fire")
}

// TestRunNonFiniteStops: a blow-up stops the run with the NonFiniteError wrapped with the batch
// index, and the checkpoints on disk are the last good ones.
func TestRunNonFiniteStops(t *testing.T) {
	m, err := NewModel(ModelConfig{Kind: RNNReLU, InputSize: 1, HiddenSize: 8,
		NumLayers: 1, DType: dtypes.Float32, OutputSize: 1, Loss: MSE}, 1)
	require.NoError(t, err)
	tr, err := New(testBackend(t), m, Config{Optimizer: SGD, LearningRate: 1e30})
	require.NoError(t, err)
	_, cfg := loopTrainer(t, 1, 1, 10)
	cfg.CheckpointDir = t.TempDir()
	cfg.CheckpointEvery = 1
	h, err := tr.Run(context.Background(), cfg)
	var nf *NonFiniteError
	require.True(t, errors.As(err, &nf), "want a NonFiniteError, got %v", err)
	require.Contains(t, err.Error(), "batch ")
	t.Log(err)
	files, err := listCheckpoints(cfg.CheckpointDir)
	require.NoError(t, err)
	require.Equal(t, h.Len(), tr.Position())
	if len(files) > 0 {
		require.Equal(t, tr.Position(), files[len(files)-1].pos, "nothing written for the failed batch")
		tr2, err := New(testBackend(t), m, Config{Optimizer: SGD, LearningRate: 1e30})
		require.NoError(t, err)
		_, pos, err := tr2.Resume(cfg.CheckpointDir)
		require.NoError(t, err, "the last checkpoint is good")
		require.Equal(t, tr.Position(), pos)
	}
}

// TestRunInterruptWritesCheckpoint: cancelling the context finishes the batch, writes a
// checkpoint and returns an error that wraps context.Canceled and names the file.
func TestRunInterruptWritesCheckpoint(t *testing.T) {
	tr, cfg := loopTrainer(t, 1, 2, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.CheckpointDir = t.TempDir()
	cfg.OnStep = func(i int, st Stats) {
		if i == 3 {
			cancel()
		}
	}
	h, err := tr.Run(ctx, cfg)
	require.ErrorIs(t, err, context.Canceled)
	path := checkpointPath(cfg.CheckpointDir, 4)
	require.ErrorContains(t, err, path)
	t.Log(err)
	require.Equal(t, 4, h.Len())
	require.FileExists(t, path)

	tr2, _ := loopTrainer(t, 99, 2, 10)
	h2, pos, err := tr2.Resume(cfg.CheckpointDir)
	require.NoError(t, err)
	require.Equal(t, 4, pos)
	require.Equal(t, h.Loss, h2.Loss)
	require.Equal(t, 4, tr2.Steps())
}

// TestRunRefusesAnotherRunsDirectory: a fresh run does not write over a directory that holds
// checkpoints of a later position.
func TestRunRefusesAnotherRunsDirectory(t *testing.T) {
	dir := t.TempDir()
	tr, cfg := loopTrainer(t, 1, 2, 2)
	cfg.CheckpointDir = dir
	_, err := tr.Run(context.Background(), cfg)
	require.NoError(t, err)
	tr2, cfg2 := loopTrainer(t, 1, 2, 2)
	cfg2.CheckpointDir = dir
	_, err = tr2.Run(context.Background(), cfg2)
	require.ErrorContains(t, err, "Resume")
	require.Equal(t, 0, tr2.Steps(), "nothing trained")
}

func TestKeepLast(t *testing.T) {
	dir := t.TempDir()
	tr, cfg := loopTrainer(t, 1, 2, 6)
	cfg.CheckpointDir, cfg.CheckpointEvery, cfg.KeepLast = dir, 1, 2
	// A temporary file left by a killed write is cleaned up.
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".ckpt-00000003.npz.tmp-123"), []byte("half"), 0o644))
	_, err := tr.Run(context.Background(), cfg)
	require.NoError(t, err)
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	hidden, _ := filepath.Glob(filepath.Join(dir, ".*"))
	require.Empty(t, hidden)
	require.Equal(t, []string{checkpointPath(dir, 5), checkpointPath(dir, 6)}, names)
}

// collapseCR applies what a terminal, Jupyter and nbconvert do with '\r': keep what follows the
// last '\r' of each line.
func collapseCR(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if k := strings.LastIndex(l, "\r"); k >= 0 {
			lines[i] = l[k+1:]
		}
	}
	return strings.Join(lines, "\n")
}

func TestRunProgressOutput(t *testing.T) {
	tr, cfg := loopTrainer(t, 1, 2, 3)
	var buf bytes.Buffer
	cfg.Progress = &buf
	_, err := tr.Run(context.Background(), cfg)
	require.NoError(t, err)
	final := collapseCR(buf.String())
	require.True(t, strings.HasPrefix(final, "step 3/3 ["), "%q", final)
	require.True(t, strings.HasSuffix(final, "\n"))
}

func TestCheckSize(t *testing.T) {
	mc := loopModelConfig()
	require.NoError(t, mc.CheckSize())
	for _, f := range []func(*ModelConfig){
		func(c *ModelConfig) { c.HiddenSize = 1 << 20 },
		func(c *ModelConfig) { c.InputSize = MaxParams + 1 },
		func(c *ModelConfig) { c.OutputSize = 1 << 40 },
		func(c *ModelConfig) { c.NumLayers = math.MaxInt },
	} {
		c := loopModelConfig()
		f(&c)
		require.Error(t, c.CheckSize())
		require.Error(t, c.Validate(), "Validate includes CheckSize")
	}
}

// fuzzStepBudget bounds the models that FuzzConfigValidate also trains for one step (each new
// configuration compiles a graph); larger valid ones are only validated.
const fuzzStepBudget = 4096

// configInput is one input of FuzzConfigValidate.
type configInput struct {
	Kind                                  string
	DType                                 uint8
	Input, Hidden, Layers, Output         int
	Loss, Optimizer                       string
	LR, Momentum, Beta1, Beta2, Eps, Clip float64
	TBPTT                                 int
	Hand                                  bool
	SeqLen                                uint8
}

func (in configInput) configs() (ModelConfig, Config) {
	return ModelConfig{
			Kind: CellKind(recurrent.Kind(in.Kind)), InputSize: in.Input, HiddenSize: in.Hidden,
			NumLayers: in.Layers, DType: dtypes.DType(in.DType),
			OutputSize: in.Output, Loss: LossKind(in.Loss)},
		Config{Optimizer: OptimizerKind(in.Optimizer), LearningRate: in.LR, Momentum: in.Momentum, Beta1: in.Beta1,
			Beta2: in.Beta2, Epsilon: in.Eps, ClipNorm: in.Clip, TBPTT: in.TBPTT, Gradients: map[bool]GradientPath{true: HandWrittenGradients}[in.Hand]}
}

// finiteHyperparameters reports whether every number of c is finite: Validate does not require
// it (yet), and a checkpoint's JSON meta cannot hold NaN or Inf.
func finiteHyperparameters(c Config) bool {
	for _, v := range []float64{c.LearningRate, c.Momentum, c.Beta1, c.Beta2, c.Epsilon, c.ClipNorm} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// checkConfig is the property of FuzzConfigValidate: Validate never panics; a configuration it
// accepts (and CheckSize bounds) really works: NewModel and New succeed, a checkpoint can record
// it (unless a hyperparameter is not finite), and one Step on a tiny batch either trains (finite
// loss) or stops with a *NonFiniteError, without panicking.
func checkConfig(t *testing.T, b compute.Backend, in configInput) {
	mc, tc := in.configs()
	modelErr := mc.Validate()
	err := tc.Validate(mc)
	if modelErr != nil {
		require.Error(t, err, "Config.Validate must include the model's validation")
	}
	if err != nil {
		require.NotEmpty(t, err.Error())
		return
	}
	if mc.CheckSize() != nil || mc.NumLayers > 3 || mc.InputSize > 64 || mc.OutputSize > 64 ||
		mc.HiddenSize > 64 || mc.classic().NumParams()+mc.OutputSize*(mc.HiddenSize+1) > fuzzStepBudget {
		return
	}
	m, err := NewModel(mc, 1)
	require.NoError(t, err)
	tr, err := New(b, m, tc)
	require.NoError(t, err)
	if _, err := tr.checkpointMeta(nil); err != nil {
		require.False(t, finiteHyperparameters(tc), "a valid configuration cannot be checkpointed: %v", err)
	}
	x, y := fuzzBatch(mc, 2, 1+int(in.SeqLen)%6)
	st, err := tr.Step(x, y)
	var nf *NonFiniteError
	if err != nil {
		require.True(t, errors.As(err, &nf), "a valid configuration's Step failed: %v", err)
		return
	}
	require.False(t, math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0), "loss %v", st.Loss)
	require.GreaterOrEqual(t, st.Updates, 1)
}

// FuzzConfigValidate builds configurations from fuzzed numbers and strings and checks them with
// checkConfig. The seed corpus is in testdata/fuzz/FuzzConfigValidate. Run it with
//
//	go test ./pkg/train -run='^$' -fuzz=FuzzConfigValidate -fuzztime=60s
func FuzzConfigValidate(f *testing.F) {
	f.Add("gru", uint8(dtypes.Float32), 1, 8, 1, 1, "mse", "adam", 0.01, 0.0, 0.0, 0.0, 0.0, 1.0, 0, false, uint8(4))
	b := testBackend(f)
	f.Fuzz(func(t *testing.T, kind string, dtype uint8, input, hidden, layers, output int, loss, opt string,
		lr, momentum, beta1, beta2, eps, clip float64, tbptt int, hand bool, seqLen uint8) {
		checkConfig(t, b, configInput{kind, dtype, input, hidden, layers, output, loss, opt,
			lr, momentum, beta1, beta2, eps, clip, tbptt, hand, seqLen})
	})
}

// TestConfigValidateRegressions replays the configurations that FuzzConfigValidate (and the
// probing around it) found to misbehave.
func TestConfigValidateRegressions(t *testing.T) {
	b := testBackend(t)
	valid := configInput{Kind: "rnn_tanh", DType: uint8(dtypes.Float32), Input: 1, Hidden: 3, Layers: 1, Output: 1,
		Loss: "mse", Optimizer: "adam", LR: 0.01, SeqLen: 3}
	for name, edit := range map[string]func(*configInput){
		// Step panicked: `recurrent: unknown kind "rnn"` (see checkConfig).
		"kind alias rnn": func(c *configInput) { c.Kind = "rnn" },
		// Accepted by Validate; not checkpointable (JSON has no Inf/NaN): Run refuses them up front.
		"infinite lr":   func(c *configInput) { c.LR = math.Inf(1) },
		"NaN momentum":  func(c *configInput) { c.Optimizer, c.Momentum = "sgd", math.NaN() },
		"infinite clip": func(c *configInput) { c.Clip = math.Inf(1) },
		"NaN epsilon":   func(c *configInput) { c.Eps = math.NaN() },
		// Accepted by Validate; a negative epsilon can divide by zero (NonFiniteError, no panic).
		"negative epsilon": func(c *configInput) { c.Eps = -1 },
	} {
		t.Run(name, func(t *testing.T) {
			in := valid
			edit(&in)
			checkConfig(t, b, in)
		})
	}
}

// fuzzBatch returns a deterministic batch of B sequences of T steps for any valid model.
func fuzzBatch(mc ModelConfig, B, T int) (x, y *tensors.Tensor) {
	D, O := mc.InputSize, mc.OutputSize
	val := func(i int) float64 { return math.Sin(0.7 * float64(i)) }
	floats := func(n int, dims ...int) *tensors.Tensor {
		if mc.DType == dtypes.Float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = val(i)
			}
			return tensors.FromFlatDataAndDimensions(v, dims...)
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(val(i))
		}
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	switch mc.Loss {
	case CrossEntropy:
		ids := make([]int32, B*T)
		for i := range ids {
			ids[i] = int32(i*7) % int32(D)
		}
		return tensors.FromFlatDataAndDimensions(ids, B, T), tensors.FromFlatDataAndDimensions(ids, B, T)
	case MSELast:
		return floats(B*T*D, B, T, D), floats(B*O, B, O)
	default:
		return floats(B*T*D, B, T, D), floats(B*T*O, B, T, O)
	}
}

// A run with checkpoints, interrupted (as Ctrl-C would with WithSignals), then resumed by a new
// Trainer, as a notebook or a restarted program would.
func ExampleTrainer_Run() {
	b, _, err := backend.New()
	if err != nil {
		panic(err)
	}
	task, _ := tasks.NewNoisySine(16, 0.1, 42)
	batch := func(i int) (x, y *tensors.Tensor, err error) {
		xs, ys, err := task.BatchAt(i, 8) // a pure function of i: resuming replays the same data
		return tensors.FromFlatDataAndDimensions(xs, 8, 16, 1), tensors.FromFlatDataAndDimensions(ys, 8, 16, 1), err
	}
	newTrainer := func() *Trainer {
		m, _ := NewModel(loopModelConfig(), 1)
		tr, _ := New(b, m, Config{Optimizer: Adam, LearningRate: 0.01})
		return tr
	}
	dir, _ := os.MkdirTemp("", "ckpt")
	defer os.RemoveAll(dir)

	ctx, cancel := context.WithCancel(context.Background())
	cfg := LoopConfig{Steps: 20, Batch: batch, CheckpointDir: dir, CheckpointEvery: 5,
		OnStep: func(i int, st Stats) {
			if i == 11 {
				cancel() // stands for Ctrl-C
			}
		}}
	_, err = newTrainer().Run(ctx, cfg)
	fmt.Println(errors.Is(err, context.Canceled))

	tr := newTrainer()
	h, pos, err := tr.Resume(dir)
	if err != nil {
		panic(err)
	}
	fmt.Println("resumed at batch", pos, "with", h.Len(), "losses")
	cfg.OnStep = nil
	h, err = tr.Run(context.Background(), cfg)
	if err != nil {
		panic(err)
	}
	fmt.Println("finished at batch", tr.Position(), "with", h.Len(), "losses")
	files, _ := filepath.Glob(filepath.Join(dir, "ckpt-*.npz"))
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	// Output:
	// true
	// resumed at batch 12 with 12 losses
	// finished at batch 20 with 20 losses
	// ckpt-00000012.npz
	// ckpt-00000015.npz
	// ckpt-00000020.npz
}
