package train

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// gradientsOf is AutodiffGradients when autodiff is set, else the default.
func gradientsOf(autodiff bool) GradientPath {
	if autodiff {
		return AutodiffGradients
	}
	return DefaultGradients
}

// TestOldGradientFieldsLoad: checkpoints written before Config.Gradients (testdata/oldgradients,
// with "HandWritten" and "Autodiff") load into a trainer whose Gradients says the same, hold
// bit for bit the parameters that this code reaches in the same 3 steps, and are refused, naming
// the field, by a trainer with another gradient path.
func TestOldGradientFieldsLoad(t *testing.T) {
	for name, g := range map[string]GradientPath{
		"handwritten": HandWrittenGradients, "autodiff": AutodiffGradients, "default": DefaultGradients,
	} {
		t.Run(name, func(t *testing.T) {
			path := "testdata/oldgradients/" + name + ".npz"
			cfg := loopTrainConfig
			cfg.Gradients = g
			fresh := func() *Trainer {
				m, err := NewModel(loopModelConfig(), 1)
				require.NoError(t, err)
				tr, err := New(testBackend(t), m, cfg)
				require.NoError(t, err)
				return tr
			}
			loaded := fresh()
			_, pos, err := loaded.LoadCheckpoint(path)
			require.NoError(t, err)
			require.Equal(t, 3, pos)

			run := fresh()
			_, lc := loopTrainer(t, 1, 2, 3)
			_, err = run.Run(context.Background(), lc)
			require.NoError(t, err)
			want, got := flatParams(run), flatParams(loaded)
			for i := range want {
				for j := range want[i] {
					require.Equal(t, math.Float32bits(want[i][j]), math.Float32bits(got[i][j]), "parameter %d[%d]", i, j)
				}
			}

			other := loopTrainConfig
			other.Gradients = map[GradientPath]GradientPath{DefaultGradients: AutodiffGradients}[g]
			m, err := NewModel(loopModelConfig(), 1)
			require.NoError(t, err)
			tr, err := New(testBackend(t), m, other)
			require.NoError(t, err)
			_, _, err = tr.LoadCheckpoint(path)
			var mismatch *ConfigMismatchError
			require.True(t, errors.As(err, &mismatch), "error %v", err)
			require.ErrorContains(t, err, "train.Gradients")
		})
	}
}

// TestConfigJSON: the new field round-trips; the old booleans map to it; contradictions and
// unknown fields are refused.
func TestConfigJSON(t *testing.T) {
	for _, g := range []GradientPath{DefaultGradients, HandWrittenGradients, AutodiffGradients} {
		c := Config{Optimizer: SGD, LearningRate: 0.5, TBPTT: 4, Gradients: g}
		data, err := json.Marshal(c)
		require.NoError(t, err)
		var back Config
		require.NoError(t, json.Unmarshal(data, &back))
		require.Equal(t, c, back)
	}
	for in, want := range map[string]GradientPath{
		`{"Optimizer":"sgd","HandWritten":false}`:                    DefaultGradients,
		`{"Optimizer":"sgd","HandWritten":true}`:                     HandWrittenGradients,
		`{"Optimizer":"sgd","HandWritten":false,"Autodiff":true}`:    AutodiffGradients,
		`{"Optimizer":"sgd","Autodiff":true,"Gradients":"autodiff"}`: AutodiffGradients,
	} {
		var c Config
		require.NoError(t, json.Unmarshal([]byte(in), &c), in)
		require.Equal(t, want, c.Gradients, in)
		require.Equal(t, SGD, c.Optimizer, in)
	}
	for in, want := range map[string]string{
		`{"HandWritten":true,"Autodiff":true}`:        "both set",
		`{"Autodiff":true,"Gradients":"handwritten"}`: "both set",
		`{"Optimizer":"sgd","Fast":true}`:             "unknown field",
	} {
		var c Config
		require.ErrorContains(t, json.Unmarshal([]byte(in), &c), want, in)
	}
}
