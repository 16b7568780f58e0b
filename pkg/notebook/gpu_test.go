package notebook

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRepoPath(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	p := RepoPath("results", "gpu")
	assert.True(t, strings.HasSuffix(p, filepath.Join("results", "gpu")))
	assert.FileExists(t, filepath.Join(filepath.Dir(filepath.Dir(p)), "go.mod"))
}

func TestGPUFigure(t *testing.T) {
	run, err := cost.LoadGPURun(filepath.Join("..", "cost", "testdata", "gpurun"), "dry")
	require.NoError(t, err)
	fig, checks := GPUFigure(run, cost.GPUModelH200(), []string{"rnn", "attention"}, cost.FwdBwd, 4)
	var names []string
	for _, s := range fig.Series {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"rnn (GoMLX, GPU)", "rnn (PyTorch, GPU)", "rnn (model)",
		"attention (GoMLX, GPU)", "attention (PyTorch, GPU)", "attention (model)"}, names)
	require.NotEmpty(t, checks)
	_, err = fig.SVG()
	require.NoError(t, err)
	fig, checks = GPUFigure(run, cost.GPUModelH200(), []string{"rnn"}, cost.FwdBwd, 999)
	assert.Nil(t, fig, "no rows at B=999")
	assert.Empty(t, checks)
	_, checks = GPUFigure(run, cost.GPUModelH200(), []string{"rnn", "attention"}, cost.FwdBwd, 4)
	desc := DescribeModelChecks(checks)
	assert.Contains(t, desc, "rnn: measured/model from ")
	assert.Contains(t, desc, "attention: measured/model from ")

	got := DescribeModelChecks([]cost.ModelCheck{{Model: "a", T: 1, MeasuredMS: 3, ModelMS: 1}, {Model: "a", T: 2, MeasuredMS: 5, ModelMS: 1},
		{Model: "b", T: 1, MeasuredMS: 1, ModelMS: 1.5}, {Model: "c", T: 1, MeasuredMS: 1, ModelMS: 10}, {Model: "c", T: 2, MeasuredMS: 10, ModelMS: 1}})
	assert.Equal(t, "a: measured/model from 3 to 5; the model was too optimistic at every T\n"+
		"b: measured/model from 0.67 to 0.67; the model was right within a factor of 2 at every T\n"+
		"c: measured/model from 0.1 to 10; the model was off by more than a factor of 2 at some T\n", got)
}
