package npz

import (
	"archive/zip"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkFortranFile compares every Fortran-order member of a file written by
// testdata/gen_fortran.py with its C-order copy "<name>_c".
func checkFortranFile(t *testing.T, path string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	fortran := 0
	for _, m := range zr.File {
		r, err := m.Open()
		require.NoError(t, err)
		head := make([]byte, 128)
		_, err = io.ReadFull(r, head)
		require.NoError(t, err)
		r.Close()
		if strings.Contains(string(head), "'fortran_order': True") {
			fortran++
		}
	}
	zr.Close()
	require.Equal(t, 4, fortran, "members that NumPy stored in Fortran order")

	f, err := ReadFile(path)
	require.NoError(t, err)
	for _, name := range f.Names() {
		if strings.HasSuffix(name, "_c") {
			continue
		}
		a, err := f.Get(name)
		require.NoError(t, err)
		c, err := f.Get(name + "_c")
		require.NoError(t, err)
		assert.Equal(t, c.Shape, a.Shape, name)
		assert.Equal(t, c.DType, a.DType, name)
		assert.Equal(t, c.F32, a.F32, name)
		assert.Equal(t, c.F64, a.F64, name)
		assert.Equal(t, c.I64, a.I64, name)
	}
}

func TestReadFortranOrder(t *testing.T) {
	checkFortranFile(t, filepath.Join("testdata", "numpy_fortran.npz"))
}

// TestNumPyFortranLive writes the Fortran-order file again with the installed NumPy (Debian's
// python3-numpy) and reads it; it is skipped without NumPy.
func TestNumPyFortranLive(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import numpy").Run(); err != nil {
		t.Skipf("no NumPy in %s: %v", python, err)
	}
	dir := t.TempDir()
	script, err := filepath.Abs(filepath.Join("testdata", "gen_fortran.py"))
	require.NoError(t, err)
	cmd := exec.Command(python, script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	checkFortranFile(t, filepath.Join(dir, "numpy_fortran.npz"))
}

func TestFortranToC(t *testing.T) {
	// A 2x3 matrix [[1 2 3] [4 5 6]] stored column by column.
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6}, fortranToC([]int{1, 4, 2, 5, 3, 6}, []int{2, 3}))
	// 2x2x2: element (i, j, k) is 100i + 10j + k; Fortran offset i + 2j + 4k.
	var f []int
	for k := range 2 {
		for j := range 2 {
			for i := range 2 {
				f = append(f, 100*i+10*j+k)
			}
		}
	}
	assert.Equal(t, []int{0, 1, 10, 11, 100, 101, 110, 111}, fortranToC(f, []int{2, 2, 2}))
	assert.Equal(t, []int{7}, fortranToC([]int{7}, nil))
	assert.Equal(t, []int{}, fortranToC([]int{}, []int{0, 3}))
}
