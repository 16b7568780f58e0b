package train

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	gtrain "github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/rnn-course/bottleneck/internal/testutil"
	"github.com/stretchr/testify/require"
)

// storeBytes returns every variable of a store (path -> shape and raw bytes), the optimizer's
// moments, step counters and the trainer's metrics included.
func storeBytes(t *testing.T, s *model.Store) map[string]string {
	out := map[string]string{}
	for v := range s.IterVariables() {
		val, err := v.Value()
		require.NoError(t, err, v.Path())
		require.NoError(t, val.ConstBytes(func(data []byte) {
			out[v.Path()] = val.Shape().String() + ":" + string(bytes.Clone(data))
		}))
	}
	return out
}

// TestGoMLXCheckpoints trains each model kind with GoMLX's Trainer, Adam and the course's
// clipping on the scoped layers, saves a GoMLX checkpoint (ml/model/checkpoint), and requires
// (1) a fresh store loaded from it to hold every variable bit for bit (weights, Adam's moments
// and step, the global step, the trainer's metrics), and (2) training resumed from it to be bit
// for bit the run that never stopped.
func TestGoMLXCheckpoints(t *testing.T) {
	b := testBackend(t)
	const B, T, before, after = 2, 5, 3, 3
	for _, kind := range CellKinds {
		t.Run(string(kind), func(t *testing.T) {
			mc := ModelConfig{Kind: kind, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32,
				OutputSize: 2, Loss: MSE}
			if kind == LSTM {
				mc.NumLayers, mc.DType = 2, dtypes.Float64
			}
			rng := rand.New(rand.NewPCG(1, 2))
			var batches []gtrain.Batch
			for range before + after {
				batches = append(batches, gtrain.Batch{
					Inputs: []*tensors.Tensor{testutil.RandNormal(rng, mc.DType, 1, B, T, mc.InputSize)},
					Labels: []*tensors.Tensor{testutil.RandNormal(rng, mc.DType, 1, B, T, mc.OutputSize)}})
			}
			newTrainer := func(store *model.Store) *gtrain.Trainer {
				opt, err := ClipByGlobalNorm(optimizer.Adam().LearningRate(0.01).Epsilon(1e-8).Done(), 0.5)
				require.NoError(t, err)
				return gtrain.NewTrainer(b, store, mc.ScopedModel, mc.ScopedLoss, opt, nil, nil)
			}
			steps := func(tr *gtrain.Trainer, from, to int) {
				for i := from; i < to; i++ {
					batch, err := batches[i].Clone() // TrainStep takes the batch's tensors
					require.NoError(t, err)
					_, err = tr.TrainStep(batch)
					require.NoError(t, err)
				}
			}
			dir := t.TempDir()
			store := model.NewStore()
			store.SetParam(model.ParamInitialSeed, int64(7))
			ckpt, err := checkpoint.Build(store).Dir(dir).Done()
			require.NoError(t, err)
			tr := newTrainer(store)
			steps(tr, 0, before)
			require.NoError(t, ckpt.Save())
			saved := storeBytes(t, store)

			loaded := model.NewStore()
			_, err = checkpoint.Build(loaded).Dir(dir).Immediate().Done()
			require.NoError(t, err)
			got := storeBytes(t, loaded)
			require.Equal(t, len(saved), len(got), "variables in the checkpoint")
			for path, want := range got {
				require.True(t, want == saved[path], "%s differs after save and load", path)
			}

			resumed := model.NewStore()
			_, err = checkpoint.Build(resumed).Dir(dir).Done() // the GoMLX way: variables load as the graph asks
			require.NoError(t, err)
			steps(newTrainer(resumed), before, before+after)
			steps(tr, before, before+after)
			straight, again := storeBytes(t, store), storeBytes(t, resumed)
			compared := 0
			for path, want := range straight {
				// Not carried over: the trainer's metrics live under a name with a per-Trainer
				// uuid (the resumed Trainer starts new ones), and the random generator's state is
				// loaded only when a graph asks for it (none does once the weights exist).
				if strings.HasPrefix(path, "/metrics/") || path == "/"+model.RNGStateVariableName {
					continue
				}
				require.Contains(t, again, path)
				require.True(t, want == again[path], "%s differs between the resumed run and the straight one", path)
				compared++
			}
			require.Equal(t, len(mc.paramNames())*3+3, compared,
				"the parameters, Adam's two moments each, Adam's step, the global step and the learning rate")
			require.Equal(t, int64(before+after), optimizer.GetGlobalStep(resumed))
		})
	}
}
