package main

import (
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	gtrain "github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/rnn-course/bottleneck/pkg/train"
)

// config is what the flags set.
type config struct {
	Cell, Scan                    string
	Hidden, Layers, Batch, SeqLen int
	Steps                         int
	Optimizer                     string
	LearningRate, Clip            float64
	Seed                          int64
	Checkpoint                    string
	SaveEvery, Keep, LogEvery     int
	ValBatches                    int
}

func defaultConfig() config {
	return config{Cell: "lstm", Hidden: 128, Layers: 1, Batch: 32, SeqLen: 64, Steps: 2000, Optimizer: "adam",
		LearningRate: 0.002, Clip: 1, Seed: 1, SaveEvery: 500, Keep: 3, LogEvery: 100, ValBatches: 8}
}

// valFraction is the held-out share of the book (the course's split).
const valFraction = 0.1

// result is what a run did: the global step reached, the loss of every step it ran, the held-out
// perplexity (NaN when skipped), and the store that holds the trained variables.
type result struct {
	Step       int
	Losses     []float64
	Perplexity float64
	Store      *model.Store
}

// check says what is wrong with a configuration.
func (c config) check() error {
	for _, v := range []struct {
		name string
		v    int
	}{{"-hidden", c.Hidden}, {"-layers", c.Layers}, {"-batch", c.Batch}, {"-seqlen", c.SeqLen},
		{"-steps", c.Steps}, {"-save-every", c.SaveEvery}, {"-log-every", c.LogEvery}} {
		if v.v < 1 {
			return fmt.Errorf("%s must be >= 1, got %d", v.name, v.v)
		}
	}
	if c.ValBatches < 0 {
		return fmt.Errorf("-val-batches must be >= 0, got %d", c.ValBatches)
	}
	if !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0) {
		return fmt.Errorf("-lr must be a finite number > 0, got %v", c.LearningRate)
	}
	if !(c.Clip >= 0) || math.IsInf(c.Clip, 0) {
		return fmt.Errorf("-clip must be a finite number >= 0 (0: off), got %v", c.Clip)
	}
	if c.Optimizer != "adam" && c.Optimizer != "sgd" {
		return fmt.Errorf("-optimizer must be adam or sgd, got %q", c.Optimizer)
	}
	return nil
}

// modelConfig is the character model of the configuration over a vocabulary of V characters.
func (c config) modelConfig(V int) (train.ModelConfig, error) {
	mc := train.ModelConfig{Kind: train.CellKind(c.Cell), InputSize: V, HiddenSize: c.Hidden, NumLayers: c.Layers,
		DType: dtypes.Float32, OutputSize: V, Loss: train.CrossEntropy}
	if mc.Kind.Parallel() {
		form := mingru.Sequential
		if c.Scan != "" {
			var err error
			if form, err = scan.ParseForm(c.Scan, mingru.Forms...); err != nil {
				return mc, err
			}
		}
		mc.Scan = form
	} else if c.Scan != "" {
		return mc, fmt.Errorf("-scan is for mingru and minlstm, not %s", c.Cell)
	}
	return mc, mc.Validate()
}

// optimizer is GoMLX's optimizer the configuration names: Adam with PyTorch's epsilon (GoMLX's
// default is 1e-7) or SGD without GoMLX's default 1/sqrt(step) decay, behind the course's
// global-norm clipping when -clip > 0 (GoMLX has none).
func (c config) optimizer() (optimizer.Interface, error) {
	var opt optimizer.Interface
	if c.Optimizer == "adam" {
		opt = optimizer.Adam().LearningRate(c.LearningRate).Epsilon(1e-8).Done()
	} else {
		opt = optimizer.StochasticGradientDescent().WithLearningRate(c.LearningRate).WithDecay(false).Done()
	}
	if c.Clip == 0 {
		return opt, nil
	}
	return train.ClipByGlobalNorm(opt, c.Clip)
}

// charDataset is a train.Dataset of the book's training batches: batch i is
// CharText.TrainBatchAt(i, B, T), x and y int32 [B, T]. It never ends; it starts at the store's
// global step, so a resumed run goes on with the batches the first one had not seen.
type charDataset struct {
	batches func(i int) (x, y *tensors.Tensor, err error)
	store   *model.Store
}

func (d *charDataset) Name() string { return "opticks" }

func (d *charDataset) Iter() iter.Seq2[gtrain.Batch, error] {
	return func(yield func(gtrain.Batch, error) bool) {
		for i := int(optimizer.GetGlobalStep(d.store)); ; i++ {
			x, y, err := d.batches(i)
			if !yield(gtrain.Batch{Inputs: []*tensors.Tensor{x}, Labels: []*tensors.Tensor{y}}, err) || err != nil {
				return
			}
		}
	}
}

// configParam is the store parameter that records the model configuration in checkpoints, so
// that a directory holding another model's checkpoints is refused.
const configParam = "charlm_model"

// run trains as the configuration says and prints its progress to out.
func run(cfg config, out io.Writer) (res *result, err error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	ct, err := tasks.NewCharText(tasks.LoadBook(), valFraction, uint64(cfg.Seed))
	if err != nil {
		return nil, err
	}
	mc, err := cfg.modelConfig(ct.VocabSize())
	if err != nil {
		return nil, err
	}
	opt, err := cfg.optimizer()
	if err != nil {
		return nil, err
	}
	b, _, err := backend.New()
	if err != nil {
		return nil, err
	}
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, cfg.Seed) // the weights' initialisation (first run only)
	var ckpt *checkpoint.Handler
	if cfg.Checkpoint != "" {
		// Done loads the newest checkpoint of the directory, if any: its parameters now, its
		// variables as the graphs ask for them.
		if ckpt, err = checkpoint.Build(store).Dir(cfg.Checkpoint).Keep(cfg.Keep).Done(); err != nil {
			return nil, err
		}
	}
	want, err := json.Marshal(mc)
	if err != nil {
		return nil, err
	}
	if got, ok := store.GetParam("/" + configParam); ok && got != string(want) {
		return nil, fmt.Errorf("checkpoint directory %s holds a model %v, this run is for %s: use another directory", cfg.Checkpoint, got, want)
	}
	store.SetParam("/"+configParam, string(want))

	trainer := gtrain.NewTrainer(b, store, mc.ScopedModel, mc.ScopedLoss, opt, nil, nil)
	loop := gtrain.NewLoop(trainer)
	res = &result{Perplexity: math.NaN(), Store: store}
	loop.OnStep("record", 0, func(loop *gtrain.Loop, metrics []*tensors.Tensor) error {
		res.Losses = append(res.Losses, metricValue(metrics[0]))
		return nil
	})
	gtrain.EveryNSteps(loop, cfg.LogEvery, "progress", 1, func(loop *gtrain.Loop, metrics []*tensors.Tensor) error {
		_, err := fmt.Fprintf(out, "step %d: loss %.4f (moving average %.4f), %s per step\n", loop.LoopStep+1,
			metricValue(metrics[0]), metricValue(metrics[1]), loop.MedianTrainStepDuration().Round(1e5))
		return err
	})
	if ckpt != nil {
		gtrain.EveryNSteps(loop, cfg.SaveEvery, "checkpoint", 100, ckpt.SaveOnStepFn)
		loop.OnEnd("checkpoint", 100, func(*gtrain.Loop, []*tensors.Tensor) error { return ckpt.Save() })
	}

	start := int(optimizer.GetGlobalStep(store))
	fmt.Fprintf(out, "charlm: %s, %d layer(s), hidden %d, vocabulary %d; %s lr %g, clip %g; batch %d x %d characters; steps %d to %d\n",
		mc.Kind, mc.NumLayers, mc.HiddenSize, ct.VocabSize(), cfg.Optimizer, cfg.LearningRate, cfg.Clip,
		cfg.Batch, cfg.SeqLen, start, cfg.Steps)
	ds := &charDataset{batches: train.CharBatches(ct, cfg.Batch, cfg.SeqLen), store: store}
	if _, err := loop.RunToGlobalStep(ds, cfg.Steps); err != nil {
		return nil, err
	}
	res.Step = int(optimizer.GetGlobalStep(store))
	if ckpt != nil {
		fmt.Fprintf(out, "checkpoint: %s (step %d)\n", cfg.Checkpoint, res.Step)
	}
	if cfg.ValBatches > 0 {
		if res.Perplexity, err = perplexity(store, mc, ct, cfg); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "held-out perplexity %.3f over %d batches (a uniform guess: %d)\n", res.Perplexity, cfg.ValBatches, ct.VocabSize())
	}
	return res, nil
}

// perplexity evaluates the trained weights with package train's Predictor on the first
// ValBatches held-out batches.
func perplexity(store *model.Store, mc train.ModelConfig, ct *tasks.CharText, cfg config) (float64, error) {
	m, err := train.NewModel(mc, 1)
	if err != nil {
		return 0, err
	}
	if err := m.SetParamsFromScope(store.RootScope()); err != nil {
		return 0, err
	}
	b, _, err := backend.New()
	if err != nil {
		return 0, err
	}
	p, err := train.NewPredictor(b, m)
	if err != nil {
		return 0, err
	}
	val, err := ct.ValBatches(cfg.Batch, cfg.SeqLen)
	if err != nil {
		return 0, err
	}
	return p.Perplexity(val[:min(cfg.ValBatches, len(val))])
}

// metricValue is a scalar metric as float64.
func metricValue(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}
