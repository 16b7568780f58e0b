package cost

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadGPURun(t *testing.T) {
	run, err := LoadGPURun(filepath.Join("testdata", "gpurun"), "dry")
	require.NoError(t, err)
	require.NotNil(t, run)
	for _, m := range []string{"rnn", "lstm", "gru", "attention", "conv", "mingru_chunked"} {
		assert.NotEmpty(t, run.Go.Select(m, FwdBwd, 4), m)
	}
	for _, m := range []string{"torch_rnn", "torch_lstm", "torch_gru", "torch_attention"} {
		rows := run.Torch.Select(m, FwdBwd, 4)
		require.NotEmpty(t, rows, m)
		assert.Positive(t, rows[0].MedianMS)
		assert.Contains(t, rows[0].Backend, "pytorch cpu")
	}
	assert.Equal(t, "NVIDIA H200, driver 580.159.04, jax-cuda13-pjrt 0.11.2, 2026-11-30", run.Label())
	assert.Equal(t, "torch 2.11.0", run.Env["torch"])

	// The model check pairs rows by T.
	checks := CheckModel(run.Go, PredictTable(run.Go, GPUModelH200()), "lstm", FwdBwd, 4)
	require.Len(t, checks, len(run.Go.Select("lstm", FwdBwd, 4)))
	for _, c := range checks {
		assert.Equal(t, c.MeasuredMS/c.ModelMS, c.Ratio())
	}

	// Nothing committed: no run, no error.
	run, err = LoadGPURun(t.TempDir(), "h200")
	require.NoError(t, err)
	assert.Nil(t, run)
}

func TestLoadGPURunErrors(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("testdata", "gpurun")
	raw, err := os.ReadFile(filepath.Join(src, "dry_goxla.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "h200_goxla.csv"), raw, 0o644))
	_, err = LoadGPURun(dir, "h200")
	require.Error(t, err, "the PyTorch file is missing")
	assert.Contains(t, err.Error(), "h200_torch.csv")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "h200_torch.csv"), []byte("model,T\nlstm,16\n"), 0o644))
	_, err = LoadGPURun(dir, "h200")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no "B" column`)

	torch, err := os.ReadFile(filepath.Join(src, "dry_torch.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "h200_torch.csv"), append(torch, []byte("pytorch,lstm,x,4,8,64,fwd,1,1,1,3,cudnn,cuda,H200,2,13,9\n")...), 0o644))
	_, err = LoadGPURun(dir, "h200")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"x" is not a number`)
}
