package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCmd(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

var parityDir = filepath.Join("..", "..", "pkg", "recurrent", "testdata", "pytorch")

func TestUsage(t *testing.T) {
	code, _, stderr := runCmd()
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "usage")
	code, _, stderr = runCmd("bench")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `unknown command "bench"`)
	code, _, stderr = runCmd("sweep", "-T", "16")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "want -out FILE.csv")
	code, _, stderr = runCmd("sweep", "-out", filepath.Join(t.TempDir(), "x.csv"), "-models", "transformer")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `unknown model "transformer"`)
	code, _, stderr = runCmd("sweep", "-out", filepath.Join(t.TempDir(), "x.csv"), "-T", "16,-4")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `"-4" is not a positive integer`)
}

func TestInfo(t *testing.T) {
	code, stdout, stderr := runCmd("info")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "module: github.com/gomlx/gomlx v")
	assert.Regexp(t, `matmul check: .* = \d`, stdout)
}

// parity reproduces package recurrent's PyTorch parity test through the command: every case
// within 1e-4, and a tolerance no float32 computation meets makes it fail with exit code 1.
func TestParity(t *testing.T) {
	out := filepath.Join(t.TempDir(), "parity.csv")
	code, stdout, stderr := runCmd("parity", "-dir", parityDir, "-out", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "parity: 12 cases")
	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	assert.Equal(t, "case,array,rel_diff,backend", lines[0])
	assert.Greater(t, len(lines), 12*5)

	code, _, stderr = runCmd("parity", "-dir", parityDir, "-out", out, "-tol", "1e-12")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "differ from PyTorch by more than")

	code, _, stderr = runCmd("parity", "-dir", t.TempDir(), "-out", out)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "no PyTorch case files")
}

func TestSweepAppends(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sweep.csv")
	args := []string{"sweep", "-out", out, "-T", "4,8", "-B", "2", "-batches", "", "-D", "3", "-H", "8", "-repeats", "1"}
	code, _, stderr := runCmd(append(args, "-models", "rnn")...)
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr := runCmd(append(args, "-models", "mingru_blelloch", "-passes", "fwdbwd")...)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "sweep: 2 rows")
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	tab, err := cost.ReadCSV(f)
	require.NoError(t, err)
	require.Len(t, tab.Rows, 2*2+2)
	// Exact depths of package cost: rnn forward 3T+7.
	for _, r := range tab.Select("rnn", cost.Fwd, 2) {
		assert.Equal(t, 3*r.T+7, r.Depth)
	}
	assert.Len(t, tab.Select("mingru_blelloch", cost.FwdBwd, 2), 2)
}
